#include "syntax/lexicon.hpp"

#include <algorithm>
#include <string>

#include "util/suggest.hpp"
#include "util/utf8.hpp"

namespace sink::lex {
namespace {

// The entry of `table` whose `field` is `key`, or null.
template <typename Table, typename Key, typename Field>
const auto* find_in(const Table& table, const Key& key, Field field) {
  const auto it = std::ranges::find(table, key, field);
  return it == table.end() ? nullptr : &*it;
}

}  // namespace

std::optional<Type> type_from_name(std::string_view name) {
  if (const auto* t = find_in(types, name, &TypeName::name)) return t->type;
  return std::nullopt;
}

std::string_view type_name(Type t) { return find_in(types, t, &TypeName::type)->name; }

const Builtin* find_builtin(std::string_view name) { return find_in(builtins, name, &Builtin::name); }

const Platform* find_platform(std::string_view name) { return find_in(platforms, name, &Platform::name); }

std::optional<std::string_view> platform_meant(std::string_view name) {
  if (const auto* a = find_in(platform_aliases, utf8::ascii_lower(name), &PlatformAlias::alias)) return a->name;
  if (const auto near = suggest(name, platforms, &Platform::name)) return find_platform(*near)->name;
  return std::nullopt;
}

std::string platform_list(bool os_only) {
  std::string out;
  for (const auto& p : platforms)
    if (p.is_os || !os_only) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out;
}

bool is_keyword(std::string_view word) { return std::ranges::find(keywords, word) != keywords.end(); }

std::string_view leading_word(std::string_view s) {
  return s.substr(0, static_cast<std::size_t>(std::ranges::find_if_not(s, is_word_char) - s.begin()));
}

}  // namespace sink::lex
