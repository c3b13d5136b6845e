// `sink fmt`: rewrites files in the canonical layout; `--check` shows a diff instead.
#pragma once

#include <istream>
#include <ostream>

#include "cli/args.hpp"
#include "cli/host.hpp"

namespace sink {

// `-` reads standard input (std::cin).
int run_fmt(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
// The same, with `-` read from `in`.
int run_fmt(const Args& args, const Host& host, std::istream& in, std::ostream& out, std::ostream& err, bool color);

}  // namespace sink
