// "Did you mean ...?": the closest candidate by edit distance, if it is close enough.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sink {

// Levenshtein distance (insert, delete, substitute; an adjacent swap counts one).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if within about a third of its length.
std::optional<std::string> suggest(std::string_view word, const std::vector<std::string_view>& candidates);
// The same over any list: of strings, or of records whose `proj` is the name
// (suggest(name, lex::types, &lex::TypeName::name)).
template <typename List, typename Proj = std::identity>
std::optional<std::string> suggest(std::string_view word, const List& candidates, Proj proj = {}) {
  std::vector<std::string_view> names;
  for (const auto& c : candidates) names.emplace_back(std::invoke(proj, c));
  return suggest(word, names);
}

}  // namespace sink
