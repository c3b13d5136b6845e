#include "syntax/lexicon.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "util/suggest.hpp"

namespace sink::lex {
namespace {

// Equality with the length and first byte compared inline first: most words checked
// against these tables are not in them, and differ right there.
bool same_word(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a == b));
}

}  // namespace

std::optional<Type> type_from_name(std::string_view name) {
  for (const auto& t : types)
    if (same_word(t.name, name)) return t.type;
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
    if (same_word(b.name, name)) return &b;
  return nullptr;
}

const Platform* find_platform(std::string_view name) {
  for (const auto& p : platforms)
    if (same_word(p.name, name)) return &p;
  return nullptr;
}

std::optional<std::string_view> platform_meant(std::string_view name) {
  std::string low(name);
  for (auto& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& a : platform_aliases)
    if (a.alias == low) return a.name;
  std::vector<std::string> names;
  for (const auto& p : platforms) names.emplace_back(p.name);
  if (const auto near = suggest(name, names)) return find_platform(*near)->name;
  return std::nullopt;
}

std::string platform_list(bool os_only) {
  std::string out;
  for (const auto& p : platforms)
    if (p.is_os || !os_only) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out;
}

bool is_keyword(std::string_view word) {
  return std::find(keywords.begin(), keywords.end(), word) != keywords.end();
}

}  // namespace sink::lex
