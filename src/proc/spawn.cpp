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
#include <vector>

namespace sink::spawning {
namespace {

// A close-on-exec copy of `fd` above the standard streams (sink may have been started with
// one of them closed); `fd` itself is closed. sink spawns from one thread: no fork can come
// between the pipe and FD_CLOEXEC.
int above_stdio(int fd) {
  if (fd < 0) return fd;
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  close(fd);
  return high;
}

// A pseudo-terminal, master and slave: the size of sink's terminal, and output passed
// through unchanged (no OPOST).
bool make_pty(int fds[2]) {
  fds[0] = above_stdio(posix_openpt(O_RDWR | O_NOCTTY));
  const char* name = fds[0] >= 0 && grantpt(fds[0]) == 0 && unlockpt(fds[0]) == 0 ? ptsname(fds[0]) : nullptr;
  fds[1] = name ? above_stdio(open(name, O_RDWR | O_NOCTTY)) : -1;
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

// Why `dir` cannot be a command's working folder, or "" if it can.
std::string folder_error(const std::string& dir) {
  struct stat st {};
  const bool found = stat(dir.c_str(), &st) == 0;
  if (found && !S_ISDIR(st.st_mode)) return dir + " is not a folder";
  if (found && access(dir.c_str(), X_OK) == 0) return "";
  // stat failed, or access did: errno says why
  if (errno == ENOENT || errno == ENOTDIR) return "folder " + dir + " does not exist";
  return "folder " + dir + " is not accessible: " + std::strerror(errno);
}

// posix_spawn of /bin/sh with `fds` as its standard streams (-1: sink's); 0 or an error
// number. glibc clones with CLONE_VM | CLONE_VFORK:
// sink's page tables are neither copied nor made copy-on-write.
int posix_spawn_sh(pid_t& pid, const Command& command, char* const envp[], const int fds[3]) {
  posix_spawnattr_t attr;
  if (const int rc = posix_spawnattr_init(&attr)) return rc;
  // A handler becomes SIG_DFL through exec anyway; these are sink's own business.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (const int sig : {SIGCHLD, SIGTTOU, SIGPIPE}) sigaddset(&defaults, sig);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawn_file_actions_t actions;
  int rc = posix_spawn_file_actions_init(&actions);
  for (int i = 0; i < 3; ++i)
    if (rc == 0 && fds[i] >= 0) rc = posix_spawn_file_actions_adddup2(&actions, fds[i], i);
  if (rc == 0 && !command.dir.empty()) rc = posix_spawn_file_actions_addchdir_np(&actions, command.dir.c_str());
  // posix_spawn takes char* const[] and changes nothing.
  char arg0[] = "sh", arg1[] = "-c";
  char* argv[] = {arg0, arg1, const_cast<char*>(command.script.c_str()), nullptr};
  if (rc == 0) rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

}  // namespace

void close_fd(int& fd) {
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
}

bool make_pair(int fds[2], bool socket) {
  if ((socket ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds)) != 0) return false;
  fds[0] = above_stdio(fds[0]);
  fds[1] = above_stdio(fds[1]);
  if (fds[0] >= 0 && fds[1] >= 0) return true;
  close_fd(fds[0]);
  close_fd(fds[1]);
  return false;
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// tcsetpgrp from a process that is not in the foreground raises SIGTTOU unless ignored.
// sink has no handler for it: what signal() puts back is what was there.
void set_foreground(pid_t pgid) {
  const auto old = signal(SIGTTOU, SIG_IGN);
  tcsetpgrp(STDIN_FILENO, pgid);
  signal(SIGTTOU, old);
}

bool sink_has_terminal() { return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp(); }

std::string spawn_sh(const Command& command, bool terminal, Child& child) {
  // Everything the child needs is prepared before the spawn: the child of posix_spawn makes
  // no allocation.
  std::vector<std::string> entries;  // NAME=value
  for (const auto& [name, value] : command.env) {
    // Name the variable, never its value: it may be a secret.
    if (name.empty() || name.find_first_of(std::string_view("=\0", 2)) != std::string::npos)
      return "invalid environment variable name '" + name + "'";
    if (value.find('\0') != std::string::npos) return "the value of environment variable " + name + " contains a NUL byte";
    entries.push_back(name + "=" + value);
  }
  // Checked first, so that the message names what is wrong with it.
  if (std::string why = command.dir.empty() ? "" : folder_error(command.dir); !why.empty()) return why;
  std::vector<char*> envp;
  for (auto& entry : entries) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1};
  // A captured command's stdin is /dev/null, opened here rather than by posix_spawn in the
  // child, so that a failure names it. First, so that nothing else is open yet.
  if (command.capture && command.input.empty() && (in[0] = above_stdio(open("/dev/null", O_RDONLY))) < 0)
    return "cannot open /dev/null for the command's input: " + std::string(std::strerror(errno));
  const bool filter = !command.capture && !command.secrets.empty();
  // Without a pseudo-terminal (none left, say), a filtered command's output takes pipes.
  const bool pty = filter && isatty(STDOUT_FILENO) && make_pty(out);
  const bool piped = (command.capture || filter) && !pty;
  const bool streams = !(command.capture && !command.input.empty() && !make_pair(in, true)) &&
                       !(piped && (!make_pair(out) || !make_pair(err)));
  const int fds[] = {in[0], out[1], pty ? out[1] : err[1]};
  const int rc = streams ? posix_spawn_sh(child.pid, command, envp.data(), fds) : errno;
  for (int* fd : {&out[1], &err[1], &in[0]}) close_fd(*fd);  // the child's ends
  if (rc != 0) {
    for (int* fd : {&out[0], &err[0], &in[1]}) close_fd(*fd);
    // No streams, EAGAIN, ENOMEM: no process; anything else: the exec failed.
    return (!streams || rc == EAGAIN || rc == ENOMEM ? "cannot start /bin/sh: " : "cannot run /bin/sh: ") +
           std::string(std::strerror(rc));
  }
  child.in_fd = in[1];
  child.out_fd = out[0];
  child.err_fd = err[0];
  for (const int fd : {child.in_fd, child.out_fd, child.err_fd})
    if (fd >= 0) set_nonblocking(fd);
  if (terminal) {
    // Handed over after the exec: continue the shell in case it already read from the
    // terminal and was stopped by SIGTTIN (SIGCONT also drops a stop signal still pending).
    set_foreground(child.pid);
    killpg(child.pid, SIGCONT);
  }
  return "";
}

}  // namespace sink::spawning
