// Gathering the values a run needs: built-ins, facts (commands run in parallel, each at
// most once, in dependency order) and answers (--set, --vars, then the terminal).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "plan/inputs.hpp"
#include "plan/selection.hpp"
#include "plan/shell.hpp"
#include "proc/process.hpp"

namespace sink {

struct AskRequest {
  std::string name;
  std::string question;
  std::optional<std::string> default_value;  // what an empty answer means
  bool secret = false;
  std::vector<std::string> choices;
};

// Asks questions on a terminal. Tests give a fake.
class Prompter {
 public:
  virtual ~Prompter() = default;
  // The answer, or nothing when input ended (Ctrl-D) or was interrupted.
  virtual std::optional<std::string> ask(const AskRequest& request) = 0;
};

struct Resolved {
  std::optional<Value> value;
  std::string problem;          // why there is no value, or why the default stands in
  bool invalid = false;          // the value did not parse as the fact's type (or the answer was refused): stops the run
  bool unknown = false;          // not gathered: its command would run on another machine
  bool ran = false;             // a command ran for it
  Outcome outcome;              // when it ran
  std::string source;           // "sh", "env", "value", "pinned", "--set", "--vars", "terminal", "default"
  bool done = false;            // settled (a fact's command may still be running before)
};

class Resolver {
 public:
  // `prompter` null: questions are never asked (plan, facts, no terminal). The machine has
  // the built-ins that --facts pins already (read_inputs).
  Resolver(const Selection& selection, const Machine& machine, CommandRunner& runner, const Inputs& inputs,
           Prompter* prompter, std::string base_dir);

  // Resolves every name in selection.needed. With a prompter, a question that --set and
  // --vars do not answer waits (unasked, and so do the facts built from it) until
  // ask() names it: only questions a step that will run needs are asked. Returns false
  // when interrupted.
  bool run();
  // Asks the waiting questions among `names` (in declaration order), then resolves what
  // waited for them. Returns false when interrupted.
  bool ask(const std::unordered_set<std::string_view>& names);
  bool waiting_any() const { return !waiting_.empty(); }
  // Told, about every 100 ms while fact commands run, which are running; then once with
  // none. For a progress line.
  void watch(std::function<void(const std::vector<std::string_view>&)> watcher) { watcher_ = std::move(watcher); }

  // The value of a fact, answer, built-in or env.NAME; null when it has none.
  const Value* value(std::string_view name) const;
  const Resolved* result(std::string_view name) const;
  // "needs `name`, which has no value", and why it has none.
  std::string no_value(std::string_view name) const;
  Lookup lookup() const { return [this](std::string_view n) { return value(n); }; }
  // `text` as a command: `before` and the helpers, then the script, run in `dir`; the
  // environment is the machine's, then `env`, then the variables the script refers to.
  Command command(const ast::Text& text, const Env& env, std::string dir, bool capture,
                  std::string_view before = "") const;
  // `text` with every known secret value (of 3 characters or more, longest first; not a
  // secret bool, whose text is only true or false) replaced by ••••••: for whatever sink
  // prints that came from outside, such as a command's stderr. The values of variables a
  // secret env fact reads count, whether or not that fact is needed.
  std::vector<std::string> secrets() const;
  std::string redact(std::string text) const;
  // Problems that stop a run before any step, each reported at its declaration: failed
  // required facts and values of the wrong kind (E401, E402) and unanswered questions among
  // `answers_for` (E403: what the steps that will run need). Returns whether there was any.
  bool report_blockers(const std::unordered_set<std::string_view>* answers_for, Diagnostics& diags) const;

  // What the run is made of, as given.
  const Selection& selection;
  const Machine& machine;
  CommandRunner& runner;
  const Inputs& inputs;
  const std::string base_dir;

 private:
  void settle_fact(const ast::Fact& f, Resolved& r, std::optional<std::string> text, const std::string& failure);
  void start_fact(const ast::Fact& f);
  void answer(const ast::Ask& a, bool now);

  Prompter* prompter_;
  std::unordered_map<std::string_view, Resolved> results_;  // built-ins too
  std::unordered_map<CommandRunner::Id, const ast::Fact*> running_;
  std::vector<std::string_view> pending_;  // needed names not resolved yet
  std::vector<const ast::Ask*> waiting_;   // questions left for ask()
  std::function<void(const std::vector<std::string_view>&)> watcher_ = [](const auto&) {};
  mutable std::unordered_map<std::string, Value> env_values_;  // env.NAME, read on first use
  std::unordered_set<std::string_view> secret_env_;  // variables a secret env fact reads
};

}  // namespace sink
