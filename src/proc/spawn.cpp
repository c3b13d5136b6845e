#include "proc/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sink::spawning {

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

// sink spawns from one thread: no fork can come between the pipe and FD_CLOEXEC.
bool make_pair(int fds[2], bool socket) {
  if ((socket ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds)) != 0) return false;
  for (int i : {0, 1}) {
    fds[i] = above_stdio(fds[i]);
    if (fds[i] >= 0) fcntl(fds[i], F_SETFD, FD_CLOEXEC);
  }
  if (fds[0] >= 0 && fds[1] >= 0) return true;
  const int err = errno;
  close_fd(fds[0]);
  close_fd(fds[1]);
  errno = err;
  return false;
}

bool make_pty(int fds[2]) {
  fds[0] = above_stdio(posix_openpt(O_RDWR | O_NOCTTY));
  fds[1] = -1;
  if (fds[0] >= 0 && fcntl(fds[0], F_SETFD, FD_CLOEXEC) == 0 && grantpt(fds[0]) == 0 && unlockpt(fds[0]) == 0)
    if (const char* name = ptsname(fds[0])) fds[1] = above_stdio(open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  termios mode{};
  if (fds[1] < 0 || tcgetattr(fds[1], &mode) != 0) {
    close_fd(fds[0]);
    close_fd(fds[1]);
    return false;
  }
  mode.c_oflag &= ~static_cast<tcflag_t>(OPOST);
  tcsetattr(fds[1], TCSANOW, &mode);
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) ioctl(fds[1], TIOCSWINSZ, &size);
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

// Why `dir` cannot be a command's working folder, or "" if it can.
std::string folder_error(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    const int err = errno;
    return err == ENOENT || err == ENOTDIR ? "folder " + dir + " does not exist"
                                           : "folder " + dir + " is not accessible: " + std::strerror(err);
  }
  if (!S_ISDIR(st.st_mode)) return dir + " is not a folder";
  if (access(dir.c_str(), X_OK) != 0) return "folder " + dir + " is not accessible: " + std::strerror(errno);
  return "";
}


// glibc clones with CLONE_VM | CLONE_VFORK: sink's page tables are neither copied nor made
// copy-on-write.
pid_t spawn_sh(const Launch& l, std::string& error) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  int rc = posix_spawnattr_init(&attr);
  if (rc != 0) {
    error = "cannot start /bin/sh: " + std::string(std::strerror(rc));
    return -1;
  }
  // A handler becomes SIG_DFL through exec anyway; these are sink's own business.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (const int sig : {SIGCHLD, SIGTTOU, SIGPIPE}) sigaddset(&defaults, sig);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  rc = posix_spawn_file_actions_init(&actions);
  const int fds[] = {l.in, l.out, l.err};
  for (int i = 0; i < 3; ++i)
    if (rc == 0 && fds[i] >= 0) rc = posix_spawn_file_actions_adddup2(&actions, fds[i], i);
  if (rc == 0 && l.null_in) rc = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (rc == 0 && l.dir != nullptr) rc = posix_spawn_file_actions_addchdir_np(&actions, l.dir);
  pid_t pid = -1;
  if (rc == 0) rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, l.argv, l.envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    // EAGAIN, ENOMEM: no process; anything else: the exec failed.
    error = (rc == EAGAIN || rc == ENOMEM ? "cannot start /bin/sh: " : "cannot run /bin/sh: ") +
            std::string(std::strerror(rc));
    return -1;
  }
  if (l.terminal) {
    // Handed over after the exec: continue the shell in case it already read from the
    // terminal and was stopped by SIGTTIN (SIGCONT also drops a stop signal still pending).
    set_foreground(pid);
    killpg(pid, SIGCONT);
  }
  return pid;
}

}  // namespace sink::spawning
