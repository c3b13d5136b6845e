// Starting /bin/sh for PosixRunner: posix_spawn, the one way everywhere (glibc 2.29, musl
// 1.1.24, macOS 10.15 and FreeBSD 13.1 have posix_spawn_file_actions_addchdir_np for the
// folder), pipes and descriptors kept above the standard streams, the terminal handed to a
// command's process group, and the messages for what could not start.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/types.h>

#include <csignal>
#include <cstddef>
#include <string>

namespace sink::spawning {

// The signals that stop sink (and its commands with it). SIGHUP counts as SIGTERM.
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr std::size_t kStopCount = sizeof(kStopSignals) / sizeof(kStopSignals[0]);

std::string error_text(int err);
void close_fd(int& fd);
// File descriptors 0, 1 and 2 are the child's standard streams: keep ours above them.
int above_stdio(int fd);
// A close-on-exec pipe, both ends above the standard streams.
bool make_pipe(int fds[2]);
// A connected pair of close-on-exec sockets above the standard streams: a child's stdin
// that sink writes to with send_quietly (no SIGPIPE when the child stops reading).
bool make_socket_pair(int fds[2]);
ssize_t send_quietly(int fd, const std::string& data);
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
  int in = -1, out = -1, err = -1;  // its standard streams when captured; -1: sink's
  bool terminal = false;            // its group gets the terminal (cleared if that failed)
};

// Starts /bin/sh with posix_spawn. Returns its pid, or -1 with `error` set.
pid_t spawn_sh(Launch& l, const posix_spawnattr_t& attr, std::string& error);
}  // namespace sink::spawning
