#include "proc/spawn.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
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


// posix_spawn of /bin/sh as `l` says, with `attr` (own process group, signal dispositions
// and mask as fork + exec would leave them). glibc clones with CLONE_VM | CLONE_VFORK: sink's
// page tables are neither copied nor made copy-on-write.
pid_t spawn_sh(Launch& l, const posix_spawnattr_t& attr, std::string& error) {
  posix_spawn_file_actions_t actions;
  int rc = posix_spawn_file_actions_init(&actions);
  if (rc != 0) {
    error = "cannot start /bin/sh: " + error_text(rc);
    return -1;
  }
  if (l.in >= 0) {
    rc = posix_spawn_file_actions_adddup2(&actions, l.in, STDIN_FILENO);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, l.out, STDOUT_FILENO);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, l.err, STDERR_FILENO);
  }
  if (rc == 0 && l.dir != nullptr) rc = posix_spawn_file_actions_addchdir_np(&actions, l.dir);
  pid_t pid = -1;
  if (rc == 0) rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, l.argv, l.envp);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    // EAGAIN, ENOMEM: no process; anything else: the exec failed.
    error = (rc == EAGAIN || rc == ENOMEM ? "cannot start /bin/sh: " : "cannot run /bin/sh: ") + error_text(rc);
    return -1;
  }
  setpgid(pid, pid);  // done by the child already (POSIX_SPAWN_SETPGROUP); harmless
  if (l.terminal) {
    // Handed over after the exec: continue the shell in case it already read from the
    // terminal and was stopped by SIGTTIN (SIGCONT also drops a stop signal still pending).
    set_foreground(pid);
    killpg(pid, SIGCONT);
  }
  return pid;
}

}  // namespace sink::spawning
