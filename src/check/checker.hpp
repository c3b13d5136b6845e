// The checker: a pass over the loaded program that reports every problem it can find
// before anything runs. It never runs a command.
#pragma once

#include "diag/diagnostic.hpp"
#include "modules/loader.hpp"

namespace sink {

void check_program(const Program& program, Diagnostics& diags);

// What the parser keeps only in part, reported for the checker and for `sink fmt` (which
// would lose it): an option given twice (E265), an unknown step field (E206; returns
// whether it looks like a misspelled `run`).
void check_repeats(Diagnostics& diags, const ast::List<ast::RepeatedOption>& repeated);
bool check_unknown_field(Diagnostics& diags, const ast::StepField& f);

// The names a text uses: its {{name}}s, and those its script names as $SINK_name (sink
// passes them too).
void names_in(const ast::Text& text, std::vector<std::string_view>& out);
// The names the value of a fact or question is made from (its command, variable or built
// string, a question's prompt, a default text): what the checker's cycle and secret
// checks follow, and what the planner resolves first.
std::vector<std::string_view> value_needs(const ast::Fact& f);
std::vector<std::string_view> value_needs(const ast::Ask& a);

}  // namespace sink
