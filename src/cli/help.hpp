// Help and usage text, written from the command table in args.cpp.
#pragma once

#include <ostream>
#include <string>

#include "cli/args.hpp"

namespace sink {

std::string version_text();
std::string general_help();
std::string command_help(const CommandSpec& cmd);
// A short reminder after a usage error: the command's usage line (its arguments as the
// table has them, or `synopsis`), or the general one.
std::string usage_text(const std::string& command, std::string_view synopsis = {});
// "error: MESSAGE", a blank line and usage_text; returns kExitUsage.
int usage_error(std::ostream& err, std::string_view message, const std::string& command,
                std::string_view synopsis = {});

}  // namespace sink
