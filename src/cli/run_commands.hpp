// The commands that gather facts and run things: plan, apply, facts.
#pragma once

#include <ostream>

#include "cli/args.hpp"
#include "cli/host.hpp"

namespace sink {

int run_plan(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
int run_apply(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
// `sink export`: the checked Sinkfile as one POSIX sh script (src/export).
int run_export(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
int run_facts(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);

}  // namespace sink
