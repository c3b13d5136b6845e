// The checker: a pass over the loaded program that reports every problem it can find
// before anything runs. It never runs a command.
#pragma once

#include "diag/diagnostic.hpp"
#include "modules/loader.hpp"

namespace sink {

void check_program(const Program& program, Diagnostics& diags);

}  // namespace sink
