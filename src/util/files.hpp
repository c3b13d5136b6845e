// Reading files with a bound: no input makes sink hold unbounded memory or block on a
// FIFO it did not expect.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <optional>
#include <string>

namespace sink {

// The largest Sinkfile, module or TOML file sink reads (E108 beyond it).
inline constexpr std::size_t kMaxFileBytes = std::size_t{64} << 20;

// Refused: not a regular file where one is required (or, for a module, not one sink may read).
enum class ReadStatus { Ok, NotFound, IsDirectory, Unreadable, Refused };

// Reads `path` into `out`, at most kMaxFileBytes + 1 bytes: a caller that gets more knows
// the input is too large without having read all of it. On failure, `why` says why in a
// few words. `regular_only` refuses FIFOs, devices and sockets, without blocking on them.
// `info`, when given, receives the file's status as it was read.
ReadStatus read_file(const std::string& path, std::string& out, std::string& why, bool regular_only = false,
                     struct stat* info = nullptr);

// The bytes of `path` (at most kMaxFileBytes + 1), or nothing when it cannot be read.
std::optional<std::string> read_whole_file(const std::string& path);

struct WriteProblem {
  std::string why, hint;
};

// Replaces `path` by `text` through a temporary file in the same folder, renamed over it,
// so that the file is either the old one or the new one, never half written. SIGINT,
// SIGTERM and SIGHUP wait until the temporary file is renamed or removed; one that came
// meanwhile cancels the rename. Without `before` and `seen`, the file is written whole
// (`sink export -o`: mode 0755). With them, the file as `sink fmt` read it (its bytes and
// read_file's `info`) is rewritten: through a symlink, keeping its owner, mode (setuid and
// setgid too) and extended attributes; refused when it is read-only, has other hard links
// (a rename would split them off) or changed since it was read.
bool write_atomically(const std::string& path, const std::string& text, WriteProblem& problem,
                      const std::string* before = nullptr, const struct stat* seen = nullptr);

}  // namespace sink
