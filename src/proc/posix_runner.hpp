// CommandRunner for POSIX systems (Linux first, macOS too): posix_spawn of /bin/sh -c, one
// process group per command, captured output read with poll(), and signal handling that
// leaves no process behind after an interrupt.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "proc/process.hpp"
#include "proc/process_tree.hpp"

namespace sink {

struct PosixRunnerOptions {
  // After an interrupt, how long the commands' process groups get to end before SIGKILL.
  std::chrono::milliseconds grace{3000};
  // Captured output kept per stream; the rest is read and dropped, and the text says so.
  std::size_t capture_limit = std::size_t{16} << 20;
};

// While a PosixRunner exists it catches SIGINT, SIGTERM and SIGHUP (and SIGCHLD, to wake
// up when a command ends); the destructor puts the previous handlers back. Have one at a
// time.
//
// On SIGINT, or SIGTERM / SIGHUP (both reported as SIGTERM): interrupted() says so at
// once, the next wait_any() passes the signal on to every running command's process group,
// and after the grace period sends SIGKILL to every such group that still has a member.
// A second signal during the grace period sends SIGKILL at once. The outcome of an
// interrupted command is returned only when its group is empty or has been sent SIGKILL.
// After an interrupt, start() spawns nothing (the outcome says "interrupted").
//
// A command starts with no signal blocked and every signal at its default, except those
// that sink ignores: they stay ignored, as through exec (but SIGPIPE, SIGCHLD and SIGTTOU
// are reset to their defaults even then).
//
// Beyond the groups (process_tree.hpp): on Linux the runner makes sink a child subreaper.
// An interrupt also signals every process below sink but those kept; when a captured
// command or a failed step has ended and nothing else runs, what is left below sink (but
// kept) gets SIGTERM, then SIGKILL after the grace period. When a step (capture = false)
// succeeds, what runs below sink is kept: a daemon it started on purpose. SIGPIPE is
// ignored from the first runner on (a closed stderr must not kill sink mid-run).
//
// Destroying the runner while commands still run stops them the same way (SIGTERM to
// their groups, SIGKILL after the grace period) and reaps them: it may block that long.
//
// A command with capture = false gets the terminal (its process group becomes the
// terminal's foreground group) when stdin is a terminal and sink is in the foreground;
// sink takes it back when the command ends. If such a command dies of SIGINT or exits
// with 130 (Ctrl-C went to its group, not to sink), that counts as an interrupt (SIGINT).
class PosixRunner final : public CommandRunner {
 public:
  using Options = PosixRunnerOptions;

  explicit PosixRunner(Options options = {});
  ~PosixRunner() override;
  PosixRunner(const PosixRunner&) = delete;
  PosixRunner& operator=(const PosixRunner&) = delete;

  Id start(const Command& command) override;
  std::optional<std::pair<Id, Outcome>> wait_any_for(std::chrono::milliseconds timeout) override;
  int interrupted() const override;

 private:
  struct Proc;

  // Const, and their state mutable: interrupted() passes a signal that has just arrived on
  // to the running commands before it reports it, as the interface promises.
  void interrupt(int sig) const;
  void sweep();
  void reap();
  void reaped(Proc& proc, int status);
  void read_stream(Proc& proc, bool err, bool drain);
  void stop(Proc& proc, int sig, std::chrono::steady_clock::time_point deadline) const;

  Options options_;
  Id next_id_ = 1;
  std::vector<std::unique_ptr<Proc>> procs_;      // started, outcome not yet returned
  std::deque<std::pair<Id, Outcome>> ready_;      // finished, waiting for wait_any
  mutable int interrupted_ = 0;                   // what interrupted() reports, once passed on
  mutable long signals_seen_ = 0;                 // signals handled so far (escalation)
  std::set<process_tree::Process> kept_;  // left running on purpose by steps that succeeded
  mutable bool sweep_pending_ = false;  // a command ended that may have left processes behind
};

}  // namespace sink
