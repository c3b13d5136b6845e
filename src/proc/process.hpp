// Running shell commands: the one place where sink spawns processes. The planner and
// runner talk to CommandRunner; tests give them a fake.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sink {

struct Command {
  std::string script;  // run as /bin/sh -c SCRIPT; may be many lines
  // The complete environment of the process (NAME, value). Values that sink interpolates
  // travel here, never in the argument list.
  std::vector<std::pair<std::string, std::string>> env;
  std::string dir;           // working folder; empty: sink's own
  bool capture = true;       // true: stdout and stderr are captured (facts, checks), stdin is
                             // /dev/null. false: the process shares sink's stdin, stdout and
                             // stderr (steps: output streams live, sudo can ask)
  // With capture and `input`: stdin is a socket that gets it, then stays open until the
  // command ends (an ssh session's remote side sees end-of-file only when the session is over).
  std::string input{};
  // With capture: the output as it arrives (true: stderr), instead of in Outcome.
  std::function<void(bool, std::string_view)> on_output{};
  // Without capture: values (non-empty, longest first) masked in the command's output,
  // which then passes through sink: a terminal of its own when sink's stdout is a terminal
  // (its stdin and controlling terminal stay sink's), else a pipe each for stdout and stderr.
  std::vector<std::string> secrets{};
};

struct Outcome {
  bool started = false;      // false: could not be spawned (see error)
  std::string error;         // why it could not be spawned
  int exit_code = -1;        // 0..255 when it exited
  int signal = 0;            // the signal that killed it, if one did
  std::string out, err;      // captured output (capture = true only)
  std::chrono::steady_clock::time_point started_at, ended_at;
  bool ok() const { return started && signal == 0 && exit_code == 0; }
};

class CommandRunner {
 public:
  using Id = std::uint64_t;
  virtual ~CommandRunner() = default;

  // Starts a command and returns at once. Each command runs in its own process group.
  virtual Id start(const Command& command) = 0;
  // Waits until one started command has finished (or sink was interrupted) and returns
  // it, or nothing once `timeout` has passed with no outcome (for a live display while a
  // step runs; a runner that cannot time out may simply wait). Only called while a started
  // command's outcome has not been returned yet (a command that could not start comes back
  // through here too, with started = false).
  virtual std::optional<std::pair<Id, Outcome>> wait_any_for(std::chrono::milliseconds timeout) = 0;
  // wait_any_for without a timeout.
  std::pair<Id, Outcome> wait_any() {
    while (true)
      if (auto done = wait_any_for(std::chrono::hours(24))) return std::move(*done);
  }
  // Starts a command and waits for it. Only while no other command runs: the outcomes of
  // others would be lost.
  Outcome run(const Command& command) {
    const Id id = start(command);
    while (true) {
      auto [done, outcome] = wait_any();
      if (done == id) return outcome;
    }
  }
  // 0, or SIGINT / SIGTERM once sink has been asked to stop. When that happens the runner
  // has already passed the signal on to every running command's process group and, after a
  // grace period, killed what was left (SIGKILL); the commands' outcomes say so.
  virtual int interrupted() const = 0;
};

}  // namespace sink
