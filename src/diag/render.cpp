#include "diag/render.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "diag/paint.hpp"
#include "util/json.hpp"
#include "util/utf8.hpp"

namespace sink {
namespace {

constexpr std::size_t kMaxShown = 160;  // bytes of a source line shown around the span

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Moves a byte offset back to the start of the character it falls in.
std::size_t char_boundary(std::string_view s, std::size_t i) {
  while (i > 0 && i < s.size() && is_continuation(s[i])) --i;
  return std::min(i, s.size());
}

}  // namespace

const Renderer::LineIndex& Renderer::index(std::uint32_t file) {
  auto it = indexes_.find(file);
  if (it != indexes_.end()) return it->second;
  LineIndex idx;
  const std::string& text = sources_.get(file).text;
  idx.starts.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') idx.starts.push_back(i + 1);
  return indexes_.emplace(file, std::move(idx)).first->second;
}

std::size_t Renderer::bom_length(std::uint32_t file, std::uint32_t line) const {
  return line == 1 && sources_.get(file).text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
}

std::string_view Renderer::line_text(std::uint32_t file, std::uint32_t line) {
  const auto& idx = index(file);
  if (line == 0 || line > idx.starts.size()) return {};
  const std::string& text = sources_.get(file).text;
  const std::size_t start = idx.starts[line - 1] + bom_length(file, line);
  std::size_t end = line < idx.starts.size() ? idx.starts[line] - 1 : text.size();
  if (end > start && text[end - 1] == '\r') --end;
  return std::string_view(text).substr(start, end - start);
}

std::uint32_t Renderer::char_col(std::uint32_t file, std::uint32_t line, std::uint32_t byte_col) {
  const std::string_view l = line_text(file, line);  // without a BOM
  const std::size_t bytes = byte_col > bom_length(file, line) ? byte_col - 1 - bom_length(file, line) : 0;
  const std::size_t prefix = std::min(bytes, l.size());
  return static_cast<std::uint32_t>(utf8::count_chars(l.substr(0, prefix)) + 1 + (bytes - prefix));
}

std::string Renderer::paint(const char* code, std::string_view s) const { return Painter(color_)(code, s); }

std::string Renderer::text(const Diagnostic& d) {
  const bool error = d.severity() == Severity::Error;
  const std::string label = std::string(error ? "error" : "warning") + "[" + std::string(code_name(d.code)) + "]";
  std::string out = paint(error ? kRed : kYellow, label);
  out += paint(kBold, ": " + utf8::printable(d.message)) + "\n";
  const std::uint32_t file = d.span.valid() ? d.span.file : d.file;
  const std::string path = file < sources_.size() ? utf8::printable(sources_.get(file).path) : std::string();
  if (!path.empty() && d.span.valid())
    out += fmt::format("{}{}:{}:{}\n", paint(kBlue, "  --> "), path, d.span.line,
                       char_col(file, d.span.line, d.span.col));
  else if (!path.empty())  // else there is no file to point at (no Sinkfile was found)
    out += paint(kBlue, "  --> ") + path + "\n";
  if (d.span.valid() && !path.empty() && !sources_.get(file).text.empty()) {  // a file kept without its text is never quoted
    const std::string number = std::to_string(d.span.line);
    const std::string gutter(number.size(), ' ');
    std::string_view line = line_text(file, d.span.line);
    const std::size_t bom = bom_length(file, d.span.line);
    const auto byte_index = [&](std::uint32_t col) { return col - 1 >= bom ? col - 1 - bom : 0; };
    std::size_t from = std::min<std::size_t>(byte_index(d.span.col), line.size());
    std::size_t to = d.span.end_line == d.span.line ? std::min<std::size_t>(byte_index(d.span.end_col), line.size())
                                                    : line.size();
    if (to <= from) to = std::min(from + 1, line.size() + 1);
    // Long lines: show a window around the span.
    std::string lead, trail;
    if (line.size() > kMaxShown) {
      const std::size_t start = char_boundary(line, from > 40 ? from - 40 : 0);
      const std::size_t end = char_boundary(line, std::min(line.size(), std::max(start + kMaxShown, std::min(to, start + kMaxShown))));
      if (start > 0) lead = "...";
      if (end < line.size()) trail = "...";
      line = line.substr(start, end - start);
      from = from - start + lead.size();
      to = std::min(to - start, line.size() + 1) + lead.size();
    }
    std::string shown = lead + std::string(line) + trail;
    if (std::any_of(shown.begin(), shown.end(), [](char c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F; }))
      shown = utf8::printable(shown);  // the underline may shift; the terminal is safe
    std::string under;
    for (std::size_t i = 0; i < from && i < shown.size(); ++i) {
      if (is_continuation(shown[i])) continue;
      under += shown[i] == '\t' ? '\t' : ' ';
    }
    std::size_t carets = 0;
    for (std::size_t i = from; i < to && i < shown.size(); ++i)
      if (!is_continuation(shown[i])) ++carets;
    under += std::string(std::max<std::size_t>(carets, 1), '^');
    if (d.span.end_line > d.span.line) under += " (to line " + std::to_string(d.span.end_line) + ")";
    out += paint(kBlue, gutter + " |") + "\n";
    out += paint(kBlue, number + " |") + " " + shown + "\n";
    out += paint(kBlue, gutter + " |") + " " + paint(error ? kRed : kYellow, under) + "\n";
  }
  if (!d.hint.empty()) out += paint(kCyan, "  = hint: ") + utf8::printable(d.hint) + "\n";
  return out;
}

std::string Renderer::json(const std::vector<Diagnostic>& diags) {
  std::vector<json::Value> items;
  for (const auto& d : diags) {
    const std::uint32_t file = d.span.valid() ? d.span.file : d.file;
    const bool at = d.span.valid();
    const auto pos = [&](std::uint32_t n) { return at ? json::Value(n) : json::Value(nullptr); };
    items.push_back(json::object({
        {"file", file < sources_.size() ? utf8::printable(sources_.get(file).path) : std::string()},
        {"line", pos(d.span.line)},
        {"column", pos(at ? char_col(file, d.span.line, d.span.col) : 0)},
        {"end_line", pos(d.span.end_line)},
        {"end_column", pos(at ? char_col(file, d.span.end_line, d.span.end_col) : 0)},
        {"severity", d.severity() == Severity::Error ? "error" : "warning"},
        {"code", code_name(d.code)},
        {"message", d.message},
        {"hint", d.hint},
    }));
  }
  return json::lines(items).text + "\n";
}

std::string Renderer::counts(const Diagnostics& diags) {
  const auto plural = [](std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  return plural(diags.error_count(), "error") + ", " + plural(diags.warning_count(), "warning");
}

}  // namespace sink
