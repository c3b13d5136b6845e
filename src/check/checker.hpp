// The checker: a pass over the loaded program that reports every problem it can find
// before anything runs. It never runs a command.
#pragma once

#include "diag/diagnostic.hpp"
#include "modules/loader.hpp"

namespace sink {

void check_program(const Program& program, Diagnostics& diags);

// The first stage of every command that reads a Sinkfile: loads `path` and what it uses
// and, when all of it loaded, checks it.
Program load_and_check(const std::string& path, FileReader& reader, Diagnostics& diags);

}  // namespace sink
