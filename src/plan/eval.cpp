#include "plan/eval.hpp"

#include <algorithm>
#include <vector>

#include "plan/selection.hpp"

namespace sink {
namespace {

struct Operand {
  std::optional<Value> value;
  bool literal = false;
  std::string missing;
};

Operand operand(const ast::Expr& e, const Lookup& lookup) {
  switch (e.kind) {
    case ast::Expr::Kind::Name: {
      if (const Value* v = lookup(e.name)) return {*v, false, ""};
      return {std::nullopt, false, e.name};
    }
    case ast::Expr::Kind::String: {
      for (const auto& in : e.str->interps)
        if (!lookup(in.name)) return {std::nullopt, true, in.name};
      return {Value::of_string(to_plain(*e.str, lookup)), true, ""};
    }
    case ast::Expr::Kind::Int: return {Value::of_int(e.int_value), true, ""};
    case ast::Expr::Kind::Bool: return {Value::of_bool(e.bool_value), true, ""};
    default: {
      const Truth t = evaluate(e, lookup);
      if (!t.value) return {std::nullopt, false, t.missing};
      return {Value::of_bool(*t.value), false, ""};
    }
  }
}

template <typename T>
bool apply(lex::CmpOp op, const T& a, const T& b) {
  switch (op) {
    case lex::CmpOp::Eq: return a == b;
    case lex::CmpOp::Ne: return !(a == b);
    case lex::CmpOp::Lt: return a < b;
    case lex::CmpOp::Le: return !(b < a);
    case lex::CmpOp::Gt: return b < a;
    case lex::CmpOp::Ge: return !(a < b);
  }
  return false;
}

bool compare(lex::CmpOp op, const Value& l, const Value& r) {
  using lex::Type;
  // A literal takes the type of the named side: "20" compares as a version with node.
  const Type t = l.type == Type::Version || r.type == Type::Version ? Type::Version
                 : l.type == Type::Int || r.type == Type::Int     ? Type::Int
                 : l.type == Type::Bool || r.type == Type::Bool   ? Type::Bool
                                                                  : Type::String;
  std::string why;
  if (t == Type::Version) {
    // A negative whole number is below every version (parse_version would read -5 as 5).
    const auto negative = [&](const Value& v) {
      const auto i = parse_value(Type::Int, v.text, why);
      return i && i->integer < 0;
    };
    const bool nl = negative(l), nr = negative(r);
    if (nl && nr) return apply(op, parse_value(Type::Int, l.text, why)->integer, parse_value(Type::Int, r.text, why)->integer);
    if (nl || nr) return apply(op, nl ? -1 : 1, 0);
    const auto a = parse_version(l.text), b = parse_version(r.text);
    if (!a || !b) return op == lex::CmpOp::Ne;
    const int c = sink::compare(*a, *b);
    return apply(op, c, 0);
  }
  if (t == Type::Int) {
    const auto a = parse_value(Type::Int, l.text, why), b = parse_value(Type::Int, r.text, why);
    if (!a || !b) return op == lex::CmpOp::Ne;
    return apply(op, a->integer, b->integer);
  }
  if (t == Type::Bool) return apply(op, l.text, r.text);
  return apply(op, l.text, r.text);
}

}  // namespace

Truth evaluate(const ast::Expr& e, const Lookup& lookup) {
  switch (e.kind) {
    case ast::Expr::Kind::Not: {
      Truth t = evaluate(*e.lhs, lookup);
      if (t.value) t.value = !*t.value;
      return t;
    }
    case ast::Expr::Kind::And:
    case ast::Expr::Kind::Or: {
      const bool is_and = e.kind == ast::Expr::Kind::And;
      const Truth l = evaluate(*e.lhs, lookup);
      if (l.value && *l.value != is_and) return l;  // false and ..., true or ...
      const Truth r = evaluate(*e.rhs, lookup);
      if (!l.value) return r.value && *r.value != is_and ? r : l;
      return r;
    }
    case ast::Expr::Kind::Compare: {
      const Operand l = operand(*e.lhs, lookup), r = operand(*e.rhs, lookup);
      if (!l.value) return {std::nullopt, l.missing};
      if (!r.value) return {std::nullopt, r.missing};
      return {compare(e.op, *l.value, *r.value), ""};
    }
    default: {
      const Operand o = operand(e, lookup);
      if (!o.value) return {std::nullopt, o.missing};
      return {o.value->boolean, ""};
    }
  }
}

std::string source_text(const Sources& sources, const Span& span) {
  if (!span.valid() || span.file >= sources.size()) return "";
  const std::string& text = sources.get(span.file).text;
  std::size_t line_start = 0;
  for (std::uint32_t line = 1; line < span.line && line_start < text.size(); ++line) {
    const auto nl = text.find('\n', line_start);
    if (nl == std::string::npos) return "";
    line_start = nl + 1;
  }
  std::size_t from = line_start + span.col - 1;
  std::size_t line_end = text.find('\n', line_start);
  if (line_end == std::string::npos) line_end = text.size();
  std::size_t to = span.end_line == span.line ? line_start + span.end_col - 1 : line_end;
  from = std::min(from, text.size());
  to = std::clamp(to, from, text.size());
  std::string out = text.substr(from, to - from);
  if (!out.empty() && out.back() == '\r') out.pop_back();
  if (span.end_line != span.line) out += " ...";
  return out;
}

std::string explain(const ast::Expr& expr, const Lookup& lookup, const Sources& sources) {
  std::string out = "`" + source_text(sources, expr.span) + "`";
  std::vector<std::string_view> names;
  names_in(expr, names);
  std::vector<std::string_view> shown;
  std::string values;
  for (const auto n : names) {
    if (std::find(shown.begin(), shown.end(), n) != shown.end()) continue;
    shown.push_back(n);
    const Value* v = lookup(n);
    values += (values.empty() ? "" : ", ") + std::string(n) + " = " + (v ? v->shown() : std::string("(no value)"));
  }
  if (!values.empty()) out += " (" + values + ")";
  return out;
}

}  // namespace sink
