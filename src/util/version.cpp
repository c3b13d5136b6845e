#include "util/version.hpp"

#include <cctype>

namespace sink {

std::string Version::str() const {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + std::to_string(parts[i]);
  return out;
}

std::optional<Version> parse_version(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == text.size()) return std::nullopt;
  Version v;
  while (true) {
    std::uint64_t n = 0;
    std::size_t digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits > 18) return std::nullopt;  // no silent cut: 10^19 does not fit
    v.parts.push_back(n);
    if (i + 1 < text.size() && text[i] == '.' && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      ++i;
      continue;
    }
    break;
  }
  return v;
}

int compare(const Version& a, const Version& b) {
  const std::size_t n = std::max(a.parts.size(), b.parts.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = i < a.parts.size() ? a.parts[i] : 0;
    const std::uint64_t y = i < b.parts.size() ? b.parts[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

}  // namespace sink
