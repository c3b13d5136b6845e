// `sink export`: a checked program as one POSIX sh script that does what `sink apply`
// does. The runtime (detection, typed values, progress, signals) is runtime.sh, the same
// for every script; this writes only what is particular to one Sinkfile.
#pragma once

#include <map>
#include <string>

#include "plan/selection.hpp"

namespace sink {

struct ExportOptions {
  std::string path;                                         // the Sinkfile as messages name it
  std::string platform;                                     // NAME[/ARCH] (valid): fixed; "" detected at run time
  std::map<std::string, std::string, std::less<>> answers;  // questions answered now (never secrets)
  StepChoice steps;                                         // --only, --skip, --from
};

// The script for `program` (loaded and checked without errors). Returns "" and sets
// `error` when it cannot be written: a step choice that names no step, a secret among the
// answers, a `{{raw x}}` whose value is not known now.
std::string export_script(const Program& program, const ExportOptions& options, std::string& error);

// 'text', a word for the shell: nothing in it is expanded.
std::string shell_word(std::string_view s);
// The variable that answers a question when the script runs: SINK_ANSWER_GIT_NAME.
std::string answer_var(std::string_view name);

// The runtime part alone (runtime.sh, embedded at build time).
std::string_view export_runtime();

}  // namespace sink
