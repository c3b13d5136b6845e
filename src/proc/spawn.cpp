#include "proc/spawn.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sink::spawning {

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

bool make_socket_pair(int fds[2]) {
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return false;
  for (int i : {0, 1}) {
    fds[i] = above_stdio(fds[i]);
    if (fds[i] >= 0) fcntl(fds[i], F_SETFD, FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
    const int one = 1;
    if (fds[i] >= 0) setsockopt(fds[i], SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
  }
  if (fds[0] >= 0 && fds[1] >= 0) return true;
  const int err = errno;
  close_fd(fds[0]);
  close_fd(fds[1]);
  errno = err;
  return false;
}

ssize_t send_quietly(int fd, const std::string& data) {
#ifdef MSG_NOSIGNAL
  return send(fd, data.data(), data.size(), MSG_NOSIGNAL);
#else
  return send(fd, data.data(), data.size(), 0);  // SO_NOSIGPIPE is set on the socket
#endif
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

// Why `dir` cannot be a command's working folder, or "" if it can.
std::string folder_error(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    const int err = errno;
    return err == ENOENT || err == ENOTDIR ? "folder " + dir + " does not exist"
                                           : "folder " + dir + " is not accessible: " + error_text(err);
  }
  if (!S_ISDIR(st.st_mode)) return dir + " is not a folder";
  if (access(dir.c_str(), X_OK) != 0) return "folder " + dir + " is not accessible: " + error_text(errno);
  return "";
}


namespace {

// The message for a spawn that failed with `err`. The folder is looked at only now, when
// something failed (two system calls fewer for every command that starts): if it is missing,
// not a folder or not accessible, entering it is what failed, and that is the message.
std::string spawn_error(const Launch& l, int err) {
  if (l.dir != nullptr) {
    std::string folder = folder_error(l.dir);
    if (!folder.empty()) return folder;
  }
  if (err == EAGAIN || err == ENOMEM) return "cannot start /bin/sh: " + error_text(err);  // no process
  return "cannot run /bin/sh: " + error_text(err);
}

// posix_spawn of /bin/sh as `l` says, with `attr` (own process group, signal dispositions
// and mask as fork + exec would leave them). glibc clones with CLONE_VM | CLONE_VFORK: sink's
// page tables are neither copied nor made copy-on-write. Returns 0, or the error number with
// `prepared` false if the file actions could not even be built.
int posix_spawn_sh(const Launch& l, const posix_spawnattr_t& attr, [[maybe_unused]] bool hand_terminal, pid_t& pid,
                   bool& prepared) {
  posix_spawn_file_actions_t actions;
  int rc = posix_spawn_file_actions_init(&actions);
  if (rc != 0) {
    prepared = false;
    return rc;
  }
  if (l.in >= 0) {
    rc = posix_spawn_file_actions_adddup2(&actions, l.in, STDIN_FILENO);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, l.out, STDOUT_FILENO);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, l.err, STDERR_FILENO);
  }
#if SINK_SPAWN_CHDIR
  if (rc == 0 && l.dir != nullptr) rc = posix_spawn_file_actions_addchdir_np(&actions, l.dir);
#endif
#if SINK_SPAWN_TCSETPGRP
  // In the child, after it has its own group and with every signal blocked (so no SIGTTOU):
  // the shell is in the foreground from its first instruction on.
  if (rc == 0 && hand_terminal) rc = posix_spawn_file_actions_addtcsetpgrp_np(&actions, STDIN_FILENO);
#endif
  prepared = rc == 0;
  if (rc == 0) rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, l.argv, l.envp);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

}  // namespace

// Starts /bin/sh with posix_spawn. Returns its pid, or -1 with `error` set.
pid_t spawn_sh(Launch& l, const posix_spawnattr_t& attr, std::string& error) {
  pid_t pid = -1;
  bool prepared = true;
  int rc = posix_spawn_sh(l, attr, l.terminal, pid, prepared);
  if (rc != 0 && l.terminal && SINK_SPAWN_TCSETPGRP) {
    // The child may have taken the terminal before it failed: take it back. And if handing
    // it over is what failed, run the command without it, as a failed tcsetpgrp in a forked
    // child would.
    set_foreground(getpgrp());
    if (prepared) {
      l.terminal = false;
      rc = posix_spawn_sh(l, attr, false, pid, prepared);
    }
  }
  if (rc != 0) {
    error = prepared ? spawn_error(l, rc) : "cannot start /bin/sh: " + error_text(rc);
    return -1;
  }
  setpgid(pid, pid);  // done by the child already (POSIX_SPAWN_SETPGROUP); harmless
  if (l.terminal && !SINK_SPAWN_TCSETPGRP) {
    // Handed over from here, after the exec: continue the shell in case it already read from
    // the terminal and was stopped by SIGTTIN (SIGCONT also drops a stop signal still pending).
    set_foreground(pid);
    killpg(pid, SIGCONT);
  }
  return pid;
}

namespace {

// What a child that could not exec tells its parent through the error pipe (fork path).
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

// The fallback where posix_spawn cannot enter a folder: fork, set the child up as posix_spawn
// would (signals in `defaults` back to SIG_DFL, empty mask), exec; a failure before the exec
// comes back through an error pipe. Returns the pid, or -1 with `error` set (a child that
// failed has been reaped).
pid_t fork_sh(const Launch& l, const sigset_t& defaults, std::string& error) {
  int report[2] = {-1, -1};
  if (!make_pipe(report)) {
    error = "cannot start /bin/sh: " + error_text(errno);
    return -1;
  }
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
  if (l.terminal) sigaction(SIGTTOU, &ignore, &old_ttou);

  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (l.terminal) tcsetpgrp(STDIN_FILENO, getpid());
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGTTOU, SIGPIPE})
      if (sigismember(&defaults, sig) == 1) sigaction(sig, &dfl, nullptr);
    if (l.in >= 0) {
      if (dup2(l.in, STDIN_FILENO) < 0 || dup2(l.out, STDOUT_FILENO) < 0 || dup2(l.err, STDERR_FILENO) < 0)
        child_fail(report[1], 1);
    }
    if (l.dir != nullptr && chdir(l.dir) != 0) child_fail(report[1], 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve("/bin/sh", l.argv, l.envp);
    child_fail(report[1], 3);
  }
  const int fork_errno = errno;
  if (pid > 0) {
    setpgid(pid, pid);  // also here, so that the group exists whichever runs first
    if (l.terminal) tcsetpgrp(STDIN_FILENO, pid);
  }
  if (l.terminal) sigaction(SIGTTOU, &old_ttou, nullptr);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  close_fd(report[1]);
  if (pid < 0) {
    close_fd(report[0]);
    error = "cannot start /bin/sh: " + error_text(fork_errno);
    return -1;
  }

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
  if (got == 0) return pid;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (l.terminal) set_foreground(getpgrp());
  if (got < sizeof failure)
    error = "cannot start /bin/sh";
  else if (failure.stage == 2)
    error = std::string("cannot enter folder ") + l.dir + ": " + error_text(failure.err);
  else if (failure.stage == 1)
    error = "cannot set up the standard streams of /bin/sh: " + error_text(failure.err);
  else
    error = "cannot run /bin/sh: " + error_text(failure.err);
  return -1;
}

}  // namespace sink::spawning
