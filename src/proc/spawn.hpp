// Starting /bin/sh for PosixRunner: posix_spawn, the one way everywhere (glibc 2.29, musl
// 1.1.24, macOS 10.15 and FreeBSD 13.1 have posix_spawn_file_actions_addchdir_np for the
// folder), pipes and descriptors kept above the standard streams, the terminal handed to a
// command's process group, and the messages for what could not start.
#pragma once

#include <sys/types.h>

#include <string>

namespace sink::spawning {

void close_fd(int& fd);
// File descriptors 0, 1 and 2 are the child's standard streams: keep ours above them.
int above_stdio(int fd);
// A close-on-exec pipe, or with `socket` a connected pair of sockets (a child's stdin
// that sink writes to), both ends above the standard streams.
bool make_pair(int fds[2], bool socket = false);
// A pseudo-terminal, master and slave, close-on-exec and above the standard streams: the
// size of sink's terminal, and output passed through unchanged (no OPOST).
bool make_pty(int fds[2]);
void set_nonblocking(int fd);
// Gives the terminal to process group `pgid` (SIGTTOU ignored meanwhile).
void set_foreground(pid_t pgid);
bool sink_has_terminal();
// Why `dir` cannot be a command's working folder, or "" if it can.
std::string folder_error(const std::string& dir);

// Everything a command's process is started with, prepared before it is spawned.
struct Launch {
  const char* dir = nullptr;  // its working folder (checked already); nullptr: sink's own
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  int in = -1, out = -1, err = -1;  // its standard streams; -1: sink's
  bool null_in = false;             // stdin is /dev/null (with in = -1)
  bool terminal = false;            // its group gets the terminal
};

// Starts /bin/sh with posix_spawn in a process group of its own, no signal blocked, and
// every signal at its default but those sink ignores (SIGPIPE, SIGCHLD and SIGTTOU are
// reset even then), as fork + exec would leave them. Returns its pid, or -1 with `error` set.
pid_t spawn_sh(const Launch& l, std::string& error);
}  // namespace sink::spawning
