// Finishing parsed strings: block dedent and escape decoding.
#pragma once

#include <string>
#include <string_view>

#include "syntax/ast.hpp"

namespace sink {

// Turns a string's source between its quotes, in `t.text` with a '\0' in place of each
// interpolation, into its value: CRLF becomes LF, block strings lose their first and last
// blank lines and their common indentation, "..." strings have their escapes decoded, and
// each interpolation's `at` is set to where its '\0' was. With `escaped`, also which
// characters of the value were written as an escape (for `sink fmt`).
void finish_text(ast::Text& t, std::vector<bool>* escaped = nullptr);

// Strips the common indentation of a block string, CR LF read as LF; '\0' bytes stand for
// interpolations.
std::string dedent_block(std::string_view body);

}  // namespace sink
