#include "util/suggest.hpp"

#include <algorithm>

#include "util/utf8.hpp"

namespace sink {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance over three rows.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::optional<std::string> suggest(std::string_view word, const std::vector<std::string_view>& candidates) {
  if (word.empty() || word.size() > 64) return std::nullopt;
  const std::string w = utf8::ascii_lower(word);
  const std::string_view* best = nullptr;
  std::size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    if (c == word || c.size() > 64) continue;
    if (const std::size_t d = edit_distance(w, utf8::ascii_lower(c)); d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  // Close enough: within about a third of the longer word, and not all of `word` replaced.
  if (!best || best_distance > std::max<std::size_t>(1, std::max(word.size(), best->size()) / 3) ||
      best_distance >= word.size())
    return std::nullopt;
  return std::string(*best);
}

}  // namespace sink
