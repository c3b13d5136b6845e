#include "syntax/text.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace sink {

namespace ast {

std::string Text::literal() const {
  std::string out;
  visit([&](std::string_view t) { out += t; },
        [&](const Interp& in) { out += "{{" + std::string(in.raw ? "raw " : "") + in.name + "}}"; });
  return out;
}

const StepField* Step::field(StepField::Kind k, StepField::Kind or_k) const {
  const auto f = std::ranges::find_if(fields, [&](const StepField& f) { return f.kind == k || f.kind == or_k; });
  return f == fields.end() ? nullptr : &*f;
}

}  // namespace ast

namespace {

// The length of the run of blanks (spaces and tabs) that starts `line`.
std::size_t indent_length(std::string_view line) { return std::min(line.find_first_not_of(" \t"), line.size()); }

bool is_blank(std::string_view line) { return indent_length(line) == line.size(); }

}  // namespace

std::string dedent_block(std::string_view body) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0;;) {
    const std::size_t nl = body.find('\n', start);
    lines.push_back(body.substr(start, nl - start));
    if (nl == std::string_view::npos) break;
    if (lines.back().ends_with('\r')) lines.back().remove_suffix(1);  // CR LF is a line break too
    start = nl + 1;
  }
  // Text right after the opening quotes stays as it is; a blank first or last line goes.
  const bool many = lines.size() > 1;
  const bool keep_first = many && !is_blank(lines.front());
  const std::size_t first = many && !keep_first ? 1 : 0;
  const std::size_t last = lines.size() - (many && is_blank(lines.back()) ? 1 : 0);
  // The common indentation: the longest whitespace prefix shared by all non-blank lines.
  std::optional<std::string_view> common;
  for (std::size_t i = first + (keep_first ? 1 : 0); i < last; ++i) {
    if (is_blank(lines[i])) continue;
    const std::string_view indent = lines[i].substr(0, indent_length(lines[i]));
    if (!common) common = indent;
    const auto shared = std::mismatch(common->begin(), common->end(), indent.begin(), indent.end());
    common = common->substr(0, static_cast<std::size_t>(shared.first - common->begin()));
  }
  std::string out;
  for (std::size_t i = first; i < last; ++i) {
    if (i > first) out += '\n';
    if (i == first && keep_first) out += lines[i];
    else if (!is_blank(lines[i])) out += lines[i].substr(common->size());
  }
  return out;
}

void finish_text(ast::Text& t, std::vector<bool>* escaped) {
  std::string& s = t.text;
  if (t.form == ast::StringForm::QuotedBlock || t.form == ast::StringForm::RawBlock) s = dedent_block(s);
  // One pass: escapes decoded ("..." and """...""": the grammar admits only valid ones, so
  // a backslash is never last), and each '\0' taken out, its interpolation's offset set.
  const bool escapes = t.form == ast::StringForm::Quoted || t.form == ast::StringForm::QuotedBlock;
  auto interp = t.interps.begin();
  std::size_t w = 0;
  for (std::size_t r = 0; r < s.size(); ++r) {
    char c = s[r];
    if (c == '\0') {
      (interp++)->at = static_cast<std::uint32_t>(w);
      continue;
    }
    const bool escape = c == '\\' && escapes;
    if (escape) {
      c = s[++r];
      c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;  // \\ \" \' \{ stand for themselves
    }
    if (escaped) escaped->push_back(escape);
    s[w++] = c;
  }
  s.resize(w);
}

}  // namespace sink
