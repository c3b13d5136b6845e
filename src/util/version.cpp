#include "util/version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace sink {

std::string Version::str() const { return fmt::format("{}", fmt::join(parts, ".")); }

std::optional<Version> parse_version(std::string_view text) {
  constexpr std::string_view digits = "0123456789";
  std::size_t i = text.find_first_of(digits);
  if (i == std::string_view::npos) return std::nullopt;
  Version v;
  while (true) {
    const std::size_t end = std::min(text.find_first_not_of(digits, i), text.size());
    if (end - i > 18) return std::nullopt;  // no silent cut: 10^19 does not fit
    std::from_chars(text.data() + i, text.data() + end, v.parts.emplace_back());
    // Another part when a dot and a digit follow.
    if (end + 1 >= text.size() || text[end] != '.' || digits.find(text[end + 1]) == std::string_view::npos) break;
    i = end + 1;
  }
  return v;
}

std::strong_ordering compare(Version a, Version b) {
  a.parts.resize(std::max(a.parts.size(), b.parts.size()));
  b.parts.resize(a.parts.size());
  return a.parts <=> b.parts;
}

}  // namespace sink
