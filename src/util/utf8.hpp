// UTF-8 helpers: validation of source text and character counting for columns.
#pragma once

#include <cstddef>
#include <string_view>

namespace sink::utf8 {

// The offset of the first byte that is not part of valid UTF-8 (or is NUL), or npos.
std::size_t find_invalid(std::string_view text);
// The number of characters (code points) in valid UTF-8 text; invalid bytes count one each.
std::size_t count_chars(std::string_view text);

}  // namespace sink::utf8
