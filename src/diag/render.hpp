// The one place where diagnostics become text: the human form and the JSON form.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/span.hpp"

namespace sink {

class Renderer {
 public:
  Renderer(const Sources& sources, bool color) : sources_(sources), color_(color) {}

  // error[E201]: message / --> file:line:col / the line / an underline / = hint: ...
  std::string text(const Diagnostic& d);
  // All diagnostics as one JSON array (file, line, column, end_line, end_column,
  // severity, code, message, hint); columns count characters, from 1.
  std::string json(const std::vector<Diagnostic>& diags);
  // "2 errors, 1 warning"
  static std::string counts(const Diagnostics& diags);

 private:
  struct LineIndex {
    std::vector<std::size_t> starts;
  };
  const LineIndex& index(std::uint32_t file);
  std::string_view line_text(std::uint32_t file, std::uint32_t line);  // without a BOM
  std::size_t bom_length(std::uint32_t file, std::uint32_t line) const;  // 3 on line 1 of a file with a BOM
  std::uint32_t char_col(std::uint32_t file, std::uint32_t line, std::uint32_t byte_col);
  std::string paint(const char* code, std::string_view s) const;

  const Sources& sources_;
  bool color_;
  std::unordered_map<std::uint32_t, LineIndex> indexes_;
};

}  // namespace sink
