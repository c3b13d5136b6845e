// The one diagnostic type: every error or warning sink reports about a Sinkfile.
#pragma once

#include <string>
#include <vector>

#include "diag/codes.hpp"
#include "diag/span.hpp"

namespace sink {

struct Diagnostic {
  Code code{};
  std::string message;
  Span span;         // !valid() for a whole-file problem: then only its file counts
  std::string hint;  // what to do next; may be empty
  Severity severity() const { return severity_of(code); }
};

class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void add(Code code, Span span, std::string message, std::string hint = {}) {
    add({code, std::move(message), span, std::move(hint)});
  }

  const std::vector<Diagnostic>& items() const { return items_; }
  std::size_t error_count() const;
  std::size_t warning_count() const { return items_.size() - error_count(); }
  bool has_errors() const { return error_count() > 0; }
  // Orders by file, then position (stable, so equal spans keep their order).
  void sort();

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace sink
