#include "proc/posix_runner.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <iterator>
#include <system_error>

#include "proc/spawn.hpp"
#include "util/mask.hpp"

namespace sink {
namespace {

using namespace spawning;

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The signals that stop sink (and its commands with it), then SIGCHLD (a command ended).
// SIGHUP counts as SIGTERM.
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};

// The runner's (one at a time): its self-pipe, written to by the signal handler, what was
// caught, and the handlers it replaced.
int g_wake_read = -1;
volatile std::sig_atomic_t g_wake_fd = -1;
volatile std::sig_atomic_t g_caught = 0;  // first SIGINT or SIGTERM (SIGHUP counts as SIGTERM)
volatile std::sig_atomic_t g_count = 0;   // how many of those arrived
struct sigaction g_previous[std::size(kSignals)];

void on_signal(int sig) {
  const int saved = errno;
  if (sig != SIGCHLD) {
    if (g_caught == 0) g_caught = sig == SIGINT ? SIGINT : SIGTERM;
    g_count = g_count + 1;
  }
  const char byte = static_cast<char>(sig);
  if (write(g_wake_fd, &byte, 1) < 0) {
    // full pipe: the reader wakes up anyway
  }
  errno = saved;
}

// Writes a filtered command's output to sink's stdout or stderr; false if that is gone.
bool show(bool err, std::string_view text) {
  const int fd = err ? STDERR_FILENO : STDOUT_FILENO;
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n >= 0) {
      text.remove_prefix(static_cast<std::size_t>(n));
    } else if (errno == EAGAIN) {
      pollfd ready{fd, POLLOUT, 0};
      poll(&ready, 1, -1);
    } else if (errno != EINTR) {
      return false;
    }
  }
  return true;
}

}  // namespace

struct PosixRunner::Proc : Child {
  Id id = 0;
  Command command;  // as started, but its input: what is still to be written to in_fd
  bool terminal = false;  // its group was given the terminal, sink takes it back at the end
  std::vector<SecretMask> masks;  // stdout, stderr: the output passes through sink, masked
  std::size_t dropped[2] = {0, 0};  // stdout, stderr: captured output beyond the limit
  bool exited = false;   // reaped
  bool cleanup = false;  // stopped: its group must be empty, or get SIGKILL, before it is done
  Clock::time_point deadline;
  Outcome outcome;
};

PosixRunner::PosixRunner(Options options) : options_(options) {
  int fds[2];
  if (!make_pair(fds)) throw std::system_error(errno, std::generic_category(), "pipe");
  for (const int fd : fds) set_nonblocking(fd);
  // Set before the handler is: a signal until then is handled as it was before the runner.
  g_wake_read = fds[0];
  g_wake_fd = fds[1];
  g_caught = 0;
  g_count = 0;

  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (const int sig : kSignals) sigaddset(&action.sa_mask, sig);
  action.sa_flags = SA_RESTART;
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    sigaction(kSignals[i], nullptr, &g_previous[i]);
    // A stop signal that was ignored when sink started (nohup, `sink apply &` in a script)
    // stays ignored, for sink and for its commands.
    if (kSignals[i] == SIGCHLD || g_previous[i].sa_handler != SIG_IGN) sigaction(kSignals[i], &action, nullptr);
  }
  // A closed stderr while sink writes a prompt is a failed write (EPIPE), not sink's death
  // with its commands left running. It stays ignored after the runner, whose last messages
  // come later (a reader that went away ends sink with exit 1, quietly). Commands get
  // SIGPIPE at its default again.
  signal(SIGPIPE, SIG_IGN);
  // What the commands leave running stays below sink (process_tree.hpp).
#if defined(__linux__)
  prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
}

// Commands still running when the runner goes were abandoned by the caller: stop them as
// an interrupt (SIGTERM) does and reap them, so that nothing is left behind.
PosixRunner::~PosixRunner() {
  interrupt(SIGTERM);
  while (!procs_.empty()) wait_any();
  sweep();
  for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
  const int write_fd = g_wake_fd;
  g_wake_fd = -1;
  close(write_fd);
  close_fd(g_wake_read);
}

// A signal that has just arrived is passed on to the running commands before it is reported.
int PosixRunner::interrupted() const {
  const int caught = g_caught;
  const long count = g_count;
  if (caught != 0 && count > signals_seen_) {
    signals_seen_ = count;
    if (interrupted_ == 0) {
      interrupt(caught);
    } else {  // asked again while the commands are given their grace period: no more waiting
      for (auto& p : procs_)
        if (p->cleanup) p->deadline = Clock::now();
    }
  }
  return interrupted_;
}

// Stops what commands left running below sink, whatever its group or session, but not what
// a step that succeeded left on purpose (kept_): SIGTERM, then SIGKILL after the grace
// period, or at once on another signal.
void PosixRunner::sweep() {
  sweep_pending_ = false;
  auto left = process_tree::below_sink(kept_);
  for (const auto& process : left) {
    kill(process.first, SIGTERM);
    kill(process.first, SIGCONT);  // a stopped process ends only once continued
  }
  const auto deadline = Clock::now() + options_.grace;
  const long count = g_count;
  while (!left.empty() && Clock::now() < deadline && g_count == count) {
    poll(nullptr, 0, 20);
    reap();
    left = process_tree::below_sink(kept_);
  }
  for (const auto& process : left) kill(process.first, SIGKILL);
  if (!left.empty()) poll(nullptr, 0, 20);
  reap();
}

// Reaps every child that ended: sink's commands, and the processes that became sink's
// children when their parents ended (it is their subreaper). A command holding the terminal
// that was stopped (Ctrl-Z) is seen too.
void PosixRunner::reap() {
  int status = 0;
  for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG | WUNTRACED)) > 0;)
    for (auto& p : procs_)
      if (p->pid == pid && !p->exited) reaped(*p, status);
}

CommandRunner::Id PosixRunner::start(const Command& command) {
  auto proc = std::make_unique<Proc>();
  proc->id = next_id_++;
  // One command at a time holds the terminal.
  proc->terminal = !command.capture && sink_has_terminal() &&
                   std::none_of(procs_.begin(), procs_.end(), [](const auto& p) { return p->terminal; });
  Outcome& outcome = proc->outcome;
  outcome.started_at = Clock::now();
  outcome.error = interrupted() != 0 ? "not started: sink was interrupted" : spawn_sh(command, proc->terminal, *proc);
  outcome.started = outcome.error.empty();
  if (!outcome.started) {
    outcome.ended_at = Clock::now();
    ready_.emplace_back(proc->id, std::move(outcome));
    return proc->id;
  }
  proc->command = command;
  if (!command.capture && !command.secrets.empty()) proc->masks.assign(2, SecretMask(command.secrets));
  return procs_.emplace_back(std::move(proc))->id;
}

void PosixRunner::interrupt(int sig) const {
  if (interrupted_ == 0) interrupted_ = sig;
  const auto deadline = Clock::now() + options_.grace;
  for (auto& p : procs_)
    if (!p->cleanup && !p->exited) stop(*p, sig, deadline);
  // What the commands started in groups and sessions of their own (GNU timeout, set -m,
  // setsid): the sweep after the commands end waits for these and kills what is left.
  for (const auto& process : process_tree::below_sink(kept_)) kill(process.first, sig);
  sweep_pending_ = true;
}

// Reads what a stream has; `drain`: the command has ended, read the rest and close it.
void PosixRunner::read_stream(Proc& proc, bool err, bool drain) {
  int& fd = err ? proc.err_fd : proc.out_fd;
  std::string& text = err ? proc.outcome.err : proc.outcome.out;
  char buffer[64 * 1024];
  // Bounded, so that one busy stream cannot starve the others (or, when draining after
  // the command ended, a background process that keeps writing cannot hold sink).
  const std::size_t budget = drain ? options_.capture_limit + (std::size_t{64} << 20) : std::size_t{1} << 20;
  std::size_t taken = 0;
  while (fd >= 0 && taken < budget) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      const auto size = static_cast<std::size_t>(n);
      taken += size;
      if (!proc.masks.empty()) {
        // Where sink's own output is gone, the command's next write fails, as it would have.
        if (!show(err, proc.masks[err].feed({buffer, size}))) close_fd(fd);
        continue;
      }
      if (proc.command.on_output) {
        proc.command.on_output(err, std::string_view(buffer, size));
        continue;
      }
      const std::size_t keep = std::min(options_.capture_limit - text.size(), size);
      text.append(buffer, keep);
      proc.dropped[err] += size - keep;
    } else if (n < 0 && errno == EAGAIN) {
      break;
    } else if (n == 0 || errno != EINTR) {
      close_fd(fd);
    }
  }
  if (!drain) return;
  close_fd(fd);
  if (!proc.masks.empty()) show(err, proc.masks[err].flush());
  if (proc.dropped[err] == 0) return;
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += "[sink: output truncated: kept the first " + std::to_string(options_.capture_limit) + " bytes, dropped " +
          std::to_string(proc.dropped[err]) + " more]\n";
}

void PosixRunner::reaped(Proc& proc, int status) {
  if (WIFSTOPPED(status)) {
    if (!proc.terminal || WSTOPSIG(status) != SIGTSTP) return;
    // The command holding the terminal was stopped (Ctrl-Z): stop sink too, as a shell's job
    // would be, and when sink is continued give the command the terminal again and continue it.
    set_foreground(getpgrp());
    raise(SIGTSTP);  // discarded by the kernel if sink's group is orphaned: then go on at once
    if (sink_has_terminal()) {
      set_foreground(proc.pid);
    } else {
      proc.terminal = false;  // continued in the background: the terminal is not ours to give
    }
    killpg(proc.pid, SIGCONT);
    return;
  }
  Outcome& outcome = proc.outcome;
  proc.exited = true;
  outcome.ended_at = Clock::now();
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  // Whatever the command wrote is in the pipes now; a background process that kept them
  // open does not hold sink.
  close_fd(proc.in_fd);
  for (const bool err : {false, true}) read_stream(proc, err, true);
  if (proc.terminal) {
    proc.terminal = false;
    set_foreground(getpgrp());
    // Ctrl-C went to the command's group, not to sink: it is sink's interrupt all the same.
    if (outcome.signal == SIGINT || outcome.exit_code == 130) {
      interrupt(SIGINT);
      if (!proc.cleanup) stop(proc, SIGTERM, Clock::now() + options_.grace);
    }
  }
}

// Signals the command's group; what is left of it gets SIGKILL at `deadline`.
void PosixRunner::stop(Proc& proc, int sig, Clock::time_point deadline) const {
  killpg(proc.pid, sig);
  proc.cleanup = true;
  proc.deadline = deadline;
}

std::optional<std::pair<CommandRunner::Id, Outcome>> PosixRunner::wait_any_for(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::vector<pollfd> fds;
  while (true) {
    interrupted();  // handles a signal that arrived
    reap();
    const auto now = Clock::now();
    std::erase_if(procs_, [&](const std::unique_ptr<Proc>& p) {
      // A stopped group whose time is up gets SIGKILL; the command is done once reaped and its
      // group is empty or killed.
      if (p->cleanup && now >= p->deadline) {
        killpg(p->pid, SIGKILL);
        p->cleanup = false;
      } else if (p->cleanup && p->exited && killpg(p->pid, 0) != 0 && errno == ESRCH) {
        p->cleanup = false;  // the whole group has ended
      }
      if (!p->exited || p->cleanup) return false;
      // A step that succeeded may leave a daemon on purpose: it is kept. What a fact, a
      // check or a failed step leaves is stopped once nothing else runs.
      if (!p->command.capture && p->outcome.ok() && interrupted_ == 0) {
        const auto left = process_tree::below_sink(kept_);
        kept_.insert(left.begin(), left.end());
      } else {
        sweep_pending_ = true;
      }
      ready_.emplace_back(p->id, std::move(p->outcome));
      return true;
    });
    if (sweep_pending_ && procs_.empty()) sweep();
    if (!ready_.empty()) {
      auto result = std::move(ready_.front());
      ready_.pop_front();
      return result;
    }
    if (procs_.empty()) {
      Outcome none;
      none.error = "no command is running";
      return std::pair<Id, Outcome>{0, std::move(none)};
    }
    if (now >= deadline) return std::nullopt;

    fds.assign(1, {g_wake_read, POLLIN, 0});
    // A safety net only: SIGCHLD wakes the loop when a command ends.
    auto wait = 1000ms;
    const auto until = [&](Clock::time_point t) {
      wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(t - now), 0ms, wait);
    };
    for (auto& p : procs_) {
      for (const int fd : {p->out_fd, p->err_fd}) fds.push_back({fd, POLLIN, 0});
      if (!p->command.input.empty()) fds.push_back({p->in_fd, POLLOUT, 0});
      // Nothing tells when the rest of an ended command's group is gone: look often.
      if (p->cleanup) until(p->exited ? std::min(p->deadline, now + 20ms) : p->deadline);
    }
    until(deadline);
    if (poll(fds.data(), static_cast<nfds_t>(fds.size()), static_cast<int>(wait.count())) <= 0) continue;
    char buffer[256];
    if (fds[0].revents != 0)
      while (read(g_wake_read, buffer, sizeof buffer) > 0) {
      }
    // Only the streams poll marked: with many commands (facts, --host sessions), one busy
    // command must not cost a read of every other one. The slots are in the order pushed.
    std::size_t slot = 1;
    for (auto& p : procs_) {
      for (const bool err : {false, true})
        if (fds[slot++].revents != 0) read_stream(*p, err, false);
      if (p->command.input.empty() || fds[slot++].revents == 0) continue;
      const ssize_t n = write(p->in_fd, p->command.input.data(), p->command.input.size());
      if (n > 0) p->command.input.erase(0, static_cast<std::size_t>(n));
      else if (n < 0 && errno != EAGAIN && errno != EINTR) p->command.input.clear();  // it stopped reading
    }
  }
}

}  // namespace sink
