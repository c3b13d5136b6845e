// Evaluating conditions (`when`, `skip if`) against resolved values, and explaining them.
#pragma once

#include <optional>
#include <string>

#include "plan/shell.hpp"
#include "syntax/ast.hpp"
#include "diag/span.hpp"

namespace sink {

// The value of an expression (a condition's: a bool), or the name it needs that has none.
struct Evaluated {
  std::optional<Value> value;  // nothing: a name it needs has no value
  std::string missing;         // that name
};

Evaluated evaluate(const ast::Expr& expr, const Lookup& lookup);
// The first name `text` interpolates that has no value; "" when each has one.
std::string missing_in(const ast::Text& text, const Lookup& lookup);

// The condition as written, with the values of the names in it:
// `node >= "20"` (node = 18.2.0). Secrets are masked.
std::string explain(const ast::Expr& expr, const Lookup& lookup, const Sources& sources);

// The source text a span covers (one line shown, longer ones cut with "...").
std::string source_text(const Sources& sources, const Span& span);

}  // namespace sink
