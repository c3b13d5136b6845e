#include "editor/grammar_export.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "diag/render.hpp"
#include "syntax/grammar.hpp"
#include "syntax/lexicon.hpp"

namespace sink::editor {
namespace {

namespace pg = tao::pegtl;
namespace g = sink::grammar;

// ---- characters, read from the PEGTL rules (deduced from the rules' base classes) ----

using Ranges = std::vector<std::pair<char, char>>;

template <char... Cs>
std::string chars_of(const pg::one<Cs...>& /*rule*/) {
  return std::string{Cs...};
}
template <char... Cs>
std::string text_of(const pg::string<Cs...>& /*rule*/) {
  return std::string{Cs...};
}
template <char... Cs>
Ranges ranges_of(const pg::ranges<Cs...>& /*rule*/) {  // ranges<'a','z','_'>: pairs, then a single
  const char cs[] = {Cs...};
  Ranges out;
  for (std::size_t i = 0; i < sizeof...(Cs); i += 2)
    out.emplace_back(cs[i], i + 1 < sizeof...(Cs) ? cs[i + 1] : cs[i]);
  return out;
}
template <char C, typename... Rest>
std::string first_char_of(const pg::seq<pg::one<C>, Rest...>& /*rule*/) {  // seq<one<'('>, ...>
  return std::string(1, C);
}
template <char... Cs>
std::string star_chars_of(const pg::star<pg::one<Cs...>>& /*rule*/) {  // star<one<' ', '\t'>>
  return std::string{Cs...};
}
template <typename Name, typename Sep1, char C, typename Sep2, typename Next>
std::string list_separator_of(const pg::seq<Name, pg::star<Sep1, pg::one<C>, Sep2, Next>>& /*rule*/) {
  return std::string(1, C);  // seq<name, star<sep, one<','>, sep, must<name>>>
}
template <char C, typename... Rest>
std::string sign_of(const pg::seq<pg::opt<pg::one<C>>, Rest...>& /*rule*/) {  // int_lit's optional '-'
  return std::string(1, C);
}

Ranges single_chars(std::string_view s) {
  Ranges out;
  for (const char c : s) out.emplace_back(c, c);
  return out;
}

// ---- two regex dialects: Oniguruma (TextMate) and Vim (magic) ----

struct Dialect {
  bool vim;

  std::string lit(std::string_view s) const {
    const std::string_view special = vim ? "\\^$.*[]~/" : "\\^$.|?*+()[]{}/";
    std::string out;
    for (const char c : s) {
      if (special.find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
    return out;
  }
  std::string cls(const Ranges& ranges) const {  // a character class; a tab is written \t
    const std::string_view special = vim ? "\\]^-" : "\\]^-[";
    auto one = [&](char c) {
      if (c == '\t') return std::string("\\t");
      std::string s;
      if (special.find(c) != std::string_view::npos) s += '\\';
      return s + c;
    };
    std::string out = "[";
    for (const auto& [lo, hi] : ranges) out += lo == hi ? one(lo) : one(lo) + "-" + one(hi);
    return out + "]";
  }
  std::string alt(std::vector<std::string> alternatives) const {  // non-capturing
    std::string out = vim ? "\\%(" : "(?:";
    for (std::size_t i = 0; i < alternatives.size(); ++i) out += (i ? (vim ? "\\|" : "|") : "") + alternatives[i];
    return out + (vim ? "\\)" : ")");
  }
  std::string words(std::vector<std::string_view> ws) const {  // longest first
    std::stable_sort(ws.begin(), ws.end(), [](auto a, auto b) { return a.size() > b.size(); });
    std::vector<std::string> alts;
    for (const auto w : ws) alts.push_back(lit(w));
    return alt(alts);
  }
  std::string group(const std::string& x) const { return vim ? "\\(" + x + "\\)" : "(" + x + ")"; }
  std::string opt(const std::string& atom) const { return atom + (vim ? "\\=" : "?"); }
  std::string star(const std::string& atom) const { return atom + "*"; }
  std::string plus(const std::string& atom) const { return atom + (vim ? "\\+" : "+"); }
  std::string not_after(const std::string& atom) const {  // not preceded by atom
    return vim ? atom + "\\@<!" : "(?<!" + atom + ")";
  }
  std::string after(const std::string& atom) const {  // preceded by atom
    return vim ? atom + "\\@<=" : "(?<=" + atom + ")";
  }
  std::string not_ahead(const std::string& x) const { return vim ? "\\%(" + x + "\\)\\@!" : "(?!" + x + ")"; }
  std::string ahead(const std::string& x) const { return vim ? "\\%(" + x + "\\)\\@=" : "(?=" + x + ")"; }
  std::string atomic(const std::string& x) const { return vim ? "\\%(" + x + "\\)\\@>" : "(?>" + x + ")"; }
  std::string to_eol() const { return ".*$"; }
};

// The pieces both grammars are built from.
struct Pieces {
  explicit Pieces(const Dialect& d)
      : name_first(d.cls(ranges_of(g::ident_first{}))),
        name_other(d.cls(ranges_of(g::ident_other{}))),
        word(name_first + d.star(name_other)),
        before(d.not_after(name_other)),
        after(d.not_ahead(name_other)),
        blanks(d.cls(single_chars(star_chars_of(g::hblank{})))) {
    std::vector<std::string_view> kws(lex::keywords.begin(), lex::keywords.end());
    identifier = d.not_ahead(d.words(kws) + after) + word;
  }
  std::string name_first, name_other, word, before, after, blanks, identifier;
};

// ---- what each word is ----

enum class KeywordClass { Declaration, Control, Other, Logical, Boolean };

KeywordClass keyword_class(std::string_view kw) {
  const auto in = [&](const auto& list) { return std::find(list.begin(), list.end(), kw) != list.end(); };
  if (in(lex::declaration_keywords)) return KeywordClass::Declaration;
  if (in(lex::step_field_keywords) || kw == lex::kw_if) return KeywordClass::Control;
  if (kw == lex::kw_and || kw == lex::kw_or || kw == lex::kw_not) return KeywordClass::Logical;
  if (kw == lex::kw_true || kw == lex::kw_false) return KeywordClass::Boolean;
  return KeywordClass::Other;
}

constexpr KeywordClass kAllClasses[] = {KeywordClass::Declaration, KeywordClass::Control, KeywordClass::Other,
                                        KeywordClass::Logical, KeywordClass::Boolean};

std::string_view textmate_scope(KeywordClass c) {
  switch (c) {
    case KeywordClass::Declaration: return "keyword.other.declaration.sink";
    case KeywordClass::Control: return "keyword.control.sink";
    case KeywordClass::Other: return "keyword.other.sink";
    case KeywordClass::Logical: return "keyword.operator.logical.sink";
    case KeywordClass::Boolean: return "constant.language.boolean.sink";
  }
  return "keyword.other.sink";
}

std::string_view vim_group(KeywordClass c) {
  switch (c) {
    case KeywordClass::Declaration: return "sinkDeclaration";
    case KeywordClass::Control: return "sinkStatement";
    case KeywordClass::Other: return "sinkKeyword";
    case KeywordClass::Logical: return "sinkLogical";
    case KeywordClass::Boolean: return "sinkBoolean";
  }
  return "sinkKeyword";
}

std::vector<std::string_view> keywords_of(KeywordClass c) {
  std::vector<std::string_view> out;
  for (const auto kw : lex::keywords)
    if (keyword_class(kw) == c) out.push_back(kw);
  return out;
}

std::vector<std::string_view> builtin_names() {
  std::vector<std::string_view> out;
  for (const auto& b : lex::builtins) out.push_back(b.name);
  return out;
}
std::vector<std::string_view> platform_names() {
  std::vector<std::string_view> out;
  for (const auto& p : lex::platforms) out.push_back(p.name);
  return out;
}
std::vector<std::string_view> type_names() {
  std::vector<std::string_view> out;
  for (const auto& t : lex::types) out.push_back(t.name);
  return out;
}
std::vector<std::string_view> operator_texts() {  // longest first, as the grammar tries them
  std::vector<std::string_view> out;
  for (const auto& o : lex::operators) out.push_back(o.text);
  return out;
}

// `env.` splits into the keyword and the accessor.
std::string_view env_word() { return lex::env_prefix.substr(0, lex::env_prefix.size() - 1); }
std::string_view env_dot() { return lex::env_prefix.substr(lex::env_prefix.size() - 1); }

// ---- a small ordered JSON value, printed like JSON.stringify(value, null, 2) ----

struct Json {
  enum class Kind { String, Array, Object } kind = Kind::Object;
  std::string text;
  std::vector<Json> items;
  std::vector<std::string> keys;  // for objects, parallel to items
};

Json str(std::string_view s) {
  Json j;
  j.kind = Json::Kind::String;
  j.text = std::string(s);
  return j;
}
Json arr(std::vector<Json> items) {
  Json j;
  j.kind = Json::Kind::Array;
  j.items = std::move(items);
  return j;
}
Json obj(std::vector<std::pair<std::string, Json>> members) {
  Json j;
  for (auto& [k, v] : members) {
    j.keys.push_back(k);
    j.items.push_back(std::move(v));
  }
  return j;
}
Json include(std::string_view name) { return obj({{"include", str("#" + std::string(name))}}); }
Json named(std::string_view scope) { return obj({{"name", str(scope)}}); }

void print(const Json& j, std::size_t indent, std::string& out) {
  if (j.kind == Json::Kind::String) {
    out += "\"" + json_escape(j.text) + "\"";
    return;
  }
  const bool is_obj = j.kind == Json::Kind::Object;
  if (j.items.empty()) {
    out += is_obj ? "{}" : "[]";
    return;
  }
  out += is_obj ? "{\n" : "[\n";
  for (std::size_t i = 0; i < j.items.size(); ++i) {
    out.append(indent + 2, ' ');
    if (is_obj) out += "\"" + json_escape(j.keys[i]) + "\": ";
    print(j.items[i], indent + 2, out);
    out += i + 1 < j.items.size() ? ",\n" : "\n";
  }
  out.append(indent, ' ');
  out += is_obj ? "}" : "]";
}

}  // namespace

// ---- TextMate ----

std::string textmate_grammar() {
  const Dialect d{false};
  const Pieces p(d);
  const std::string env_w = d.lit(env_word());
  const std::string decl_scope(textmate_scope(KeywordClass::Declaration));
  const std::string escape_char = first_char_of(g::escape{});
  const std::string blank_star = d.star(p.blanks);

  // Interpolation: {{ name }}, {{ env.NAME }}, {{ raw name }}; `raw` and its blanks are
  // atomic, as in the PEG (`{{raw }}` is an error, not the name `raw`).
  const std::string interp =
      d.group(d.lit(lex::interp_open)) + blank_star +
      d.atomic(d.opt(d.alt({d.group(d.lit(lex::kw_raw)) + d.plus(p.blanks)}))) +
      d.alt({d.group(env_w) + d.group(d.lit(env_dot())) + d.group(p.word),
             d.group(d.words(builtin_names())) + p.after, d.group(p.word)}) +
      blank_star + d.group(d.lit(lex::interp_close));
  const Json interpolation = obj({{"patterns", arr({
      obj({{"name", str("meta.interpolation.sink")},
           {"match", str(interp)},
           {"captures", obj({{"1", named("punctuation.section.interpolation.begin.sink")},
                             {"2", named(textmate_scope(keyword_class(lex::kw_raw)))},
                             {"3", named("variable.language.env.sink")},
                             {"4", named("punctuation.accessor.sink")},
                             {"5", named("variable.other.env.sink")},
                             {"6", named("support.variable.sink")},
                             {"7", named("variable.other.sink")},
                             {"8", named("punctuation.section.interpolation.end.sink")}})}}),
      obj({{"name", str("invalid.illegal.interpolation.sink")}, {"match", str(d.lit(lex::interp_open))}}),
  })}});

  const Json escape = obj({{"patterns", arr({
      obj({{"name", str("constant.character.escape.sink")},
           {"match", str(d.lit(escape_char) + d.cls(single_chars(chars_of(g::escape_code{}))))}}),
      obj({{"name", str("invalid.illegal.escape.sink")}, {"match", str(d.lit(escape_char) + ".?")}}),
  })}});

  // A string: begin and end quotes; one-line forms end at the end of the line when unclosed.
  const auto string_rule = [&](std::string_view scope, const std::string& open, bool one_line, bool cooked) {
    std::vector<std::pair<std::string, Json>> m{
        {"name", str(scope)},
        {"begin", str(d.lit(open))},
        {"beginCaptures", obj({{"0", named("punctuation.definition.string.begin.sink")}})},
        {"end", str(one_line ? d.lit(open) + "|$" : d.lit(open))},
        {"endCaptures", obj({{"0", named("punctuation.definition.string.end.sink")}})}};
    if (cooked) m.emplace_back("patterns", arr({include("escape"), include("interpolation")}));
    return obj(std::move(m));
  };

  const std::string comment_start = d.lit(lex::comment_start);
  const std::string quotes = chars_of(g::dq_open{}) + chars_of(g::sq_open{});
  const std::string brace_open = chars_of(g::block_open{}), brace_close = chars_of(g::block_close{});

  // `fact NAME`, `ask NAME`: a value's name; `helper NAME`: a shell function's.
  const auto definition = [&](std::vector<std::string_view> kws, std::string_view name_scope) {
    return obj({{"match", str(p.before + d.group(d.words(std::move(kws))) + p.after +
                              d.opt(d.alt({blank_star + d.group(p.identifier)})))},
                {"captures", obj({{"1", named(decl_scope)}, {"2", named(name_scope)}})}});
  };

  std::vector<Json> keyword_rules;
  for (const auto c : kAllClasses)
    keyword_rules.push_back(obj({{"name", str(textmate_scope(c))},
                                 {"match", str(p.before + d.words(keywords_of(c)) + p.after)}}));

  const Json grammar = obj({
      {"$schema", str("https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json")},
      {"name", str("Sinkfile")},
      {"scopeName", str("source.sink")},
      {"fileTypes", arr({str("sink"), str("Sinkfile")})},
      {"comment", str("Generated by `sink grammar --format textmate` from sink's lexicon and grammar: do not edit.")},
      {"patterns", arr({include("comment"), include("string"), include("platform"), include("definition"),
                        include("env"), include("type"), include("keyword"), include("builtin"),
                        include("number"), include("operator"), include("punctuation")})},
      {"repository", obj({
           {"comment", obj({{"name", str("comment.line.number-sign.sink")},
                            {"match", str(d.group(comment_start) + d.to_eol())},
                            {"captures", obj({{"1", named("punctuation.definition.comment.sink")}})}})},
           {"string", obj({{"patterns", arr({include("string-block"), include("string-raw-block"),
                                             include("string-quoted"), include("string-raw")})}})},
           {"string-block", string_rule("string.quoted.triple.sink", text_of(g::dqb_open{}), false, true)},
           {"string-raw-block", string_rule("string.quoted.triple.raw.sink", text_of(g::sqb_open{}), false, false)},
           {"string-quoted", string_rule("string.quoted.double.sink", chars_of(g::dq_open{}), true, true)},
           {"string-raw", string_rule("string.quoted.single.sink", chars_of(g::sq_open{}), true, false)},
           {"escape", escape},
           {"interpolation", interpolation},
           {"platform",
            obj({{"name", str("meta.platform.sink")},
                 {"begin", str(p.before + d.group(d.lit(lex::kw_platform)) + p.after)},
                 {"beginCaptures", obj({{"1", named(textmate_scope(keyword_class(lex::kw_platform)))}})},
                 {"end", str(d.ahead(d.cls(single_chars(brace_open + brace_close + quotes))))},
                 {"patterns", arr({include("comment"),
                                   obj({{"name", str("support.constant.platform.sink")},
                                        {"match", str(p.before + d.words(platform_names()) + p.after)}}),
                                   include("punctuation")})}})},
           {"definition", obj({{"patterns", arr({definition({lex::kw_fact, lex::kw_ask}, "entity.name.variable.sink"),
                                                 definition({lex::kw_helper}, "entity.name.function.sink")})}})},
           {"env",
            obj({{"patterns",
                  arr({obj({{"match", str(p.before + d.group(env_w) + d.group(d.lit(env_dot())) + d.group(p.word))},
                            {"captures", obj({{"1", named("variable.language.env.sink")},
                                              {"2", named("punctuation.accessor.sink")},
                                              {"3", named("variable.other.env.sink")}})}}),
                       obj({{"match", str(p.before + d.group(env_w) + p.after +
                                          d.opt(d.alt({blank_star + d.group(p.word)})))},
                            {"captures", obj({{"1", named(textmate_scope(keyword_class(lex::kw_env)))},
                                              {"2", named("variable.other.env.sink")}})}})})}})},
           {"type", obj({{"match", str(d.group(d.lit(first_char_of(g::fact_type{}))) +
                                       d.opt(d.alt({blank_star + d.group(d.words(type_names())) + p.after})))},
                         {"captures", obj({{"1", named("punctuation.separator.type.sink")},
                                           {"2", named("storage.type.sink")}})}})},
           {"keyword", obj({{"patterns", arr(keyword_rules)}})},
           {"builtin", obj({{"name", str("support.variable.sink")},
                            {"match", str(p.before + d.words(builtin_names()) + p.after)}})},
           {"number", obj({{"name", str("constant.numeric.integer.sink")},
                           {"match", str(p.before + d.opt(d.lit(sign_of(g::int_lit{}))) + d.plus("[0-9]") + p.after)}})},
           {"operator", obj({{"patterns",
                              arr({obj({{"name", str("keyword.operator.comparison.sink")},
                                        {"match", str(d.words(operator_texts()))}}),
                                   obj({{"name", str("keyword.operator.assignment.sink")},
                                        {"match", str(d.lit(chars_of(g::fact_eq{})))}})})}})},
           {"punctuation",
            obj({{"patterns",
                  arr({obj({{"name", str("punctuation.section.block.begin.sink")}, {"match", str(d.lit(brace_open))}}),
                       obj({{"name", str("punctuation.section.block.end.sink")}, {"match", str(d.lit(brace_close))}}),
                       obj({{"name", str("punctuation.section.parens.begin.sink")},
                            {"match", str(d.lit(first_char_of(g::paren{})))}}),
                       obj({{"name", str("punctuation.section.parens.end.sink")},
                            {"match", str(d.lit(chars_of(g::paren_close{})))}}),
                       obj({{"name", str("punctuation.separator.comma.sink")},
                            {"match", str(d.lit(list_separator_of(g::platform_names{})))}})})}})},
       })},
  });
  std::string out;
  print(grammar, 0, out);
  return out + "\n";
}

// ---- Vim ----

namespace {

// One `syn match`/`syn region` pattern, between delimiters that it does not contain.
std::string delimited(const std::string& pattern) {
  for (const char c : std::string_view("/+!@%;")) {
    if (pattern.find(c) == std::string::npos) return c + pattern + c;
  }
  return "/" + pattern + "/";  // unreachable for sink's patterns
}

std::string join(const std::vector<std::string_view>& ws) {
  std::string out;
  for (const auto w : ws) out += (out.empty() ? "" : " ") + std::string(w);
  return out;
}

// 'iskeyword' for keywords: the name characters of the grammar, as character codes.
std::string iskeyword_option() {
  std::string out;
  for (const auto& [lo, hi] : ranges_of(g::ident_other{})) {
    if (!out.empty()) out += ",";
    out += std::to_string(static_cast<int>(lo));
    if (hi != lo) out += "-" + std::to_string(static_cast<int>(hi));
  }
  return out;
}

}  // namespace

std::string vim_syntax() {
  const Dialect d{true};
  const Pieces p(d);
  const std::string blank_star = d.star(p.blanks);
  const std::string escape_char = first_char_of(g::escape{});
  const std::string brace_open = chars_of(g::block_open{}), brace_close = chars_of(g::block_close{});
  const std::string quotes = chars_of(g::dq_open{}) + chars_of(g::sq_open{});
  const std::string decl_group(vim_group(KeywordClass::Declaration));

  std::string s;
  const auto line = [&](const std::string& l) { s += l + "\n"; };

  line("\" Vim syntax file");
  line("\" Language: Sinkfile (Sinkfile, *.sink)");
  line("\" Generated by `sink grammar --format vim` from sink's lexicon and grammar: do not edit.");
  line("");
  line("if exists('b:current_syntax')");
  line("  finish");
  line("endif");
  line("let s:cpo_save = &cpo");
  line("set cpo&vim");
  line("");
  line("syn case match");
  line("syn iskeyword " + iskeyword_option());
  line("syn sync fromstart");
  line("");

  // Items that start at the same place: a keyword wins over a match or region, and
  // among matches and regions the one defined last wins. So the general come first.
  line("\" Operators and punctuation");
  line("syn match sinkAssign " + delimited(d.lit(chars_of(g::fact_eq{}))));
  line("syn match sinkOperator " + delimited(d.words(operator_texts())));
  line("syn match sinkBrace " + delimited(d.cls(single_chars(brace_open + brace_close + first_char_of(g::paren{}) +
                                                             chars_of(g::paren_close{})))));
  line("syn match sinkComma " + delimited(d.lit(list_separator_of(g::platform_names{}))));
  line("syn match sinkNumber " + delimited(p.before + d.opt(d.lit(sign_of(g::int_lit{}))) + d.plus("[0-9]") + p.after));
  line("");

  line("\" Keywords (`" + std::string(lex::kw_env) + "` and `" + std::string(lex::kw_platform) +
       "` are matches below: they start more than a word)");
  for (const auto c : kAllClasses) {
    std::vector<std::string_view> plain, fact_like, helper_like;
    for (const auto kw : keywords_of(c)) {
      if (kw == lex::kw_env || kw == lex::kw_platform) continue;
      if (kw == lex::kw_fact || kw == lex::kw_ask) fact_like.push_back(kw);
      else if (kw == lex::kw_helper) helper_like.push_back(kw);
      else plain.push_back(kw);
    }
    const std::string group(vim_group(c));
    if (!plain.empty()) line("syn keyword " + group + " " + join(plain));
    if (!fact_like.empty())
      line("syn keyword " + group + " " + join(fact_like) + " nextgroup=sinkFactName skipwhite skipnl skipempty");
    if (!helper_like.empty())
      line("syn keyword " + group + " " + join(helper_like) + " nextgroup=sinkHelperName skipwhite skipnl skipempty");
  }
  line("syn match sinkFactName " + delimited(p.identifier) + " contained");
  line("syn match sinkHelperName " + delimited(p.identifier) + " contained");
  line("syn keyword sinkBuiltin " + join(builtin_names()));
  line("");

  line("\" Types: after the `" + first_char_of(g::fact_type{}) + "` of a fact");
  line("syn match sinkTypeSep " + delimited(d.lit(first_char_of(g::fact_type{}))) + " nextgroup=sinkType skipwhite");
  line("syn keyword sinkType " + join(type_names()) + " contained");
  line("");

  line("\" Names inside interpolations and after `env`: the more specific items come later");
  line("syn match sinkEnvName " + delimited(p.word) + " contained");
  line("syn match sinkInterpName " + delimited(p.word) + " contained");
  line("");

  line("\" env NAME = \"...\" and env.NAME");
  line("syn match " + decl_group + " " + delimited(p.before + d.lit(env_word()) + p.after) +
       " nextgroup=sinkEnvName skipwhite");
  line("syn match sinkEnvPrefix " + delimited(p.before + d.lit(env_word()) + "\\ze" + d.lit(env_dot()) + p.name_first) +
       " nextgroup=sinkEnvDot");
  line("syn match sinkEnvDot " + delimited(d.lit(env_dot())) + " contained nextgroup=sinkEnvName");
  line("");

  line("\" platform NAME, NAME {");
  line("syn keyword sinkPlatformName " + join(platform_names()) + " contained");
  line("syn region sinkPlatformList matchgroup=" + std::string(vim_group(keyword_class(lex::kw_platform))) +
       " start=" + delimited(p.before + d.lit(lex::kw_platform) + p.after) +
       " end=" + delimited(d.ahead(d.cls(single_chars(brace_open + brace_close + quotes)))) +
       " contains=sinkPlatformName,sinkComma,sinkComment");
  line("");

  line("\" Strings: escapes and interpolation in \"...\" and \"\"\"...\"\"\" only");
  const std::string raw_mod = d.lit(lex::kw_raw) + d.plus(p.blanks);
  const std::string interp_name = d.alt({d.lit(lex::env_prefix) + p.word, p.word});
  line("syn match sinkBadEscape " + delimited(d.lit(escape_char) + ".\\=") + " contained");
  line("syn match sinkEscape " + delimited(d.lit(escape_char) + d.cls(single_chars(chars_of(g::escape_code{})))) +
       " contained");
  line("syn match sinkBadInterp " + delimited(d.lit(lex::interp_open)) + " contained");
  line("syn match sinkInterp " +
       delimited(d.lit(lex::interp_open) + blank_star + d.atomic(d.opt(d.alt({raw_mod}))) + interp_name + blank_star +
                 d.lit(lex::interp_close)) +
       " contained contains=sinkInterpDelim,sinkEnvName,sinkInterpName,sinkInterpRaw,sinkEnvPrefix,sinkBuiltin");
  line("syn match sinkInterpDelim " + delimited(d.alt({d.lit(lex::interp_open), d.lit(lex::interp_close)})) +
       " contained");
  line("syn match sinkInterpRaw " +
       delimited(d.after("\\%(" + d.lit(lex::interp_open) + blank_star + "\\)") + d.lit(lex::kw_raw) +
                 "\\ze" + d.plus(p.blanks) + p.name_first) +
       " contained");
  const std::string cooked = " contains=sinkBadEscape,sinkEscape,sinkBadInterp,sinkInterp";
  const std::string skip_escaped = " skip=" + delimited(d.lit(escape_char) + ".");
  const std::string dq = chars_of(g::dq_open{}), sq = chars_of(g::sq_open{});
  line("syn region sinkString start=" + delimited(d.lit(dq)) + skip_escaped + " end=" +
       delimited(d.alt({d.lit(dq), "$"})) + cooked);
  line("syn region sinkRawString start=" + delimited(d.lit(sq)) + " end=" + delimited(d.alt({d.lit(sq), "$"})));
  line("syn region sinkBlockString start=" + delimited(d.lit(text_of(g::dqb_open{}))) + skip_escaped +
       " end=" + delimited(d.lit(text_of(g::dqb_close{}))) + cooked);
  line("syn region sinkRawBlockString start=" + delimited(d.lit(text_of(g::sqb_open{}))) +
       " end=" + delimited(d.lit(text_of(g::sqb_close{}))));
  line("");

  line("\" Comments");
  line("syn match sinkComment " + delimited(d.lit(lex::comment_start) + d.to_eol()));
  line("");

  const std::vector<std::pair<std::string_view, std::string_view>> links{
      {"sinkComment", "Comment"},         {"sinkDeclaration", "Keyword"},   {"sinkStatement", "Statement"},
      {"sinkKeyword", "StorageClass"},    {"sinkLogical", "Operator"},      {"sinkBoolean", "Boolean"},
      {"sinkFactName", "Identifier"},     {"sinkHelperName", "Function"},   {"sinkBuiltin", "Special"},
      {"sinkType", "Type"},               {"sinkTypeSep", "Delimiter"},     {"sinkEnvPrefix", "Special"},
      {"sinkEnvDot", "Delimiter"},        {"sinkEnvName", "Identifier"},    {"sinkPlatformName", "Constant"},
      {"sinkString", "String"},           {"sinkRawString", "String"},      {"sinkBlockString", "String"},
      {"sinkRawBlockString", "String"},   {"sinkEscape", "SpecialChar"},    {"sinkBadEscape", "Error"},
      {"sinkBadInterp", "Error"},         {"sinkInterp", "PreProc"},        {"sinkInterpDelim", "Delimiter"},
      {"sinkInterpName", "Identifier"},   {"sinkInterpRaw", "StorageClass"},   {"sinkNumber", "Number"},         {"sinkOperator", "Operator"},
      {"sinkAssign", "Operator"},         {"sinkBrace", "Delimiter"},       {"sinkComma", "Delimiter"},
  };
  line("\" Colours");
  for (const auto& [group, target] : links) line("hi def link " + std::string(group) + " " + std::string(target));
  line("");
  line("let b:current_syntax = 'sink'");
  line("let &cpo = s:cpo_save");
  line("unlet s:cpo_save");
  return s;
}

}  // namespace sink::editor
