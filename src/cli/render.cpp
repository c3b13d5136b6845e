#include "cli/render.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/json.hpp"
#include "util/utf8.hpp"

namespace sink {
namespace {

constexpr std::size_t kMaxShown = 160;  // bytes of a source line shown around the span

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t bom_length(const std::string& text, std::uint32_t line) {
  return line == 1 && text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
}

}  // namespace

std::string Renderer::path(const Diagnostic& d) const {
  return d.span.file < sources_.size() ? utf8::printable(sources_.get(d.span.file).path) : std::string();
}

std::string_view Renderer::line_text(std::uint32_t file, std::uint32_t line) {
  const std::string& text = sources_.get(file).text;
  auto [it, fresh] = line_starts_.try_emplace(file, 1, 0);
  std::vector<std::size_t>& starts = it->second;
  if (fresh)
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts.push_back(i + 1);
  if (line == 0 || line > starts.size()) return {};
  const std::size_t start = starts[line - 1] + bom_length(text, line);
  std::size_t end = line < starts.size() ? starts[line] - 1 : text.size();
  if (end > start && text[end - 1] == '\r') --end;
  return std::string_view(text).substr(start, end - start);
}

std::size_t Renderer::byte_index(std::uint32_t file, std::uint32_t line, std::uint32_t col) const {
  const std::size_t bom = bom_length(sources_.get(file).text, line);
  return col > bom ? col - 1 - bom : 0;
}

std::uint32_t Renderer::char_col(std::uint32_t file, std::uint32_t line, std::uint32_t byte_col) {
  const std::string_view l = line_text(file, line);
  const std::size_t bytes = byte_index(file, line, byte_col);
  const std::size_t prefix = std::min(bytes, l.size());
  return static_cast<std::uint32_t>(utf8::count_chars(l.substr(0, prefix)) + 1 + (bytes - prefix));
}

std::string Renderer::text(const Diagnostic& d) {
  const bool error = d.severity() == Severity::Error;
  const char* colour = error ? kRed : kYellow;
  std::string out = paint_(colour, fmt::format("{}[{}]", error ? "error" : "warning", code_name(d.code)));
  out += paint_(kBold, ": " + utf8::printable(d.message)) + "\n";
  const std::uint32_t file = d.span.file, at = d.span.line;
  const std::string path = this->path(d);
  if (!path.empty())  // else there is no file to point at (no Sinkfile was found)
    out += paint_(kBlue, "  --> ") + path +
           (d.span.valid() ? fmt::format(":{}:{}", at, char_col(file, at, d.span.col)) : "") + "\n";
  if (d.span.valid() && !path.empty() && !sources_.get(file).text.empty()) {  // a file kept without its text is never quoted
    const std::string number = std::to_string(at);
    const std::string gutter(number.size(), ' ');
    std::string_view line = line_text(file, at);
    std::size_t from = std::min(byte_index(file, at, d.span.col), line.size());
    std::size_t to = d.span.end_line == at ? std::min(byte_index(file, at, d.span.end_col), line.size()) : line.size();
    if (to <= from) to = std::min(from + 1, line.size() + 1);
    // Long lines: show a window around the span.
    std::string lead, trail;
    if (line.size() > kMaxShown) {
      const std::size_t start = utf8::char_start(line, from > 40 ? from - 40 : 0);
      const std::size_t end = utf8::char_start(line, std::min(line.size(), start + kMaxShown));
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
    for (std::size_t i = 0; i < from && i < shown.size(); ++i)
      if (!is_continuation(shown[i])) under += shown[i] == '\t' ? '\t' : ' ';
    const std::string_view marked = std::string_view(shown).substr(std::min(from, shown.size()), to - from);
    under += std::string(std::max<std::size_t>(utf8::count_chars(marked), 1), '^');
    if (d.span.end_line > at) under += " (to line " + std::to_string(d.span.end_line) + ")";
    out += paint_(kBlue, gutter + " |") + "\n";
    out += paint_(kBlue, number + " |") + " " + shown + "\n";
    out += paint_(kBlue, gutter + " |") + " " + paint_(colour, under) + "\n";
  }
  if (!d.hint.empty()) out += paint_(kCyan, "  = hint: ") + utf8::printable(d.hint) + "\n";
  return out;
}

std::string Renderer::json(const std::vector<Diagnostic>& diags) {
  std::vector<json::Value> items;
  for (const auto& d : diags) {
    const Span& s = d.span;
    const auto pos = [&](std::uint32_t n) { return s.valid() ? json::Value(n) : json::Value(nullptr); };
    items.push_back(json::object({
        {"file", path(d)},
        {"line", pos(s.line)},
        {"column", pos(s.valid() ? char_col(s.file, s.line, s.col) : 0)},
        {"end_line", pos(s.end_line)},
        {"end_column", pos(s.valid() ? char_col(s.file, s.end_line, s.end_col) : 0)},
        {"severity", d.severity() == Severity::Error ? "error" : "warning"},
        {"code", code_name(d.code)},
        {"message", d.message},
        {"hint", d.hint},
    }));
  }
  return json::lines(items).text + "\n";
}

std::string Renderer::counts(const Diagnostics& diags) {
  return plural(diags.error_count(), "error") + ", " + plural(diags.warning_count(), "warning");
}

std::string plural(std::size_t n, std::string_view what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); }

}  // namespace sink
