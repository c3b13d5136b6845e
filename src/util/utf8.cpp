#include "util/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace sink::utf8 {

std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char c = p[i];
  if (c < 0x80) return c == 0 ? 0 : 1;
  // A lead byte 110xxxxx, 1110xxxx or 11110xxx; below each length's least code point is overlong.
  const std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  constexpr unsigned kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
  if (len == 0 || i + len > s.size()) return 0;
  unsigned cp = c & (0x7F >> len);  // the lead byte's x bits
  for (std::size_t k = 1; k < len; ++k) {
    if ((p[i + k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i + k] & 0x3F);
  }
  return cp < kLeast[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : len;
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = sequence_length(s, i);
    const bool c1 = c == 0xC2 && len == 2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;  // U+0080..U+009F
    const bool shown = (len == 1 && c >= 0x20 && c != 0x7F) || (len > 1 && !c1);
    if (shown) out.append(s, i, len);
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += fmt::format("\\x{:02X}", c);
    i += shown ? len : 1;  // an escaped byte alone: the rest of a C1 character is escaped next
  }
  return out;
}

std::size_t find_invalid(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    // Most of a Sinkfile is ASCII: a byte from 1 to 127 is a character without decoding.
    const std::size_t len = c > 0 && c < 0x80 ? 1 : sequence_length(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::size_t char_start(std::string_view s, std::size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return std::min(i, s.size());
}

std::size_t count_chars(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace sink::utf8
