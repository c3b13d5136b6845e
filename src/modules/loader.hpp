// Loads a Sinkfile and, through `use`, the modules it needs: local files relative to the
// using file, and std/ modules from the binary.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "syntax/ast.hpp"
#include "syntax/parser.hpp"
#include "util/files.hpp"

namespace sink {

// Reading files sits behind this interface so that loading is tested without a disk.
class FileReader {
 public:
  virtual ~FileReader() = default;
  using Status = ReadStatus;
  // Reads `path` (the root file) into `out`; on failure, `error` tells why in a few words.
  virtual Status read(const std::string& path, std::string& out, std::string& error) = 0;
  // Reads a module that the program whose root file is `root` uses; Refused when the file
  // may not be one (DiskReader: see there).
  virtual Status read_module(const std::string& /*root*/, const std::string& path, std::string& out, std::string& error) {
    return read(path, out, error);
  }
  // Names the file whatever the path to it, so that a module reached through a symlink is
  // the module it links to.
  virtual std::string identity(const std::string& path) { return path; }
};

// A module is a regular file inside the root file's project: the git repository that holds
// the root file (the nearest folder above it with a `.git`), or without one the root
// file's folder, symlinks resolved. So `check`, which CI and editors run on untrusted
// changes, never reads a device, a FIFO or a file elsewhere on the machine. Files are read
// up to 64 MiB and one byte (E108 beyond).
class DiskReader : public FileReader {
 public:
  Status read(const std::string& path, std::string& out, std::string& error) override {
    return read_file(path, out, error);
  }
  Status read_module(const std::string& root, const std::string& path, std::string& out, std::string& error) override;
  std::string identity(const std::string& path) override;
};

// The standard library modules, compiled into the binary from stdlib/*.sink.
struct StdModule {
  std::string_view name;  // "std/retry"
  std::string_view text;
};
const std::vector<StdModule>& stdlib_modules();

struct Module {
  std::string name;  // as the user wrote it: "Sinkfile", "std/retry", "lib/node.sink"
  bool is_std = false;
  ast::File ast;
  std::vector<std::size_t> uses;  // modules this one uses, in order
};

struct Program {
  Sources sources;              // every file read, for diagnostics
  std::deque<Module> modules;   // modules[0] is the root file; a module stays in place as others load
  std::vector<std::size_t> order;  // the modules in run order: each after the modules it uses
  bool complete = false;        // false: a file could not be read or parsed, or a `use` failed
};

// Calls f(const T&) for each declaration of type T of every module (ast::for_each).
template <typename T, typename F>
void for_each(const Program& program, F&& f) {
  for (const auto& m : program.modules) ast::for_each<T>(m.ast.items, f);
}

// Loads `path` and everything it uses. A file that cannot be read, a syntax error, a
// module that does not exist or an import cycle is reported and leaves the program
// incomplete (its sources are still there to render the diagnostics).
Program load_program(const std::string& path, FileReader& reader, Diagnostics& diags,
                     const ParseLimits& limits = {});

// Parses one text as the root file (used by tests and `sink fmt -`).
Program load_program_text(const std::string& display_name, std::string text, FileReader& reader,
                          Diagnostics& diags, const ParseLimits& limits = {});

}  // namespace sink
