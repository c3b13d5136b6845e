// A readable text form of the AST, one node a line with its span, for golden tests.
#pragma once

#include <string>

#include "syntax/ast.hpp"

namespace sink {

std::string dump_ast(const ast::File& file);

}  // namespace sink
