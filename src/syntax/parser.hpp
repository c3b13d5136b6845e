// Source text -> AST. A syntax error stops the parse and becomes one Diagnostic.
#pragma once

#include <cstddef>
#include <optional>

#include "diag/diagnostic.hpp"
#include "diag/span.hpp"
#include "syntax/ast.hpp"
#include "util/files.hpp"

namespace sink {

struct ParseLimits {
  std::size_t max_bytes = kMaxFileBytes;  // 64 MiB: readers stop one byte after it
  int max_nesting = 100;  // parentheses, `not`s and platform blocks inside one another
  int max_expr_depth = 1000;  // operators inside one another in a condition (a chain of `and`s counts each)
  std::size_t max_steps = 100'000;   // steps in one file
  std::size_t max_values = 100'000;  // facts and questions in one file, counted together
};

// Parses sources.get(file_id). On a syntax error, adds it to `diags` and returns nothing.
std::optional<ast::File> parse_file(const Sources& sources, std::uint32_t file_id, Diagnostics& diags,
                                    const ParseLimits& limits = {});

}  // namespace sink
