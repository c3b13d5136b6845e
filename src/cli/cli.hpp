// The command line: parses arguments and dispatches to a command. Everything it touches
// comes in through Host and the two streams, so it runs in-process in tests.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/host.hpp"

namespace sink {

// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a check error or a failed step
inline constexpr int kExitUsage = 2;

int run_cli(const std::vector<std::string>& argv, const Host& host, std::ostream& out, std::ostream& err);

// Flushes `out`. When what sink printed could not all be written (a full disk behind
// `> file`, a closed descriptor), reports E006 on `err`, detaches the stream from its
// buffer (what is left there can never be written; later calls report nothing more) and
// returns false.
bool flush_output(std::ostream& out, std::ostream& err);

}  // namespace sink
