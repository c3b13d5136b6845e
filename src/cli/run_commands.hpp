// The commands that gather facts and run things: plan, apply, facts.
#pragma once

#include <ostream>

#include "cli/args.hpp"
#include "cli/host.hpp"
#include "diag/diagnostic.hpp"
#include "plan/inputs.hpp"
#include "plan/selection.hpp"

namespace sink {

// What plan, apply and facts share: the checked program, the machine, the values given.
struct Run {
  std::string path;
  Program program;
  Diagnostics diags;
  Machine machine;
  Inputs inputs;
};

void print_diags(Run& r, std::ostream& err, bool color);
// A usage error about a value given on the command line (with --host, its usage line).
int usage(std::ostream& err, const std::string& message, const Args& args);
// Loads and checks FILE, then reads --platform, --set, --vars and --facts; `load_selected`
// then chooses the steps of --only, --skip and --from. They return an exit status to stop
// with, or -1 to go on.
int load(const Args& args, const Host& host, std::ostream& err, bool color, Run& r);
int load_selected(const Args& args, const Host& host, std::ostream& err, bool color, Run& r, Selection& sel);

int run_plan(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
int run_apply(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
// `sink export`: the checked Sinkfile as one POSIX sh script (src/export).
int run_export(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
int run_facts(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);

}  // namespace sink
