// UTF-8 helpers: validation of source text and character counting for columns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sink::utf8 {

// The offset of the first byte that is not part of valid UTF-8 (or is NUL), or npos.
std::size_t find_invalid(std::string_view text);
// The length of the valid UTF-8 sequence that starts at s[i] (1 for ASCII), or 0 for
// NUL or a byte that starts no valid sequence.
std::size_t sequence_length(std::string_view s, std::size_t i);
// `s` made safe to print on a terminal or in a log: control characters (ESC, BEL, CR,
// newline, C1 controls, DEL, NUL) and bytes that are not UTF-8 become \n, \t, \xNN. The one
// place where text that came from outside (names, values, messages, a command's stderr)
// is escaped before sink prints it.
std::string printable(std::string_view s);
// A byte offset moved back to the start of the character it falls in (at most s.size()).
std::size_t char_start(std::string_view s, std::size_t i);
// The number of characters (code points) in valid UTF-8 text; invalid bytes count one each.
std::size_t count_chars(std::string_view text);
// `s` with its ASCII letters in lower case.
std::string ascii_lower(std::string_view s);

}  // namespace sink::utf8
