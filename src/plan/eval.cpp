#include "plan/eval.hpp"

#include <algorithm>
#include <compare>
#include <vector>

#include "plan/selection.hpp"
#include "util/version.hpp"

namespace sink {
namespace {

// Whether `a op b` holds, given a <=> b.
bool holds(lex::CmpOp op, std::strong_ordering c) {
  switch (op) {
    case lex::CmpOp::Eq: return c == 0;
    case lex::CmpOp::Ne: return c != 0;
    case lex::CmpOp::Lt: return c < 0;
    case lex::CmpOp::Le: return c <= 0;
    case lex::CmpOp::Gt: return c > 0;
    case lex::CmpOp::Ge: return c >= 0;
  }
  return false;
}

bool compare(lex::CmpOp op, const Value& l, const Value& r) {
  using lex::Type;
  const bool versions = l.type == Type::Version || r.type == Type::Version;
  if (!versions && l.type != Type::Int && r.type != Type::Int)
    return holds(op, l.text <=> r.text);  // strings, and bools by their text, true or false
  // A literal takes the type of the named side: "20" compares as a version with node.
  std::string why;
  const auto a = parse_value(Type::Int, l.text, why), b = parse_value(Type::Int, r.text, why);
  if (versions) {
    // A negative whole number is below every version (parse_version would read -5 as 5). A
    // version's own text is never negative, so at most one side is.
    const bool nl = a && a->integer < 0, nr = b && b->integer < 0;
    if (nl || nr) return holds(op, nl ? std::strong_ordering::less : std::strong_ordering::greater);
    const auto va = parse_version(l.text), vb = parse_version(r.text);
    if (!va || !vb) return op == lex::CmpOp::Ne;
    return holds(op, sink::compare(*va, *vb) <=> 0);
  }
  if (!a || !b) return op == lex::CmpOp::Ne;
  return holds(op, a->integer <=> b->integer);
}

}  // namespace

std::string missing_in(const ast::Text& text, const Lookup& lookup) {
  for (const auto& in : text.interps)
    if (!lookup(in.name)) return in.name;
  return "";
}

Evaluated evaluate(const ast::Expr& e, const Lookup& lookup) {
  switch (e.kind) {
    case ast::Expr::Kind::Name:
      if (const Value* v = lookup(e.name)) return {*v, ""};
      return {std::nullopt, e.name};
    case ast::Expr::Kind::String:
      if (std::string m = missing_in(*e.str, lookup); !m.empty()) return {std::nullopt, std::move(m)};
      return {Value::of_string(to_plain(*e.str, lookup)), ""};
    case ast::Expr::Kind::Int: return {Value::of_int(e.int_value), ""};
    case ast::Expr::Kind::Bool: return {Value::of_bool(e.bool_value), ""};
    case ast::Expr::Kind::Not: {
      Evaluated t = evaluate(*e.lhs, lookup);
      if (t.value) t.value = Value::of_bool(!t.value->boolean);
      return t;
    }
    case ast::Expr::Kind::And:
    case ast::Expr::Kind::Or: {  // the checker made both sides bools
      const bool is_and = e.kind == ast::Expr::Kind::And;
      const Evaluated l = evaluate(*e.lhs, lookup);
      if (l.value && l.value->boolean != is_and) return l;  // false and ..., true or ...
      const Evaluated r = evaluate(*e.rhs, lookup);
      if (!l.value) return r.value && r.value->boolean != is_and ? r : l;
      return r;
    }
    case ast::Expr::Kind::Compare: {
      const Evaluated l = evaluate(*e.lhs, lookup), r = evaluate(*e.rhs, lookup);
      if (!l.value || !r.value) return {std::nullopt, l.value ? r.missing : l.missing};
      return {Value::of_bool(compare(e.op, *l.value, *r.value)), ""};
    }
  }
  return {};
}

std::string source_text(const Sources& sources, const Span& span) {
  if (!span.valid() || span.file >= sources.size()) return "";
  std::string_view text = sources.get(span.file).text;
  for (std::uint32_t line = 1; line < span.line; ++line) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) return "";
    text.remove_prefix(nl + 1);
  }
  text = text.substr(0, text.find('\n'));
  const std::size_t from = std::min<std::size_t>(span.col - 1, text.size());
  const std::size_t to =
      span.end_line == span.line ? std::clamp<std::size_t>(span.end_col - 1, from, text.size()) : text.size();
  std::string out(text.substr(from, to - from));
  if (!out.empty() && out.back() == '\r') out.pop_back();
  if (span.end_line != span.line) out += " ...";
  return out;
}

std::string explain(const ast::Expr& expr, const Lookup& lookup, const Sources& sources) {
  std::string out = "`" + source_text(sources, expr.span) + "`";
  std::vector<std::string_view> names;
  names_in(expr, names);
  std::string values;
  for (auto n = names.begin(); n != names.end(); ++n) {
    if (std::find(names.begin(), n, *n) != n) continue;  // shown already
    const Value* v = lookup(*n);
    values += (values.empty() ? "" : ", ") + std::string(*n) + " = " + (v ? v->shown() : std::string("(no value)"));
  }
  if (!values.empty()) out += " (" + values + ")";
  return out;
}

}  // namespace sink
