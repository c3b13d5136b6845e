// Whether two syntax trees, or two strings of them, are the same, spans aside: what
// `sink fmt` checks before it hands back a text, and what its tests compare.
#pragma once

#include "syntax/ast.hpp"

namespace sink {

bool same_text(const ast::Text& a, const ast::Text& b);

}  // namespace sink
