// Loads a Sinkfile and, through `use`, the modules it needs: local files relative to the
// using file, and std/ modules from the binary.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "syntax/ast.hpp"
#include "syntax/parser.hpp"

namespace sink {

// Reading files sits behind this interface so that loading is tested without a disk.
class FileReader {
 public:
  virtual ~FileReader() = default;
  enum class Status { Ok, NotFound, IsDirectory, Unreadable };
  // Reads `path` into `out`; on failure, `error` tells why in a few words.
  virtual Status read(const std::string& path, std::string& out, std::string& error) = 0;
};

class DiskReader : public FileReader {
 public:
  Status read(const std::string& path, std::string& out, std::string& error) override;
};

struct Module {
  std::string name;  // as the user wrote it: "Sinkfile", "std/retry", "lib/node.sink"
  bool is_std = false;
  ast::File ast;
  std::vector<std::size_t> uses;  // modules this one uses, in order
};

struct Program {
  Sources sources;              // every file read, for diagnostics
  std::vector<Module> modules;  // modules[0] is the root file
  bool complete = false;        // false: a file could not be read or parsed, or a `use` failed
};

// Loads `path` and everything it uses. A file that cannot be read, a syntax error, a
// module that does not exist or an import cycle is reported and leaves the program
// incomplete (its sources are still there to render the diagnostics).
Program load_program(const std::string& path, FileReader& reader, Diagnostics& diags,
                     const ParseLimits& limits = {});

// Parses one text as the root file (used by tests and `sink fmt -`).
Program load_program_text(const std::string& display_name, std::string text, FileReader& reader,
                          Diagnostics& diags, const ParseLimits& limits = {});

}  // namespace sink
