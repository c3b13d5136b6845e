#include "syntax/text.hpp"

#include <vector>

namespace sink {

namespace ast {

bool Text::has_interp() const {
  for (const auto& p : pieces)
    if (p.interp) return true;
  return false;
}

std::string Text::literal() const {
  std::string out;
  for (const auto& p : pieces) {
    if (p.interp)
      out += "{{" + std::string(p.interp->raw ? "raw " : "") + p.interp->name + "}}";
    else
      out += p.text;
  }
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

std::string decode_escapes(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    switch (raw[++i]) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      default: out += raw[i];  // \\ \" \' \{ (the grammar allows no others)
    }
  }
  return out;
}

std::string strip_cr_before_lf(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
  return out;
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

void finish_text(ast::Text& text) {
  const bool block = text.form == ast::StringForm::QuotedBlock || text.form == ast::StringForm::RawBlock;
  const bool quoted = text.form == ast::StringForm::Quoted || text.form == ast::StringForm::QuotedBlock;
  for (auto& p : text.pieces)
    if (!p.interp) p.text = strip_cr_before_lf(p.text);
  if (block) {
    // Flatten with '\0' standing for each interpolation (source text holds no NUL).
    std::string flat;
    for (const auto& p : text.pieces) {
      if (p.interp) flat += '\0';
      else flat += p.text;
    }
    const std::string dedented = dedent_block(flat);
    std::vector<ast::Piece> pieces;
    std::size_t next_interp = 0;
    std::string current;
    auto next_interp_piece = [&]() -> ast::Piece {
      while (!text.pieces[next_interp].interp) ++next_interp;
      return std::move(text.pieces[next_interp++]);
    };
    for (const char c : dedented) {
      if (c != '\0') {
        current += c;
        continue;
      }
      if (!current.empty()) pieces.push_back({std::move(current), std::nullopt});
      current.clear();
      pieces.push_back(next_interp_piece());
    }
    if (!current.empty()) pieces.push_back({std::move(current), std::nullopt});
    text.pieces = std::move(pieces);
  }
  if (quoted)
    for (auto& p : text.pieces)
      if (!p.interp) p.text = decode_escapes(p.text);
}

}  // namespace sink
