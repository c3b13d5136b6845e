// The one place where diagnostics become text: the human form and the JSON form.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/paint.hpp"

namespace sink {

class Renderer {
 public:
  Renderer(const Sources& sources, bool color) : sources_(sources), paint_{color} {}

  // error[E201]: message / --> file:line:col / the line / an underline / = hint: ...
  std::string text(const Diagnostic& d);
  // All diagnostics as one JSON array (file, line, column, end_line, end_column,
  // severity, code, message, hint); columns count characters, from 1.
  std::string json(const std::vector<Diagnostic>& diags);
  // "2 errors, 1 warning"
  static std::string counts(const Diagnostics& diags);

 private:
  std::string path(const Diagnostic& d) const;  // printable; empty when there is no file
  std::string_view line_text(std::uint32_t file, std::uint32_t line);  // without a BOM
  // The byte offset in line_text of a span's column (a column inside the BOM: 0).
  std::size_t byte_index(std::uint32_t file, std::uint32_t line, std::uint32_t col) const;
  std::uint32_t char_col(std::uint32_t file, std::uint32_t line, std::uint32_t byte_col);

  const Sources& sources_;
  Painter paint_;
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> line_starts_;  // by file
};

// "1 step", "2 steps": what the summary lines count.
std::string plural(std::size_t n, std::string_view what);

}  // namespace sink
