// What the command line gives a run besides the Sinkfile: answers (--set NAME=VALUE and a
// --vars TOML file) and pinned facts (a --facts TOML file), read and checked against the
// program. Every mistake is a Diagnostic.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/span.hpp"
#include "modules/loader.hpp"
#include "plan/machine.hpp"

namespace sink {

// The flags as given.
struct InputFlags {
  std::vector<std::string> set;  // NAME=VALUE, in order
  std::optional<std::string> vars, facts;
};

// The values they hold.
struct Inputs {
  std::map<std::string, std::string, std::less<>> set;     // --set NAME=VALUE
  std::map<std::string, std::string, std::less<>> vars;    // --vars FILE.toml
  std::map<std::string, Span, std::less<>> vars_at;        // where each stands in it
  std::map<std::string, std::string, std::less<>> pinned;  // --facts FILE.toml: facts and built-ins
  std::map<std::string, bool, std::less<>> checks;         // and its [checks]: a step's sh check succeeds
};

// Reads the flags into `inputs` and checks them: each --set is NAME=VALUE (E413), each
// answer names a question (E414; a --vars name that is none is ignored with W410, so that
// one answers file may serve many Sinkfiles) and is one of its choices (E415), each
// pinned name is a fact or built-in (E416). Pinned built-ins (os, distro, ...) go into `machine`. Returns
// false when a flag was misused in one of those ways (a usage error: exit status 2).
bool read_inputs(const Program& program, const InputFlags& flags, Sources& sources, Machine& machine,
                 Inputs& inputs, Diagnostics& diags);

// `check --ci`: a question with no default that nothing answers (E404) would stop a run
// without a terminal.
void check_answers(const Program& program, const InputFlags& flags, Sources& sources, Diagnostics& diags);

}  // namespace sink
