// What happens to each step, and why: the verdicts of `sink plan`, and the decisions
// `sink apply` takes right before each step.
#pragma once

#include <string>
#include <vector>

#include "plan/resolver.hpp"
#include "plan/selection.hpp"

namespace sink {

enum class Verdict {
  Run,            // would run / runs
  AlreadyDone,    // `skip if` said so
  NotApplicable,  // `when` is false
  LeftOut,        // not on this platform
  Blocked,        // needs a value that is missing
  Unknown,        // rests on a value unknown for another platform (plan --platform)
};
std::string_view verdict_name(Verdict v);  // "run", "done", "n/a", "other platform", "blocked", "unknown"

struct StepPlan {
  const SelectedStep* step = nullptr;
  Verdict verdict = Verdict::Run;
  std::string reason;  // why it is not run (or what will run it)
};

// How a step's commands run: script prefix, environment and folder.
struct StepSetup {
  std::vector<std::pair<std::string, std::string>> env;  // the step's own: scopes, then fields
  std::string dir;                                       // absolute or relative to the cwd
  std::string missing;                                   // the first name it needs that has no value
};

// Decides the steps from the values the resolver gathered; `sources` hold the conditions'
// text.
struct Planner {
  const Sources& sources;
  Resolver& resolver;

  // Decides one step, running its `when sh` and `skip if sh` checks.
  StepPlan decide(const SelectedStep& step);
  // decide(), and when the step is blocked by questions not asked yet, asks them (on the
  // terminal) and decides again.
  StepPlan decide_asking(const SelectedStep& step);
  // Whether the step is on this platform and will run (or is blocked), decided as plan does.
  bool will_run(const SelectedStep& step);
  StepSetup setup(const SelectedStep& step) const;
  // The first name a step field needs (Selection::field_needs) that has no value; "" when none.
  std::string missing(const ast::StepField& field) const;
  // The step's run (or skip check) as a command.
  Command command(const SelectedStep& step, const ast::Text& script, bool capture) const;
};

}  // namespace sink
