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

}  // namespace sink
