// Finishing parsed strings: block dedent and escape decoding.
#pragma once

#include <string>
#include <string_view>

#include "syntax/ast.hpp"

namespace sink {

// Turns the raw pieces collected by the parser into the string's value: CRLF becomes LF,
// block strings lose their first and last blank lines and their common indentation,
// and "..." strings have their escapes decoded. `t.text` holds the pieces between the
// interpolations, which stand at their `at` offsets (kept right through the changes).
void finish_text(ast::Text& t);

// Strips the common indentation of a block string; '\0' bytes stand for interpolations.
std::string dedent_block(std::string_view body);

}  // namespace sink
