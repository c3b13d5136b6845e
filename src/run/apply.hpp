// `sink apply`'s step loop: each step in order, decided right before it runs, with
// progress, a failure report and a summary.
#pragma once

#include <ostream>

#include "plan/planner.hpp"

namespace sink {

struct ApplyStyle {
  bool color = false;
  // On a terminal: while a step runs longer than a few seconds, its elapsed time shows in
  // the terminal's title (saved and restored), which never mixes with the step's output.
  bool live = false;
};

// Runs the steps of `selection` (facts and answers already resolved). Returns the exit
// status: 0, 1 (a step failed) or 128 + the signal that interrupted it.
int apply_steps(const Program& program, const Selection& selection, Planner& planner, CommandRunner& runner,
                std::ostream& err, const ApplyStyle& style);

}  // namespace sink
