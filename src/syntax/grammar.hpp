// The Sinkfile grammar as PEGTL rules: rules only, no actions, no messages.
// grammar/sinkfile.peg is the readable form of the same grammar; keep them in step.
// Actions (parser.cpp) build the AST; error messages live in messages.hpp.
#pragma once

#include <string_view>
#include <type_traits>
#include <utility>

#include <tao/pegtl.hpp>

#include "syntax/lexicon.hpp"

namespace sink::grammar {

namespace pg = tao::pegtl;
using namespace pg;  // NOLINT: rule vocabulary

// ---- words from the lexicon, turned into PEGTL strings ----
template <const std::string_view& S, std::size_t... I>
pg::string<S[I]...> lit_impl(std::index_sequence<I...>);
template <const std::string_view& S>
using lit = decltype(lit_impl<S>(std::make_index_sequence<S.size()>()));

struct ident_first : ranges<'a', 'z', 'A', 'Z', '_'> {};
struct ident_other : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
struct word : seq<ident_first, star<ident_other>> {};

template <const std::string_view& S>
struct kw : seq<lit<S>, not_at<ident_other>> {};

// Any one of the words of a lexicon table, followed by `After`. A word is spelled out character by
// character: clang does not take an array element (a subobject) as a reference template argument.
template <const auto& Words, std::size_t I, std::size_t... J>
pg::string<Words[I][J]...> word_at_impl(std::index_sequence<J...>);
template <const auto& Words, std::size_t I>
using word_at = decltype(word_at_impl<Words, I>(std::make_index_sequence<Words[I].size()>()));
template <const auto& Words, typename After, std::size_t... I>
sor<seq<word_at<Words, I>, After>...> any_word_impl(std::index_sequence<I...>);
template <const auto& Words, typename After>
using any_word = decltype(any_word_impl<Words, After>(std::make_index_sequence<Words.size()>()));

struct keyword : any_word<lex::keywords, not_at<ident_other>> {};

struct identifier : seq<not_at<keyword>, word> {};

// ---- blanks and comments: newlines are plain whitespace ----
struct comment : seq<one<'#'>, star<not_one<'\n'>>> {};
struct ws : sor<one<' ', '\t', '\r', '\n'>, comment> {};
struct sep : star<ws> {};
struct hblank : star<one<' ', '\t'>> {};

// ---- strings ----
// Interpolation: {{name}}, {{env.NAME}}, {{raw name}}
struct env_var_name : word {};
struct interp_env_name : seq<kw<lex::kw_env>, one<'.'>, env_var_name> {};
struct interp_name : sor<interp_env_name, word> {};
struct raw_mod : seq<kw<lex::kw_raw>, plus<one<' ', '\t'>>> {};
struct interp_open : lit<lex::interp_open> {};
struct interp_body : seq<hblank, opt<raw_mod>, interp_name, hblank> {};
struct interp_close : lit<lex::interp_close> {};
struct interp : seq<interp_open, must<interp_body>, must<interp_close>> {};

struct escape_code : one<'\\', '"', '\'', 'n', 't', 'r', '{'> {};
struct escape : seq<one<'\\'>, must<escape_code>> {};
struct lone_brace : seq<one<'{'>, not_at<one<'{'>>> {};

// "...": escapes and interpolation, one line
struct dq_open : one<'"'> {};
struct dq_plain : plus<not_one<'"', '\\', '\n', '{'>> {};
struct dq_close : one<'"'> {};
struct dq_string : seq<dq_open, star<sor<dq_plain, escape, interp, lone_brace>>, must<dq_close>> {};

// '...': raw, one line
struct sq_open : one<'\''> {};
struct sq_plain : plus<not_one<'\'', '\n'>> {};
struct sq_close : one<'\''> {};
struct sq_string : seq<sq_open, opt<sq_plain>, must<sq_close>> {};

// """...""": escapes and interpolation, many lines, common indentation stripped
struct dqb_open : pg::string<'"', '"', '"'> {};
struct dqb_close : pg::string<'"', '"', '"'> {};
struct dqb_plain : plus<sor<plus<not_one<'"', '\\', '{'>>, seq<one<'"'>, not_at<two<'"'>>>>> {};
struct dq_block : seq<dqb_open, star<sor<dqb_plain, escape, interp, lone_brace>>, must<dqb_close>> {};

// '''...''': raw, many lines, common indentation stripped
struct sqb_open : pg::string<'\'', '\'', '\''> {};
struct sqb_close : pg::string<'\'', '\'', '\''> {};
struct sqb_plain : plus<sor<plus<not_one<'\''>>, seq<one<'\''>, not_at<two<'\''>>>>> {};
struct sq_block : seq<sqb_open, opt<sqb_plain>, must<sqb_close>> {};

struct string_lit : sor<dq_block, sq_block, dq_string, sq_string> {};

struct int_lit : seq<opt<one<'-'>>, plus<digit>, not_at<ident_other>> {};

// ---- expressions ----
// Shell habits where a condition goes on: each is an error that names the Sinkfile's word.
template <typename Habit>
struct refuse : seq<at<Habit>, raise<Habit>> {};
struct shell_and : two<'&'> {};
struct shell_or : two<'|'> {};
struct shell_not : seq<one<'!'>, not_at<one<'='>>> {};
struct shell_assign : seq<one<'='>, not_at<one<'='>>> {};
struct unquoted_version : seq<int_lit, one<'.'>, digit> {};
struct shell_option : seq<one<'-'>, ident_first> {};  // `command -v brew`: a command, not a condition
struct shell_test : one<'['> {};                       // `[ -f x ]`
struct shell_habit : seq<sep, sor<refuse<shell_and>, refuse<shell_or>, refuse<shell_assign>, refuse<shell_option>>> {};

struct expr;
struct env_ref : seq<kw<lex::kw_env>, one<'.'>, must<env_var_name>> {};
struct name_ref : sor<env_ref, identifier> {};
struct expr_string : string_lit {};
struct expr_int : int_lit {};
struct expr_bool : sor<kw<lex::kw_true>, kw<lex::kw_false>> {};
struct paren_close : one<')'> {};
struct paren_body : seq<sep, must<expr>, sep, must<paren_close>> {};
struct paren : seq<one<'('>, paren_body> {};
struct primary : sor<paren, expr_string, seq<opt<refuse<unquoted_version>>, expr_int>, expr_bool, name_ref> {};

struct cmp_op : any_word<lex::operators, success> {};
struct operand : primary {};
struct cmp_tail : seq<sep, cmp_op, sep, must<operand>> {};
struct comparison : seq<primary, opt<cmp_tail>, opt<shell_habit>> {};
struct not_operand;
struct not_body : seq<sep, must<not_operand>> {};
struct not_app : seq<kw<lex::kw_not>, not_body> {};
struct not_expr : sor<not_app, refuse<shell_not>, refuse<shell_test>, comparison> {};
struct not_operand : not_expr {};
struct and_operand : not_expr {};
struct and_tail : seq<sep, kw<lex::kw_and>, sep, must<and_operand>> {};
struct and_expr : seq<not_expr, star<and_tail>> {};
struct or_operand : and_expr {};
struct or_tail : seq<sep, kw<lex::kw_or>, sep, must<or_operand>> {};
struct expr : seq<and_expr, star<or_tail>> {};

// ---- declarations ----
struct decl_name : identifier {};
struct fact_eq : one<'='> {};
struct env_eq : one<'='> {};

struct use_path : string_lit {};
struct use_decl : seq<kw<lex::kw_use>, sep, must<use_path>> {};

struct type_name : word {};
struct fact_type : seq<one<':'>, sep, must<type_name>> {};
struct sh_command : string_lit {};
struct fact_sh : seq<kw<lex::kw_sh>, sep, must<sh_command>> {};
struct env_source_name : string_lit {};
struct fact_env : seq<kw<lex::kw_env>, sep, must<env_source_name>> {};
struct fact_value : string_lit {};
struct fact_source : sor<fact_sh, fact_env, fact_value> {};
struct opt_required : kw<lex::kw_required> {};
struct opt_secret : kw<lex::kw_secret> {};
struct default_literal : sor<expr_string, expr_int, expr_bool> {};  // a literal of a condition
struct opt_default : seq<kw<lex::kw_default>, sep, must<default_literal>> {};
struct fact_option : sor<opt_required, opt_default, opt_secret> {};
struct fact_decl : seq<kw<lex::kw_fact>, sep, must<decl_name>, sep, opt<fact_type>, sep, must<fact_eq>, sep,
                       must<fact_source>, star<sep, fact_option>> {};

struct ask_prompt : string_lit {};
struct ask_default_value : string_lit {};
struct ask_default : seq<kw<lex::kw_default>, sep, must<ask_default_value>> {};
struct ask_choice : string_lit {};
struct choices_kw : kw<lex::kw_choices> {};
struct choice_comma : one<'"', '\''> {};  // another choice without its `,`
struct ask_choices
    : seq<choices_kw, sep, must<ask_choice>, star<sep, one<','>, sep, must<ask_choice>>, opt<sep, refuse<choice_comma>>> {};
struct ask_option : sor<ask_default, opt_secret, ask_choices> {};
struct ask_decl : seq<kw<lex::kw_ask>, sep, must<decl_name>, sep, must<ask_prompt>, star<sep, ask_option>> {};

struct env_name : env_var_name {};
struct env_value : string_lit {};
struct env_assign : seq<must<env_name>, sep, must<env_eq>, sep, must<env_value>> {};
struct env_decl : seq<kw<lex::kw_env>, sep, env_assign> {};

struct helper_body : string_lit {};
struct helper_decl : seq<kw<lex::kw_helper>, sep, must<decl_name>, sep, must<helper_body>> {};

// ---- steps ----
struct field_text : string_lit {};
struct f_run : seq<kw<lex::kw_run>, sep, must<field_text>> {};
struct sh_check : seq<kw<lex::kw_sh>, sep, must<field_text>> {};
struct skip_check : sor<sh_check, expr> {};
struct skip_if_kw : kw<lex::kw_if> {};
struct f_skip : seq<kw<lex::kw_skip>, sep, must<skip_if_kw>, sep, must<skip_check>> {};
struct when_check : sor<sh_check, expr> {};
struct f_when : seq<kw<lex::kw_when>, sep, must<when_check>> {};
struct f_error : seq<kw<lex::kw_error>, sep, must<field_text>> {};
struct f_env : seq<kw<lex::kw_env>, sep, env_assign> {};
struct f_dir : seq<kw<lex::kw_dir>, sep, must<field_text>> {};
// Anything else up to the end of its line: kept so that the checker can name it. A
// declaration keyword is not taken: there, the step's `}` is missing.
struct declaration_keyword : any_word<lex::declaration_keywords, not_at<ident_other>> {};
struct f_unknown : seq<not_at<declaration_keyword>, word, star<sor<string_lit, not_one<'\n', '}'>>>> {};
struct step_field : sor<f_run, f_skip, f_when, f_error, f_env, f_dir, f_unknown> {};

struct step_name : string_lit {};
struct step_open : one<'{'> {};
struct step_close : one<'}'> {};
struct step_body : seq<step_open, sep, star<step_field, sep>, must<step_close>> {};
struct step_decl : seq<kw<lex::kw_step>, sep, must<step_name>, sep, must<step_body>> {};

// ---- platform blocks ----
struct item;
struct platform_kw : kw<lex::kw_platform> {};
struct platform_name : word {};
struct platform_names : seq<platform_name, star<sep, one<','>, sep, must<platform_name>>> {};
struct block_open : one<'{'> {};
struct block_close : one<'}'> {};
struct platform_body : seq<block_open, sep, star<item, sep>, must<block_close>> {};
struct platform_block : seq<platform_kw, sep, must<platform_names>, sep, must<platform_body>> {};

struct item : sor<use_decl, fact_decl, ask_decl, env_decl, step_decl, platform_block, helper_decl> {};

struct bom : pg::string<'\xEF', '\xBB', '\xBF'> {};
struct end_of_file : eof {};
struct file : seq<opt<bom>, sep, star<item, sep>, must<end_of_file>> {};

template <typename Rule, typename... Rules>
inline constexpr bool is_one_of = (std::is_same_v<Rule, Rules> || ...);

// Rules whose start is remembered, so that "unterminated" errors can name where they opened.
template <typename Rule>
inline constexpr bool is_opener =
    is_one_of<Rule, dq_string, sq_string, dq_block, sq_block, interp, paren, step_body, platform_body>;

// Rules that nest; their depth is limited so that deep input is an error, not a crash.
// paren_body, not paren: counted once the `(` is there.
template <typename Rule>
inline constexpr bool is_nesting = is_one_of<Rule, paren_body, not_body, platform_body>;

}  // namespace sink::grammar
