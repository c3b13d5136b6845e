// Writing a file whole or not at all: `sink fmt` and `sink export -o` are the only
// commands that write a file, and only the one the user named.
#pragma once

#include <sys/stat.h>

#include <string>

namespace sink {

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
