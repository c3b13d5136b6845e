// Help and usage text, written from the command table in args.cpp.
#pragma once

#include <string>

#include "cli/args.hpp"

namespace sink {

std::string version_text();
std::string general_help();
std::string command_help(const CommandSpec& cmd);
// A short reminder after a usage error: the command's usage line, or the general one.
std::string usage_text(const std::string& command);

}  // namespace sink
