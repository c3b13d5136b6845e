#include "syntax/lexicon.hpp"

#include <algorithm>

namespace sink::lex {

std::optional<Type> type_from_name(std::string_view name) {
  for (const auto& t : types)
    if (t.name == name) return t.type;
  return std::nullopt;
}

std::string_view type_name(Type t) {
  for (const auto& n : types)
    if (n.type == t) return n.name;
  return "?";
}

std::string_view op_text(CmpOp op) {
  for (const auto& o : operators)
    if (o.op == op) return o.text;
  return "?";
}

const Builtin* find_builtin(std::string_view name) {
  for (const auto& b : builtins)
    if (b.name == name) return &b;
  return nullptr;
}

const Platform* find_platform(std::string_view name) {
  for (const auto& p : platforms)
    if (p.name == name) return &p;
  return nullptr;
}

bool is_keyword(std::string_view word) {
  return std::find(keywords.begin(), keywords.end(), word) != keywords.end();
}

}  // namespace sink::lex
