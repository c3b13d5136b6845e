#include "syntax/text.hpp"

#include <vector>

namespace sink {

namespace ast {

std::string Text::literal() const {
  std::string out;
  visit([&](std::string_view t) { out += t; },
        [&](const Interp& in) { out += "{{" + std::string(in.raw ? "raw " : "") + in.name + "}}"; });
  return out;
}

const StepField* Step::field(StepField::Kind k) const {
  for (const auto& f : fields)
    if (f.kind == k) return &f;
  return nullptr;
}

const StepField* Step::skip_if() const {
  const StepField* f = field(StepField::Kind::SkipIfSh);
  return f ? f : field(StepField::Kind::SkipIfExpr);
}

}  // namespace ast

namespace {

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// Decodes the escapes of a "..." string in place (the grammar admits only valid ones).
void decode_escapes(std::string& s) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < s.size(); ++r, ++w) {
    if (s[r] != '\\' || r + 1 == s.size()) {
      s[w] = s[r];
      continue;
    }
    switch (s[++r]) {
      case 'n': s[w] = '\n'; break;
      case 't': s[w] = '\t'; break;
      case 'r': s[w] = '\r'; break;
      default: s[w] = s[r];  // \\ \" \' \{
    }
  }
  s.resize(w);
}

void strip_cr_before_lf(std::string& s) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < s.size(); ++r)
    if (!(s[r] == '\r' && r + 1 < s.size() && s[r + 1] == '\n')) s[w++] = s[r];
  s.resize(w);
}

}  // namespace

std::string dedent_block(std::string_view body) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = body.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(body.substr(start));
      break;
    }
    lines.push_back(body.substr(start, nl - start));
    start = nl + 1;
  }
  std::size_t first = 0;
  std::size_t last = lines.size();
  bool keep_first_verbatim = false;
  if (lines.size() > 1) {
    if (is_blank(lines.front())) first = 1;
    else keep_first_verbatim = true;  // text right after the opening quotes
    if (last > first && is_blank(lines.back())) --last;
  }
  // The common indentation: the longest whitespace prefix shared by all non-blank lines.
  std::string_view common;
  bool have_common = false;
  for (std::size_t i = first + (keep_first_verbatim ? 1 : 0); i < last; ++i) {
    if (is_blank(lines[i])) continue;
    const std::string_view indent = lines[i].substr(0, lines[i].find_first_not_of(" \t"));
    if (!have_common) {
      common = indent;
      have_common = true;
      continue;
    }
    std::size_t k = 0;
    while (k < common.size() && k < indent.size() && common[k] == indent[k]) ++k;
    common = common.substr(0, k);
  }
  std::string out;
  for (std::size_t i = first; i < last; ++i) {
    if (i > first) out += '\n';
    const std::string_view line = lines[i];
    if (i == first && keep_first_verbatim) out += line;
    else if (is_blank(line)) continue;
    else out += line.substr(common.size());
  }
  return out;
}

void finish_text(std::string& text, std::vector<ast::Interp>& interps, ast::StringForm form) {
  const bool block = form == ast::StringForm::QuotedBlock || form == ast::StringForm::RawBlock;
  const bool quoted = form == ast::StringForm::Quoted || form == ast::StringForm::QuotedBlock;
  const bool has_cr = text.find('\r') != std::string::npos;
  const bool has_escape = quoted && text.find('\\') != std::string::npos;
  if (!block && !has_cr && !has_escape) return;  // the common case: nothing to do
  // Work on the text with a '\0' where each interpolation goes (source text holds no NUL),
  // so that the offsets follow every change.
  std::string flat;
  flat.reserve(text.size() + interps.size());
  std::size_t from = 0;
  for (const auto& in : interps) {
    flat.append(text, from, in.at - from);
    flat += '\0';
    from = in.at;
  }
  flat.append(text, from);
  if (has_cr) strip_cr_before_lf(flat);
  if (block) flat = dedent_block(flat);
  if (has_escape) decode_escapes(flat);
  text.clear();
  std::size_t next = 0;
  for (const char c : flat) {
    if (c == '\0') interps[next++].at = static_cast<std::uint32_t>(text.size());
    else text += c;
  }
}

}  // namespace sink
