// Starting /bin/sh for PosixRunner: posix_spawn, the one way everywhere (glibc 2.29, musl
// 1.1.24, macOS 10.15 and FreeBSD 13.1 have posix_spawn_file_actions_addchdir_np for the
// folder), the command's streams, the terminal handed to its process group, and the
// messages for what could not start.
#pragma once

#include <sys/types.h>

#include <string>

#include "proc/process.hpp"

namespace sink::spawning {

void close_fd(int& fd);
// A close-on-exec pipe, or with `socket` a connected pair of sockets, both ends above the
// standard streams (0, 1 and 2 are a child's).
bool make_pair(int fds[2], bool socket = false);
void set_nonblocking(int fd);
// Gives the terminal to process group `pgid` (SIGTTOU ignored meanwhile).
void set_foreground(pid_t pgid);
bool sink_has_terminal();

// A started command: its pid (also the id of its process group) and sink's non-blocking
// ends of its streams (-1: none, the stream is sink's own or /dev/null).
struct Child {
  pid_t pid = -1;
  int in_fd = -1, out_fd = -1, err_fd = -1;
};

// Starts /bin/sh -c as `command` says, in a process group of its own (given the terminal if
// `terminal`), no signal blocked, and every signal at its default but those sink ignores
// (SIGPIPE, SIGCHLD and SIGTTOU are reset even then), as fork + exec would leave them.
// Captured output takes a pipe per stream; so does a filtered one (secrets), or one
// pseudo-terminal when sink's stdout is a terminal. Fills in `child` and returns "", or
// returns why the command could not start.
std::string spawn_sh(const Command& command, bool terminal, Child& child);

}  // namespace sink::spawning
