#include "run/posix_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

namespace sink {
namespace {

using Clock = std::chrono::steady_clock;

// Shared with the signal handler: the active runner's self-pipe and what was caught.
volatile std::sig_atomic_t g_wake_fd = -1;
volatile std::sig_atomic_t g_caught = 0;  // first SIGINT or SIGTERM (SIGHUP counts as SIGTERM)
volatile std::sig_atomic_t g_count = 0;   // how many of those arrived

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr std::size_t kStopCount = sizeof(kStopSignals) / sizeof(kStopSignals[0]);

void on_signal(int sig) {
  const int saved = errno;
  if (sig != SIGCHLD) {
    if (g_caught == 0) g_caught = sig == SIGINT ? SIGINT : SIGTERM;
    g_count = g_count + 1;
  }
  const int fd = g_wake_fd;
  if (fd >= 0) {
    const char byte = static_cast<char>(sig);
    if (write(fd, &byte, 1) < 0) {
      // full pipe: the reader wakes up anyway
    }
  }
  errno = saved;
}

std::string error_text(int err) { return std::strerror(err); }

void close_fd(int& fd) {
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
}

// File descriptors 0, 1 and 2 are the child's standard streams: keep ours above them, in
// case sink was started with one of them closed.
int above_stdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  const int err = errno;
  close(fd);
  errno = err;
  return high;
}

bool make_pipe(int fds[2]) {
#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
#else
  // macOS has no pipe2; sink spawns from one thread, so the window before FD_CLOEXEC is
  // only a concern for other threads that fork.
  if (pipe(fds) != 0) return false;
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
  fds[0] = above_stdio(fds[0]);
  fds[1] = above_stdio(fds[1]);
  if (fds[0] < 0 || fds[1] < 0) {
    const int err = errno;
    close_fd(fds[0]);
    close_fd(fds[1]);
    errno = err;
    return false;
  }
  return true;
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// tcsetpgrp from a process that is not in the foreground raises SIGTTOU unless ignored.
void set_foreground(pid_t pgid) {
  struct sigaction ignore {}, old{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGTTOU, &ignore, &old);
  tcsetpgrp(STDIN_FILENO, pgid);
  sigaction(SIGTTOU, &old, nullptr);
}

bool sink_has_terminal() { return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp(); }

// What a child that could not exec tells its parent through the error pipe.
struct ChildFailure {
  int stage;  // 1: standard streams, 2: folder, 3: exec
  int err;
};

[[noreturn]] void child_fail(int fd, int stage) {
  const ChildFailure failure{stage, errno};
  if (write(fd, &failure, sizeof failure) < 0) {
    // nothing left to tell anyone
  }
  _exit(127);
}

}  // namespace

struct PosixRunner::Proc {
  Id id = 0;
  pid_t pid = -1;  // also the id of its process group
  bool capture = true;
  bool terminal = false;  // its group was given the terminal, sink takes it back at the end
  int out_fd = -1, err_fd = -1;
  std::size_t out_dropped = 0, err_dropped = 0;
  bool exited = false;   // reaped
  bool cleanup = false;  // interrupted: its group must be empty or killed before it is done
  bool killed = false;   // SIGKILL was sent to its group
  Clock::time_point deadline;
  Outcome outcome;
};

struct PosixRunner::Signals {
  int read_fd = -1, write_fd = -1;
  bool installed[kStopCount + 1] = {};
  struct sigaction old[kStopCount + 1] = {};  // kStopSignals..., then SIGCHLD
  std::sig_atomic_t previous_wake_fd = -1, previous_caught = 0, previous_count = 0;
};

PosixRunner::PosixRunner(Options options) : options_(options), signals_(std::make_unique<Signals>()) {
  int fds[2];
  if (!make_pipe(fds)) throw std::system_error(errno, std::generic_category(), "pipe");
  set_nonblocking(fds[0]);
  set_nonblocking(fds[1]);
  Signals& s = *signals_;
  s.read_fd = fds[0];
  s.write_fd = fds[1];

  sigset_t all;
  sigemptyset(&all);
  for (const int sig : kStopSignals) sigaddset(&all, sig);
  sigaddset(&all, SIGCHLD);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, &all, &before);
  s.previous_wake_fd = g_wake_fd;
  s.previous_caught = g_caught;
  s.previous_count = g_count;
  g_wake_fd = s.write_fd;
  g_caught = 0;
  g_count = 0;

  struct sigaction action {};
  action.sa_handler = on_signal;
  action.sa_mask = all;
  action.sa_flags = SA_RESTART;
  for (std::size_t i = 0; i <= kStopCount; ++i) {
    const int sig = i < kStopCount ? kStopSignals[i] : SIGCHLD;
    sigaction(sig, nullptr, &s.old[i]);
    // A stop signal that was ignored when sink started (nohup, `sink apply &` in a script)
    // stays ignored, for sink and for its commands.
    if (sig != SIGCHLD && s.old[i].sa_handler == SIG_IGN) continue;
    s.installed[i] = sigaction(sig, &action, nullptr) == 0;
  }
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

PosixRunner::~PosixRunner() {
  stop_all();
  Signals& s = *signals_;
  sigset_t all, before;
  sigemptyset(&all);
  for (const int sig : kStopSignals) sigaddset(&all, sig);
  sigaddset(&all, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  for (std::size_t i = 0; i <= kStopCount; ++i) {
    const int sig = i < kStopCount ? kStopSignals[i] : SIGCHLD;
    if (s.installed[i]) sigaction(sig, &s.old[i], nullptr);
  }
  g_wake_fd = s.previous_wake_fd;
  g_caught = s.previous_caught;
  g_count = s.previous_count;
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  close_fd(s.read_fd);
  close_fd(s.write_fd);
}

int PosixRunner::interrupted() const {
  handle_signals();
  if (interrupted_ != 0) return interrupted_;
  return g_caught;
}

// Commands still running when the runner goes were abandoned by the caller: stop them as
// an interrupt would and reap them, so that nothing is left behind.
void PosixRunner::stop_all() {
  try {
    const auto deadline = Clock::now() + options_.grace;
    for (auto& p : procs_) {
      if (p->cleanup || p->exited) continue;
      killpg(p->pid, SIGTERM);
      p->cleanup = true;
      p->deadline = deadline;
    }
    while (!procs_.empty()) wait_any();
  } catch (...) {
    // Out of memory, most likely: no more grace.
  }
  for (auto& p : procs_) {
    if (!p->exited || (p->cleanup && !p->killed)) killpg(p->pid, SIGKILL);
    if (!p->exited) {
      int status = 0;
      while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (p->terminal) set_foreground(getpgrp());
    close_fd(p->out_fd);
    close_fd(p->err_fd);
  }
  procs_.clear();
  ready_.clear();
}

CommandRunner::Id PosixRunner::start(const Command& command) {
  auto proc = std::make_unique<Proc>();
  proc->id = next_id_++;
  proc->capture = command.capture;
  proc->outcome.started_at = Clock::now();
  if (interrupted() != 0)
    proc->outcome.error = "not started: sink was interrupted";
  else
    spawn(*proc, command);
  const Id id = proc->id;
  if (proc->outcome.started) {
    if (proc->terminal) terminal_owner_ = proc.get();
    procs_.push_back(std::move(proc));
  } else {
    proc->outcome.ended_at = Clock::now();
    ready_.emplace_back(id, std::move(proc->outcome));
  }
  return id;
}

void PosixRunner::spawn(Proc& proc, const Command& command) {
  Outcome& outcome = proc.outcome;
  // Everything the child needs is prepared before fork: after it, only async-signal-safe
  // calls (another thread may hold the allocator's lock).
  if (command.script.find('\0') != std::string::npos) {
    outcome.error = "the command contains a NUL byte";
    return;
  }
  std::vector<std::string> pairs;
  pairs.reserve(command.env.size());
  for (const auto& [name, value] : command.env) {
    // Name the variable, never its value: it may be a secret.
    if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
      outcome.error = "invalid environment variable name '" + name + "'";
      return;
    }
    if (value.find('\0') != std::string::npos) {
      outcome.error = "the value of environment variable " + name + " contains a NUL byte";
      return;
    }
    pairs.push_back(name + "=" + value);
  }
  const std::string& dir = command.dir;
  if (!dir.empty()) {
    struct stat st {};
    if (dir.find('\0') != std::string::npos) {
      outcome.error = "the folder name contains a NUL byte";
      return;
    }
    if (stat(dir.c_str(), &st) != 0) {
      const int err = errno;
      outcome.error = err == ENOENT || err == ENOTDIR ? "folder " + dir + " does not exist"
                                                      : "folder " + dir + " is not accessible: " + error_text(err);
      return;
    }
    if (!S_ISDIR(st.st_mode)) {
      outcome.error = dir + " is not a folder";
      return;
    }
    if (access(dir.c_str(), X_OK) != 0) {
      outcome.error = "folder " + dir + " is not accessible: " + error_text(errno);
      return;
    }
  }
  std::vector<char*> envp;
  envp.reserve(pairs.size() + 1);
  for (auto& pair : pairs) envp.push_back(pair.data());
  envp.push_back(nullptr);
  std::string arg0 = "sh", arg1 = "-c", script = command.script;
  char* argv[] = {arg0.data(), arg1.data(), script.data(), nullptr};

  int report[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  int null_fd = -1;
  auto close_all = [&] {
    for (int* fd : {&report[0], &report[1], &out[0], &out[1], &err[0], &err[1], &null_fd}) close_fd(*fd);
  };
  bool ready = make_pipe(report);
  if (ready && command.capture) {
    ready = make_pipe(out) && make_pipe(err);
    if (ready) {
      null_fd = above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC));
      ready = null_fd >= 0;
    }
  }
  if (!ready) {
    outcome.error = "cannot start /bin/sh: " + error_text(errno);
    close_all();
    return;
  }

  const bool terminal = !command.capture && terminal_owner_ == nullptr && sink_has_terminal();
  // Block the signals sink handles until the child has reset them, so that none of sink's
  // handlers runs in the child; ignore SIGTTOU around handing over the terminal.
  sigset_t block, before;
  sigemptyset(&block);
  for (const int sig : kStopSignals) sigaddset(&block, sig);
  sigaddset(&block, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &block, &before);
  struct sigaction ignore {}, old_ttou{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  if (terminal) sigaction(SIGTTOU, &ignore, &old_ttou);
  bool reset[kStopCount];
  for (std::size_t i = 0; i < kStopCount; ++i) reset[i] = signals_->installed[i];

  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (terminal) tcsetpgrp(STDIN_FILENO, getpid());
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (std::size_t i = 0; i < kStopCount; ++i)
      if (reset[i]) sigaction(kStopSignals[i], &dfl, nullptr);
    sigaction(SIGCHLD, &dfl, nullptr);
    sigaction(SIGTTOU, &dfl, nullptr);
    sigaction(SIGPIPE, &dfl, nullptr);
    if (null_fd >= 0) {
      if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 || dup2(err[1], STDERR_FILENO) < 0)
        child_fail(report[1], 1);
    }
    if (!dir.empty() && chdir(dir.c_str()) != 0) child_fail(report[1], 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve("/bin/sh", argv, envp.data());
    child_fail(report[1], 3);
  }
  const int fork_errno = errno;
  if (pid > 0) {
    setpgid(pid, pid);  // also here, so that the group exists whichever runs first
    if (terminal) tcsetpgrp(STDIN_FILENO, pid);
  }
  if (terminal) sigaction(SIGTTOU, &old_ttou, nullptr);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  if (pid < 0) {
    outcome.error = "cannot start /bin/sh: " + error_text(fork_errno);
    close_all();
    return;
  }
  close_fd(report[1]);
  close_fd(out[1]);
  close_fd(err[1]);
  close_fd(null_fd);

  // The error pipe closes when exec succeeds (O_CLOEXEC); otherwise it says what failed.
  ChildFailure failure{};
  std::size_t got = 0;
  while (got < sizeof failure) {
    const ssize_t n = read(report[0], reinterpret_cast<char*>(&failure) + got, sizeof failure - got);
    if (n > 0)
      got += static_cast<std::size_t>(n);
    else if (n == 0 || errno != EINTR)
      break;
  }
  close_fd(report[0]);
  if (got > 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (terminal) set_foreground(getpgrp());
    close_all();
    if (got < sizeof failure)
      outcome.error = "cannot start /bin/sh";
    else if (failure.stage == 2)
      outcome.error = "cannot enter folder " + dir + ": " + error_text(failure.err);
    else if (failure.stage == 1)
      outcome.error = "cannot set up the standard streams of /bin/sh: " + error_text(failure.err);
    else
      outcome.error = "cannot run /bin/sh: " + error_text(failure.err);
    return;
  }

  outcome.started = true;
  proc.pid = pid;
  proc.terminal = terminal;
  if (command.capture) {
    proc.out_fd = out[0];
    proc.err_fd = err[0];
    set_nonblocking(proc.out_fd);
    set_nonblocking(proc.err_fd);
  }
}

void PosixRunner::handle_signals() const {
  const int caught = g_caught;
  const long count = g_count;
  if (caught == 0 || count <= signals_seen_) return;
  signals_seen_ = count;
  if (!forwarded_) {
    interrupt(caught, nullptr);
    return;
  }
  // Asked again while the commands are given their grace period: no more waiting.
  const auto now = Clock::now();
  for (auto& p : procs_)
    if (p->cleanup && !p->killed) p->deadline = now;
}

void PosixRunner::interrupt(int sig, const Proc* except) const {
  if (interrupted_ == 0) interrupted_ = sig;
  forwarded_ = true;
  const auto deadline = Clock::now() + options_.grace;
  for (auto& p : procs_) {
    if (p.get() == except || p->cleanup || p->exited) continue;
    killpg(p->pid, sig);
    p->cleanup = true;
    p->deadline = deadline;
  }
}

void PosixRunner::read_stream(int& fd, std::string& text, std::size_t& dropped, bool drain) {
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
      const std::size_t room = options_.capture_limit > text.size() ? options_.capture_limit - text.size() : 0;
      const std::size_t keep = std::min(room, size);
      text.append(buffer, keep);
      dropped += size - keep;
    } else if (n == 0) {
      close_fd(fd);
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else {
      close_fd(fd);
    }
  }
}

void PosixRunner::finish_stream(int& fd, std::string& text, std::size_t dropped) {
  close_fd(fd);
  if (dropped == 0) return;
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += "[sink: output truncated: kept the first " + std::to_string(options_.capture_limit) + " bytes, dropped " +
          std::to_string(dropped) + " more]\n";
}

void PosixRunner::take_terminal_back() {
  set_foreground(getpgrp());
  terminal_owner_ = nullptr;
}

// The command holding the terminal was stopped (Ctrl-Z): stop sink too, as a shell's job
// would be, and when sink is continued give the command the terminal again and continue it.
void PosixRunner::suspend_for(Proc& proc) {
  set_foreground(getpgrp());
  raise(SIGTSTP);  // discarded by the kernel if sink's group is orphaned: then go on at once
  if (sink_has_terminal()) {
    set_foreground(proc.pid);
  } else {
    proc.terminal = false;  // continued in the background: the terminal is not ours to give
    terminal_owner_ = nullptr;
  }
  killpg(proc.pid, SIGCONT);
}

void PosixRunner::reap(Proc& proc) {
  int status = 0;
  pid_t r;
  do {
    r = waitpid(proc.pid, &status, WNOHANG | (proc.terminal ? WUNTRACED : 0));
  } while (r < 0 && errno == EINTR);
  if (r == 0) return;
  if (r > 0 && WIFSTOPPED(status)) {
    if (WSTOPSIG(status) == SIGTSTP) suspend_for(proc);
    return;
  }
  Outcome& outcome = proc.outcome;
  proc.exited = true;
  outcome.ended_at = Clock::now();
  if (r < 0) {
    outcome.error = "the command's exit status was lost: " + error_text(errno);
  } else if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  if (proc.capture) {
    // Whatever the command wrote is in the pipes now; a background process that kept them
    // open does not hold sink.
    read_stream(proc.out_fd, outcome.out, proc.out_dropped, true);
    read_stream(proc.err_fd, outcome.err, proc.err_dropped, true);
    finish_stream(proc.out_fd, outcome.out, proc.out_dropped);
    finish_stream(proc.err_fd, outcome.err, proc.err_dropped);
  }
  if (proc.terminal) {
    proc.terminal = false;
    take_terminal_back();
    // Ctrl-C went to the command's group, not to sink: it is sink's interrupt all the same.
    if (outcome.signal == SIGINT || outcome.exit_code == 130) {
      interrupt(SIGINT, &proc);
      if (!proc.cleanup) {
        killpg(proc.pid, SIGTERM);
        proc.cleanup = true;
        proc.deadline = Clock::now() + options_.grace;
      }
    }
  }
}

// Whether the command is done; sends SIGKILL to an interrupted group whose time is up.
bool PosixRunner::settle(Proc& proc, Clock::time_point now) {
  if (proc.cleanup && !proc.killed) {
    if (now >= proc.deadline) {
      killpg(proc.pid, SIGKILL);
      proc.killed = true;
    } else if (proc.exited && killpg(proc.pid, 0) != 0 && errno == ESRCH) {
      proc.cleanup = false;  // the whole group has ended
    }
  }
  return proc.exited && (!proc.cleanup || proc.killed);
}

std::pair<CommandRunner::Id, Outcome> PosixRunner::wait_any() {
  std::vector<pollfd> fds;
  std::vector<std::pair<Proc*, bool>> owners;  // for fds[1..]: the command, and whether stdout
  while (true) {
    handle_signals();
    for (auto& p : procs_)
      if (!p->exited) reap(*p);
    const auto now = Clock::now();
    for (auto it = procs_.begin(); it != procs_.end();) {
      if (settle(**it, now)) {
        ready_.emplace_back((*it)->id, std::move((*it)->outcome));
        it = procs_.erase(it);
      } else {
        ++it;
      }
    }
    if (!ready_.empty()) {
      auto result = std::move(ready_.front());
      ready_.pop_front();
      return result;
    }
    if (procs_.empty()) {
      Outcome none;
      none.error = "no command is running";
      return {0, std::move(none)};
    }

    fds.clear();
    owners.clear();
    fds.push_back({signals_->read_fd, POLLIN, 0});
    owners.emplace_back(nullptr, false);
    // A safety net only: SIGCHLD wakes the loop when a command ends.
    auto timeout = std::chrono::milliseconds(1000);
    for (auto& p : procs_) {
      if (p->out_fd >= 0) {
        fds.push_back({p->out_fd, POLLIN, 0});
        owners.emplace_back(p.get(), true);
      }
      if (p->err_fd >= 0) {
        fds.push_back({p->err_fd, POLLIN, 0});
        owners.emplace_back(p.get(), false);
      }
      if (p->cleanup && !p->killed) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(p->deadline - now);
        // Nothing tells when the rest of an ended command's group is gone: look often.
        if (p->exited) left = std::min(left, std::chrono::milliseconds(20));
        timeout = std::min(timeout, std::max(left, std::chrono::milliseconds(0)));
      }
    }
    const int n = poll(fds.data(), static_cast<nfds_t>(fds.size()), static_cast<int>(timeout.count()));
    if (n <= 0) continue;  // timeout or EINTR
    if (fds[0].revents != 0) {
      char buffer[256];
      while (read(signals_->read_fd, buffer, sizeof buffer) > 0) {
      }
    }
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Proc& p = *owners[i].first;
      if (owners[i].second)
        read_stream(p.out_fd, p.outcome.out, p.out_dropped, false);
      else
        read_stream(p.err_fd, p.outcome.err, p.err_dropped, false);
    }
  }
}

}  // namespace sink
