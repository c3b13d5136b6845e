// `sink plan|apply|facts --host DEST...`: the exported script run on each destination
// over OpenSSH, sessions in parallel, every line prefixed with its host, then a table.
#pragma once

#include <ostream>

#include "cli/args.hpp"
#include "cli/host.hpp"

namespace sink {

bool wants_hosts(const Args& args);
int run_on_hosts(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);

}  // namespace sink
