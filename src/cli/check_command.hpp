// `sink check`: load, check, report.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "cli/args.hpp"
#include "cli/host.hpp"
#include "diag/diagnostic.hpp"
#include "plan/inputs.hpp"

namespace sink {

// `Sinkfile` in the working folder or its nearest parent, as a path to show the user.
std::optional<std::string> find_sinkfile(const Host& host);
// The error (E003) when there is none; `command` is the one to pass a path to.
Diagnostic no_sinkfile_error(const Host& host, const std::string& command);

// --set, --vars and --facts as given.
InputFlags input_flags(const Args& args);

int run_check(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);

}  // namespace sink
