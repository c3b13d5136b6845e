#include "syntax/text.hpp"

#include <algorithm>
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

const StepField* Step::when() const {
  const StepField* f = field(StepField::Kind::WhenSh);
  return f ? f : field(StepField::Kind::When);
}

}  // namespace ast

namespace {

// The length of the run of blanks (spaces and tabs) that starts `line`.
std::size_t indent_length(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
  return n;
}

bool is_blank(std::string_view line) { return indent_length(line) == line.size(); }

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

namespace {

// The lines of a text, one after the other, without a list of them.
class Lines {
 public:
  explicit Lines(std::string_view body) : body_(body) {}
  // The next line, or false after the last one.
  bool next(std::string_view& line) {
    if (done_) return false;
    const std::size_t nl = body_.find('\n', start_);
    if (nl == std::string_view::npos) {
      line = body_.substr(start_);
      done_ = true;
    } else {
      line = body_.substr(start_, nl - start_);
      start_ = nl + 1;
    }
    return true;
  }

 private:
  std::string_view body_;
  std::size_t start_ = 0;
  bool done_ = false;
};

}  // namespace

void dedent_block_into(std::string_view body, std::string& out) {
  out.clear();
  const std::size_t count = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n')) + 1;
  const std::string_view front = body.substr(0, body.find('\n'));
  const std::size_t last_nl = body.rfind('\n');
  const std::string_view back = last_nl == std::string_view::npos ? body : body.substr(last_nl + 1);
  std::size_t first = 0;
  std::size_t last = count;
  bool keep_first_verbatim = false;
  if (count > 1) {
    if (is_blank(front)) first = 1;
    else keep_first_verbatim = true;  // text right after the opening quotes
    if (last > first && is_blank(back)) --last;
  }
  // The common indentation: the longest whitespace prefix shared by all non-blank lines.
  std::string_view common;
  bool have_common = false;
  std::string_view line;
  Lines lines(body);
  for (std::size_t i = 0; i < last && lines.next(line); ++i) {
    if (i < first + (keep_first_verbatim ? 1 : 0) || is_blank(line)) continue;
    const std::string_view indent = line.substr(0, indent_length(line));
    if (!have_common) {
      common = indent;
      have_common = true;
      continue;
    }
    std::size_t k = 0;
    while (k < common.size() && k < indent.size() && common[k] == indent[k]) ++k;
    common = common.substr(0, k);
  }
  out.reserve(body.size());
  Lines again(body);
  for (std::size_t i = 0; i < last && again.next(line); ++i) {
    if (i < first) continue;
    if (i > first) out += '\n';
    if (i == first && keep_first_verbatim) out += line;
    else if (is_blank(line)) continue;
    else out += line.substr(common.size());
  }
}

std::string dedent_block(std::string_view body) {
  std::string out;
  dedent_block_into(body, out);
  return out;
}

void finish_text(std::string& text, std::vector<ast::Interp>& interps, ast::StringForm form, std::string& scratch) {
  const bool block = form == ast::StringForm::QuotedBlock || form == ast::StringForm::RawBlock;
  const bool quoted = form == ast::StringForm::Quoted || form == ast::StringForm::QuotedBlock;
  const bool has_cr = text.find('\r') != std::string::npos;
  const bool has_escape = quoted && text.find('\\') != std::string::npos;
  if (!block && !has_cr && !has_escape) return;  // the common case: nothing to do
  // Work on the text with a '\0' where each interpolation goes (source text holds no NUL),
  // so that the offsets follow every change.
  if (!interps.empty()) {
    scratch.clear();
    std::size_t from = 0;
    for (const auto& in : interps) {
      scratch.append(text, from, in.at - from);
      scratch += '\0';
      from = in.at;
    }
    scratch.append(text, from);
    text.swap(scratch);
  }
  if (has_cr) strip_cr_before_lf(text);
  if (block) {
    dedent_block_into(text, scratch);
    text.swap(scratch);
  }
  if (has_escape) decode_escapes(text);
  if (interps.empty()) return;
  scratch.clear();
  std::size_t from = 0;
  for (auto& in : interps) {
    const std::size_t mark = text.find('\0', from);
    scratch.append(text, from, mark - from);
    in.at = static_cast<std::uint32_t>(scratch.size());
    from = mark + 1;
  }
  scratch.append(text, from);
  text.swap(scratch);
}

}  // namespace sink
