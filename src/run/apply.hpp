// `sink apply`'s step loop: each step in order, decided right before it runs, with
// progress, a failure report and a summary.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <ostream>

#include "plan/planner.hpp"

namespace sink {

// Feedback while facts are gathered (Resolver::watch): on a terminal, after half a
// second, one live line naming the facts still running and the time so far, cleared when
// they are done; otherwise a plain line for each fact still running after 2 seconds.
class FactProgress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  FactProgress(std::ostream& err, bool live, Clock now)
      : err_(err), live_(live), now_(std::move(now)), start_(now_()) {}
  void operator()(const std::vector<std::string_view>& running);

 private:
  std::ostream& err_;
  bool live_;
  Clock now_;
  std::chrono::steady_clock::time_point start_;  // gathering began
  // When each was first seen; the end of time once it was told to be still running.
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> since_;
  bool drawn_ = false;
};

// Runs the steps of the planner's selection (facts and answers already resolved), with its
// runner. Returns the exit status: 0, 1 (a step failed) or 128 + the signal that interrupted it.
// `live` (on a terminal): while a step runs longer than a few seconds, its elapsed time shows
// in the terminal's title (saved and restored), which never mixes with the step's output.
int apply_steps(Planner& planner, std::ostream& err, bool color, bool live);

}  // namespace sink
