// PEGTL actions that build the AST, and the control that turns grammar failures
// into located diagnostics.
#include "syntax/parser.hpp"

#include <charconv>
#include <cstring>
#include <string>

#include <tao/pegtl.hpp>

#include "syntax/grammar.hpp"
#include "syntax/messages.hpp"
#include "syntax/text.hpp"
#include "util/suggest.hpp"
#include "util/utf8.hpp"

namespace sink {
namespace {

namespace g = grammar;
namespace pg = tao::pegtl;

struct LineCol {
  std::uint32_t line = 1, col = 1;
};

struct SyntaxError {
  Code code;
  std::string message;
  std::string hint;
  LineCol at;
};

struct Builder {
  std::uint32_t file_id = 0;
  ParseLimits limits;
  std::vector<ast::Item> top_items;
  std::vector<ast::Comment> comments;
  std::vector<LineCol> opens;  // where the enclosing strings, blocks and parentheses opened
  int depth = 0;
  std::size_t comments_seen_until = 0;
  std::size_t steps = 0, values = 0;  // declared so far, for the limits

  // The string being read: its raw pieces, then its value.
  std::string buf;
  std::vector<ast::Interp> interps;
  ast::StringForm form = ast::StringForm::Quoted;
  std::optional<ast::Text> last_text;
  ast::Interp interp;

  std::vector<ast::Ptr<ast::Expr>> exprs;
  std::vector<lex::CmpOp> ops;

  ast::Str name;
  Span name_span;
  ast::Fact fact;
  ast::Ask ask;
  std::vector<ast::Text> choices;
  ast::Step step;
  std::vector<ast::StepField> fields;
  bool sh_check = false;  // the skip if / when being built is a `sh` check
  ast::Str env_name;
  Span env_name_span;
  ast::Text env_value;
  std::optional<ast::Literal> literal;
  std::optional<Span> required, secret;
  std::vector<ast::RepeatedOption> repeated;  // options of the fact or question being read
  bool fact_default_seen = false;
  void once(std::optional<Span>& slot, const char* option, Span span) {
    if (slot) repeated.push_back({option, span});
    slot = span;
  }
  struct OpenBlock {
    std::vector<ast::PlatformName> names;
    std::vector<ast::Item> items;
  };
  std::vector<OpenBlock> platforms;

  std::vector<ast::Item>& items() { return platforms.empty() ? top_items : platforms.back().items; }
  template <typename T>
  void add_item(T node) { items().push_back(ast::Item{std::make_shared<const T>(std::move(node))}); }

  ast::Text take_text() {
    ast::Text t = last_text ? *last_text : ast::Text{};
    last_text.reset();
    return t;
  }
  ast::Ptr<ast::Expr> pop_expr() {
    ast::Ptr<ast::Expr> e = exprs.back();
    exprs.pop_back();
    return e;
  }
  void start_text(ast::StringForm f) {
    buf.clear();
    interps.clear();
    form = f;
  }
};

// The line and column where `in` starts (an action input) or stands (a parse input). Read
// from the iterator: position() would copy the source name on every call.
template <typename Input>
LineCol where(const Input& in) {
  const auto& it = in.iterator();
  return {static_cast<std::uint32_t>(it.line), static_cast<std::uint32_t>(it.column)};
}

// The span of a matched rule: from where it starts to where the parse input stands now,
// just after it (the input tracks lines and columns as it goes, so nothing is rescanned).
template <typename ActionInput>
Span span_of(const ActionInput& in, std::uint32_t file) {
  const LineCol start = where(in);
  const LineCol end = where(in.input());
  return {file, start.line, start.col, end.line, end.col};
}

std::string leading_word(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && (std::isalnum(static_cast<unsigned char>(s[n])) || s[n] == '_')) ++n;
  return std::string(s.substr(0, n));
}

// The length of the first word of a match (a keyword such as `run`).
template <typename ActionInput>
std::uint32_t keyword_length(const ActionInput& in) {
  return static_cast<std::uint32_t>(leading_word(in.string_view()).size());
}

Span join(const Span& a, const Span& b) { return {a.file, a.line, a.col, b.end_line, b.end_col}; }

// What the parser found where it expected something else.
std::string describe_found(const char* p, const char* end) {
  if (p >= end) return "end of file";
  if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) return "end of line";
  const std::string word = leading_word(std::string_view(p, static_cast<std::size_t>(end - p)));
  if (!word.empty()) return "`" + word + "`";
  std::size_t len = 1;
  const auto c = static_cast<unsigned char>(*p);
  if (c >= 0xF0) len = 4;
  else if (c >= 0xE0) len = 3;
  else if (c >= 0xC0) len = 2;
  if (p + len > end) len = 1;
  return "`" + std::string(p, len) + "`";
}

std::string opened_at(const Builder& b) {
  if (b.opens.empty()) return "the start";
  return "line " + std::to_string(b.opens.back().line) + ", column " + std::to_string(b.opens.back().col);
}

// One more step, or fact or question: past the limit, the parse stops here (E110), before
// a hostile file can make sink hold millions of them.
template <typename Input>
void count(std::size_t& n, std::size_t max, const char* what, const Input& in) {
  if (++n <= max) return;
  throw SyntaxError{E110, std::string("too many ") + what + " in one file: more than " + std::to_string(max),
                    "split the file into modules with `use`; a Sinkfile this large is likely generated by mistake",
                    where(in)};
}

template <typename Rule>
struct Control : pg::normal<Rule> {
  template <typename Input>
  static void start(const Input& in, Builder& b) {
    if constexpr (g::is_nesting<Rule>) {
      if (++b.depth > b.limits.max_nesting)
        throw SyntaxError{E105, "nesting too deep: more than " + std::to_string(b.limits.max_nesting) +
                                      " levels of parentheses, `not` or platform blocks",
                          "split the condition or the platform blocks into simpler ones", where(in)};
    }
    if constexpr (g::is_opener<Rule>) b.opens.push_back(where(in));
  }
  template <typename Input>
  static void success(const Input& /*in*/, Builder& b) { leave(b); }
  template <typename Input>
  static void failure(const Input& /*in*/, Builder& b) { leave(b); }
  static void leave(Builder& b) {
    if constexpr (g::is_nesting<Rule>) --b.depth;
    if constexpr (g::is_opener<Rule>) b.opens.pop_back();
  }

  template <typename Input>
  [[noreturn]] static void raise(const Input& in, Builder& b) {
    constexpr g::ErrorText t = g::error_text<Rule>;
    static_assert(t.message != nullptr, "every rule under must<> needs an entry in messages.hpp");
    std::string message = t.message;
    if (const auto pos = message.find("{opened}"); pos != std::string::npos)
      message.replace(pos, 8, opened_at(b));
    std::string hint = t.hint;
    const Code code = t.code;
    if (code == E104) {
      message += ", found " + describe_found(in.current(), in.end());
      if constexpr (std::is_same_v<Rule, g::end_of_file> || std::is_same_v<Rule, g::block_close>) {
        const std::string word = leading_word(std::string_view(in.current(), in.size(0)));
        std::vector<std::string> candidates(lex::declaration_keywords.begin(), lex::declaration_keywords.end());
        if (const auto s = suggest(word, candidates)) hint = "did you mean `" + *s + "`? " + hint;
      }
    }
    throw SyntaxError{code, message, hint, where(in)};
  }
};

template <typename Rule>
struct Action : pg::nothing<Rule> {};

#define SINK_ACTION(RULE) \
  template <>             \
  struct Action<g::RULE> { \
    template <typename In> \
    static void apply(const In& in, Builder& b)
#define SINK_ACTION0(RULE) \
  template <>              \
  struct Action<g::RULE> { \
    static void apply0(Builder& b)
#define SINK_END }

// ---- comments (kept for the formatter; backtracking may visit one twice) ----
SINK_ACTION(comment) {
  const auto offset = static_cast<std::size_t>(in.begin() - in.input().begin());
  if (offset < b.comments_seen_until) return;
  b.comments_seen_until = offset + 1;
  std::string_view text = in.string_view().substr(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  b.comments.push_back({ast::Str(text), span_of(in, b.file_id)});
}
SINK_END;

// ---- strings ----
template <ast::StringForm Form>
struct StartText {
  static void apply0(Builder& b) { b.start_text(Form); }
};
template <> struct Action<g::dq_open> : StartText<ast::StringForm::Quoted> {};
template <> struct Action<g::sq_open> : StartText<ast::StringForm::Raw> {};
template <> struct Action<g::dqb_open> : StartText<ast::StringForm::QuotedBlock> {};
template <> struct Action<g::sqb_open> : StartText<ast::StringForm::RawBlock> {};

struct AppendRaw {
  template <typename In>
  static void apply(const In& in, Builder& b) { b.buf.append(in.string_view()); }
};
template <> struct Action<g::dq_plain> : AppendRaw {};
template <> struct Action<g::sq_plain> : AppendRaw {};
template <> struct Action<g::dqb_plain> : AppendRaw {};
template <> struct Action<g::sqb_plain> : AppendRaw {};
template <> struct Action<g::escape> : AppendRaw {};
template <> struct Action<g::lone_brace> : AppendRaw {};

SINK_ACTION0(interp_open) { b.interp = ast::Interp{}; } SINK_END;
SINK_ACTION0(raw_mod) { b.interp.raw = true; } SINK_END;
SINK_ACTION(interp_name) { b.interp.name = ast::Str(in.string_view()); } SINK_END;
SINK_ACTION(interp) {
  b.interp.span = span_of(in, b.file_id);
  b.interp.at = static_cast<std::uint32_t>(b.buf.size());
  b.interps.push_back(b.interp);
}
SINK_END;

struct FinishText {
  template <typename In>
  static void apply(const In& in, Builder& b) {
    ast::Text t;
    t.form = b.form;
    t.span = span_of(in, b.file_id);
    finish_text(b.buf, b.interps, b.form);
    t.text = b.buf;
    t.interps = b.interps;
    b.last_text = t;
  }
};
template <> struct Action<g::dq_string> : FinishText {};
template <> struct Action<g::sq_string> : FinishText {};
template <> struct Action<g::dq_block> : FinishText {};
template <> struct Action<g::sq_block> : FinishText {};

// ---- expressions ----
std::int64_t parse_int(std::string_view s, LineCol at) {
  std::int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc{})
    throw SyntaxError{E109, "number too large: " + std::string(s),
                      "whole numbers range from -9223372036854775808 to 9223372036854775807", at};
  return v;
}

std::shared_ptr<ast::Expr> make_expr(ast::Expr::Kind kind, Span span) {
  auto e = std::make_shared<ast::Expr>();
  e->kind = kind;
  e->span = span;
  return e;
}

SINK_ACTION(name_ref) {
  auto e = make_expr(ast::Expr::Kind::Name, span_of(in, b.file_id));
  e->name = ast::Str(in.string_view());
  b.exprs.push_back(e);
}
SINK_END;
SINK_ACTION(expr_string) {
  auto e = make_expr(ast::Expr::Kind::String, span_of(in, b.file_id));
  e->str = std::make_shared<const ast::Text>(b.take_text());
  b.exprs.push_back(e);
}
SINK_END;
SINK_ACTION(expr_int) {
  auto e = make_expr(ast::Expr::Kind::Int, span_of(in, b.file_id));
  e->int_value = parse_int(in.string_view(), where(in));
  b.exprs.push_back(e);
}
SINK_END;
template <bool Value>
struct BoolExpr {
  template <typename In>
  static void apply(const In& in, Builder& b) {
    auto e = make_expr(ast::Expr::Kind::Bool, span_of(in, b.file_id));
    e->bool_value = Value;
    b.exprs.push_back(e);
  }
};
template <> struct Action<g::expr_true> : BoolExpr<true> {};
template <> struct Action<g::expr_false> : BoolExpr<false> {};

template <lex::CmpOp Op>
struct PushOp {
  static void apply0(Builder& b) { b.ops.push_back(Op); }
};
template <> struct Action<g::op_eq> : PushOp<lex::CmpOp::Eq> {};
template <> struct Action<g::op_ne> : PushOp<lex::CmpOp::Ne> {};
template <> struct Action<g::op_le> : PushOp<lex::CmpOp::Le> {};
template <> struct Action<g::op_ge> : PushOp<lex::CmpOp::Ge> {};
template <> struct Action<g::op_lt> : PushOp<lex::CmpOp::Lt> {};
template <> struct Action<g::op_gt> : PushOp<lex::CmpOp::Gt> {};

// Long chains of `and`/`or` nest as deeply as parentheses do; the checker walks them.
void check_depth(const ast::Expr& e, const Builder& b) {
  if (e.depth > static_cast<std::uint32_t>(b.limits.max_expr_depth))
    throw SyntaxError{E105,
                      "condition too deep: more than " + std::to_string(b.limits.max_expr_depth) +
                          " operators inside one another",
                      "split it: give parts of it names with facts, or use several steps",
                      {e.span.line, e.span.col}};
}

template <ast::Expr::Kind Kind>
struct Binary {
  static void apply0(Builder& b) {
    auto rhs = b.pop_expr();
    auto lhs = b.pop_expr();
    auto e = make_expr(Kind, join(lhs->span, rhs->span));
    e->depth = 1 + std::max(lhs->depth, rhs->depth);
    check_depth(*e, b);
    if constexpr (Kind == ast::Expr::Kind::Compare) {
      e->op = b.ops.back();
      b.ops.pop_back();
    }
    e->lhs = lhs;
    e->rhs = rhs;
    b.exprs.push_back(e);
  }
};
template <> struct Action<g::cmp_tail> : Binary<ast::Expr::Kind::Compare> {};
template <> struct Action<g::and_tail> : Binary<ast::Expr::Kind::And> {};
template <> struct Action<g::or_tail> : Binary<ast::Expr::Kind::Or> {};
SINK_ACTION(not_app) {
  auto e = make_expr(ast::Expr::Kind::Not, span_of(in, b.file_id));
  e->lhs = b.pop_expr();
  e->depth = 1 + e->lhs->depth;
  check_depth(*e, b);
  b.exprs.push_back(e);
}
SINK_END;

// ---- declarations ----
SINK_ACTION(decl_name) {
  b.name = ast::Str(in.string_view());
  b.name_span = span_of(in, b.file_id);
}
SINK_END;
SINK_ACTION(use_decl) { b.add_item(ast::Use{b.take_text(), span_of(in, b.file_id)}); } SINK_END;

SINK_ACTION0(fact_kw) {
  b.fact = ast::Fact{};
  b.literal.reset();
  b.required.reset();
  b.secret.reset();
  b.repeated.clear();
  b.fact_default_seen = false;
}
SINK_END;
SINK_ACTION(type_name) {
  b.fact.type_name = ast::Str(in.string_view());
  b.fact.type_span = span_of(in, b.file_id);
}
SINK_END;
SINK_ACTION0(fact_sh) { b.fact.source = ast::FactSource::Sh; b.fact.value = b.take_text(); } SINK_END;
SINK_ACTION0(fact_env) { b.fact.source = ast::FactSource::Env; b.fact.value = b.take_text(); } SINK_END;
SINK_ACTION0(fact_value) { b.fact.source = ast::FactSource::Value; b.fact.value = b.take_text(); } SINK_END;
SINK_ACTION(opt_required) { b.once(b.required, "required", span_of(in, b.file_id)); } SINK_END;
SINK_ACTION(opt_secret) { b.once(b.secret, "secret", span_of(in, b.file_id)); } SINK_END;
SINK_ACTION(opt_default) {
  if (b.fact_default_seen) b.repeated.push_back({"default", span_of(in, b.file_id)});
  b.fact_default_seen = true;
}
SINK_END;
SINK_ACTION(default_string) {
  b.literal = ast::Literal{ast::Literal::Kind::String, b.take_text(), 0, false, span_of(in, b.file_id)};
}
SINK_END;
SINK_ACTION(default_int) {
  b.literal = ast::Literal{ast::Literal::Kind::Int, {}, parse_int(in.string_view(), where(in)), false,
                           span_of(in, b.file_id)};
}
SINK_END;
SINK_ACTION(default_true) { b.literal = ast::Literal{ast::Literal::Kind::Bool, {}, 0, true, span_of(in, b.file_id)}; } SINK_END;
SINK_ACTION(default_false) { b.literal = ast::Literal{ast::Literal::Kind::Bool, {}, 0, false, span_of(in, b.file_id)}; } SINK_END;
SINK_ACTION(fact_decl) {
  b.fact.name = b.name;
  b.fact.name_span = b.name_span;
  b.fact.required = b.required;
  b.fact.secret = b.secret;
  b.fact.default_value = b.literal;
  b.fact.repeated = b.repeated;
  b.fact.span = span_of(in, b.file_id);
  count(b.values, b.limits.max_values, "facts and questions", in);
  b.add_item(b.fact);
}
SINK_END;

SINK_ACTION0(ask_kw) {
  b.ask = ast::Ask{};
  b.choices.clear();
  b.secret.reset();
  b.repeated.clear();
}
SINK_END;
SINK_ACTION0(ask_prompt) { b.ask.prompt = b.take_text(); } SINK_END;
SINK_ACTION(ask_default_value) {
  if (b.ask.default_value) b.repeated.push_back({"default", span_of(in, b.file_id)});
  b.ask.default_value = b.take_text();
}
SINK_END;
SINK_ACTION(choices_kw) { b.once(b.ask.choices_span, "choices", span_of(in, b.file_id)); } SINK_END;
SINK_ACTION0(ask_choice) { b.choices.push_back(b.take_text()); } SINK_END;
SINK_ACTION(ask_decl) {
  b.ask.name = b.name;
  b.ask.name_span = b.name_span;
  b.ask.secret = b.secret;
  b.ask.choices = b.choices;
  b.ask.repeated = b.repeated;
  b.ask.span = span_of(in, b.file_id);
  count(b.values, b.limits.max_values, "facts and questions", in);
  b.add_item(b.ask);
}
SINK_END;

SINK_ACTION(env_name) {
  b.env_name = ast::Str(in.string_view());
  b.env_name_span = span_of(in, b.file_id);
}
SINK_END;
SINK_ACTION0(env_value) { b.env_value = b.take_text(); } SINK_END;
SINK_ACTION(env_decl) {
  b.add_item(ast::EnvSet{b.env_name, b.env_name_span, b.env_value, span_of(in, b.file_id)});
}
SINK_END;
SINK_ACTION(helper_decl) {
  b.add_item(ast::Helper{b.name, b.name_span, b.take_text(), span_of(in, b.file_id)});
}
SINK_END;

// ---- steps ----
SINK_ACTION0(step_kw) {
  b.step = ast::Step{};
  b.fields.clear();
}
SINK_END;
SINK_ACTION0(step_name) { b.step.name = b.take_text(); } SINK_END;

ast::StepField& new_field(Builder& b, ast::StepField::Kind kind, Span span, std::uint32_t kw) {
  auto& f = b.fields.emplace_back();
  f.kind = kind;
  f.span = span;
  f.keyword_length = kw;
  return f;
}
template <ast::StepField::Kind Kind>
struct TextField {
  template <typename In>
  static void apply(const In& in, Builder& b) {
    new_field(b, Kind, span_of(in, b.file_id), keyword_length(in)).text = b.take_text();
  }
};
template <> struct Action<g::f_run> : TextField<ast::StepField::Kind::Run> {};
template <> struct Action<g::f_error> : TextField<ast::StepField::Kind::Error> {};
template <> struct Action<g::f_dir> : TextField<ast::StepField::Kind::Dir> {};
SINK_ACTION0(sh_check) { b.sh_check = true; } SINK_END;
SINK_ACTION(f_skip) {
  auto& f = new_field(b, ast::StepField::Kind::SkipIfExpr, span_of(in, b.file_id), keyword_length(in));
  if (b.sh_check) {
    f.kind = ast::StepField::Kind::SkipIfSh;
    f.text = b.take_text();
  } else {
    f.expr = b.pop_expr();
  }
  b.sh_check = false;
}
SINK_END;
SINK_ACTION(f_when) {
  auto& f = new_field(b, ast::StepField::Kind::When, span_of(in, b.file_id), keyword_length(in));
  if (b.sh_check) {
    f.kind = ast::StepField::Kind::WhenSh;
    f.text = b.take_text();
  } else {
    f.expr = b.pop_expr();
  }
  b.sh_check = false;
}
SINK_END;
SINK_ACTION(f_env) {
  auto& f = new_field(b, ast::StepField::Kind::Env, span_of(in, b.file_id), keyword_length(in));
  f.name = b.env_name;
  f.name_span = b.env_name_span;
  f.text = b.env_value;
}
SINK_END;
SINK_ACTION(f_unknown) {
  new_field(b, ast::StepField::Kind::Unknown, span_of(in, b.file_id), keyword_length(in)).name =
      ast::Str(in.string_view().substr(0, keyword_length(in)));
}
SINK_END;
SINK_ACTION(step_decl) {
  b.step.fields = b.fields;
  b.step.span = span_of(in, b.file_id);
  count(b.steps, b.limits.max_steps, "steps", in);
  b.add_item(b.step);
}
SINK_END;

// ---- platform blocks ----
SINK_ACTION0(platform_kw) { b.platforms.emplace_back(); } SINK_END;
SINK_ACTION(platform_name) {
  b.platforms.back().names.push_back({ast::Str(in.string_view()), span_of(in, b.file_id)});
}
SINK_END;
SINK_ACTION(platform_block) {
  ast::PlatformBlock block{std::move(b.platforms.back().names), std::move(b.platforms.back().items),
                           span_of(in, b.file_id)};
  b.platforms.pop_back();
  b.add_item(std::move(block));
}
SINK_END;

#undef SINK_ACTION
#undef SINK_ACTION0
#undef SINK_END

LineCol line_col_at(std::string_view text, std::size_t offset) {
  LineCol lc;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++lc.line;
      line_start = i + 1;
    }
  lc.col = static_cast<std::uint32_t>(offset - line_start + 1);
  return lc;
}

Span point(std::uint32_t file, LineCol at) { return {file, at.line, at.col, at.line, at.col + 1}; }

}  // namespace

std::optional<ast::File> parse_file(const Sources& sources, std::uint32_t file_id, Diagnostics& diags,
                                    const ParseLimits& limits) {
  const SourceFile& src = sources.get(file_id);
  if (src.text.size() > limits.max_bytes) {
    diags.add(E108, point(file_id, {1, 1}),
              "file too large: more than the limit of " + std::to_string(limits.max_bytes) + " bytes",
              "a Sinkfile this large is almost certainly not one; split it into modules with `use`");
    return std::nullopt;
  }
  if (const std::size_t bad = utf8::find_invalid(src.text); bad != std::string_view::npos) {
    const bool nul = src.text[bad] == '\0';
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(src.text[bad]));
    diags.add(nul ? E107 : E106, point(file_id, line_col_at(src.text, bad)),
              nul ? "NUL byte in the file" : std::string("invalid UTF-8: byte ") + byte + " is not valid here",
              nul ? "a Sinkfile is text; is this a binary file?"
                  : "a Sinkfile must be UTF-8 text; convert it, e.g. with `iconv -t UTF-8`");
    return std::nullopt;
  }
  Builder b;
  b.file_id = file_id;
  b.limits = limits;
  pg::memory_input in(src.text.data(), src.text.size(), src.path);
  try {
    pg::parse<g::file, Action, Control>(in, b);
  } catch (const SyntaxError& e) {
    diags.add(e.code, point(file_id, e.at), e.message, e.hint);
    return std::nullopt;
  }
  return ast::File{file_id, std::move(b.top_items), std::move(b.comments)};
}

}  // namespace sink
