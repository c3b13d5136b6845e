// The canonical layout (docs/formatting.md). The printer walks the tree in source order and
// writes lines; comments are placed by their position relative to the tree's spans:
// before a declaration or field (own lines), after it on its last line (trailing), on the
// line of a `{`, at a line break of a condition, or else on their own lines just before the
// declaration or field that holds them.
#include "fmt/formatter.hpp"

#include <algorithm>
#include <compare>
#include <cstdint>
#include <string_view>

#include "check/checker.hpp"
#include "syntax/lexicon.hpp"
#include "syntax/parser.hpp"
#include "syntax/text.hpp"
#include "util/utf8.hpp"

namespace sink {
namespace {

constexpr int kIndent = 2;        // one level of blocks
constexpr int kContinuation = 4;  // the continuation lines of a condition, from its field
constexpr int kCommentGap = 2;    // spaces between code and a trailing comment

// A place in the source; comments and nodes never overlap, so these order them.
struct Pos {
  std::uint32_t line = 0, col = 0;
  auto operator<=>(const Pos&) const = default;
};
Pos start_of(const Span& s) { return {s.line, s.col}; }
Pos end_of(const Span& s) { return {s.end_line, s.end_col}; }
constexpr Pos kFileEnd{UINT32_MAX, UINT32_MAX};

Span span_of(const ast::Item& it) {
  return it.visit([](const auto& n) { return n.span; });
}
Span span_of(const ast::StepField& f) { return f.span; }

// Blanks at the end of a comment, CRs among them: the parser drops one CR (of a CR LF),
// so a comment ending in a lone CR would not read back the same (found by fuzzing).
std::string rtrim(std::string_view s) {
  return std::string(s.substr(0, s.find_last_not_of(" \t\r") + 1));
}

// An output line: code, a comment of its own (text "#..."), or blank (no text).
struct Line {
  int indent = 0;
  std::string text;
  const ast::Comment* trailing = nullptr;  // the comment after the code
};

// How the characters of a string are written between its quotes.
struct Escaping {
  bool quoted = true;         // "..." or """...""": escapes decoded
  bool block = false;         // """...""" or '''...''': a newline is a line break
  bool inline_block = false;  // a block on one line: the closing quotes follow the last character
  bool escape_tabs = false;   // in a block, write tabs as \t
};

// The body of a string as it is written between its quotes; in a block, '\n' is a line break.
// `escaped`: the value's characters that the source wrote as an escape (in a block, such a
// newline or tab is written as an escape again).
std::string body(const ast::Text& t, const Escaping& e, const std::vector<bool>& escaped = {}) {
  if (!e.quoted) return t.text;
  const std::string_view s = t.text;
  const int after_end = e.block && !e.inline_block ? '\n' : '"';
  std::string out;
  std::size_t k = 0;  // the next interpolation
  auto was_escaped = [&](std::size_t pos) { return pos < escaped.size() && escaped[pos]; };
  // The first character written for value position `pos`, up to the next interpolation.
  auto next = [&](std::size_t pos) -> int {
    if (k < t.interps.size() && t.interps[k].at == pos) return '{';
    return pos < s.size() ? static_cast<unsigned char>(s[pos]) : after_end;
  };
  for (std::size_t i = 0; i <= s.size(); ++i) {
    for (; k < t.interps.size() && t.interps[k].at == i; ++k)
      out += "{{" + std::string(t.interps[k].raw ? "raw " : "") + t.interps[k].name + "}}";
    if (i == s.size()) break;
    const char c = s[i];
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += e.block && !was_escaped(i) ? "\n" : "\\n"; break;
      case '\t': out += e.block && !e.escape_tabs && !was_escaped(i) ? "\t" : "\\t"; break;
      case '\r': out += "\\r"; break;
      case '"':  // in a block only three quotes in a row would close it
        out += e.block && (next(i + 1) != '"' || next(i + 2) != '"') ? "\"" : "\\\"";
        break;
      case '{': out += next(i + 1) == '{' ? "\\{" : "{"; break;  // `{{` would open an interpolation
      default: out += c;
    }
  }
  return out;
}

// `text` parsed on its own, its diagnostics dropped.
std::optional<ast::File> parse_alone(const std::string& path, const std::string& text) {
  Sources sources;
  Diagnostics diags;
  return parse_file(sources, sources.add(path, text), diags);
}

// Whether `literal` parses as exactly the string `want`.
bool round_trips(const std::string& literal, const ast::Text& want) {
  const auto f = parse_alone("", "fact x = " + literal);
  if (!f || f->items.size() != 1 || !f->comments.empty()) return false;
  const ast::Fact* fact = f->items[0].as<ast::Fact>();
  return fact && fact->source == ast::FactSource::Value && !fact->required && !fact->secret &&
         !fact->default_value && same_text(fact->value, want);
}

class Printer {
 public:
  Printer(std::string_view source, const ast::File& file)
      : src_(source), file_(file), comments_(file.comments), used_(comments_.size()) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < src_.size(); ++i)
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
  }

  std::string print() {
    sequence(file_.items, 0, Pos{}, kFileEnd);
    return render();
  }

 private:
  // ---- comments ----
  // The unused comments in [from, to), in order.
  std::vector<std::size_t> comments_in(Pos from, Pos to) const {
    std::vector<std::size_t> out;
    for (std::size_t i = cursor_; i < comments_.size() && start_of(comments_[i].span) < to; ++i)
      if (!used_[i] && start_of(comments_[i].span) >= from) out.push_back(i);
    return out;
  }
  const ast::Comment* take(std::size_t i) {
    used_[i] = true;
    while (cursor_ < comments_.size() && used_[cursor_]) ++cursor_;
    return &comments_[i];
  }

  // ---- lines ----
  void open(int indent) { cur_ = Line{indent, "", nullptr}; }
  void put(std::string_view s) { cur_.text += s; }
  void close() { lines_.push_back(cur_); }
  static Line own_line(int indent, const ast::Comment* c) { return Line{indent, "#" + rtrim(c->text), nullptr}; }

  // Writes a literal that may span lines: its first line goes on the current line, the
  // middle ones as they are, the last one starts a new line at `close_indent` (its first
  // `close_indent` characters are that indentation).
  void put_literal(std::string_view literal, int close_indent) {
    const bool lines = literal.find('\n') != std::string_view::npos;
    for (std::size_t nl; (nl = literal.find('\n')) != std::string_view::npos; literal.remove_prefix(nl + 1)) {
      put(literal.substr(0, nl));
      close();
      open(0);
    }
    if (lines) {
      cur_.indent = close_indent;
      literal.remove_prefix(static_cast<std::size_t>(close_indent));
    }
    put(literal);
  }

  // ---- source positions ----
  std::size_t offset(Pos p) const {
    if (p.line == 0 || p.line > line_starts_.size()) return src_.size();
    return std::min(src_.size(), line_starts_[p.line - 1] + p.col - 1);
  }
  // The `{` that opens a body, after `from` (past blanks and comments).
  Pos open_brace(Pos from) const {
    std::size_t i = offset(from);
    while ((i = src_.find_first_not_of(" \t\r\n", i)) < src_.size() && src_[i] == '#') i = src_.find('\n', i);
    if (i >= src_.size() || src_[i] != '{') return from;
    const auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), i) - line_starts_.begin();
    return {static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(i - line_starts_[line - 1] + 1)};
  }

  // ---- strings ----
  void text(const ast::Text& t) {
    switch (t.form) {
      case ast::StringForm::Quoted: put("\"" + body(t, {}) + "\""); return;
      case ast::StringForm::Raw: verbatim(t); return;  // '...' holds no escape and no line break
      case ast::StringForm::QuotedBlock:
      case ast::StringForm::RawBlock: block(t); return;
    }
  }

  // The string exactly as the source has it (CR LF as LF): a block's value depends only on
  // the text between its quotes, so this is right wherever it stands.
  void verbatim(const ast::Text& t) { put_literal(source_of(t), 0); }

  // The source of a string, CR LF as LF. A CR LF right after a lone CR stays: the parser
  // drops the CR of a CR LF once, so "\r\r\n" means a CR and a line break, and written
  // as "\r\n" it would be read as a line break alone (found by fuzzing).
  std::string source_of(const ast::Text& t) const {
    const std::size_t from = offset(start_of(t.span)), to = offset(end_of(t.span));
    const std::string_view s = src_.substr(from, to - from);
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
      if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n' && !(i > 0 && s[i - 1] == '\r'))) out += s[i];
    return out;
  }

  // Which characters of a """ block's value the source wrote as escapes (`\n`, `\t`): the
  // tree holds only the value, where an escaped newline and a line break look the same.
  // The source is read again by text.cpp's finish_text, as the parser reads it.
  std::vector<bool> escapes_in_source(const ast::Text& t) const {
    const std::string s = source_of(t);
    if (s.size() < 6) return {};
    const std::string_view raw = std::string_view(s).substr(3, s.size() - 6);
    ast::Text again;  // with '\0' for each interpolation, as the parser gives it
    again.form = ast::StringForm::QuotedBlock;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size()) {
        again.text += raw.substr(i++, 2);
      } else if (raw.substr(i, 2) == "{{") {
        const std::size_t close = raw.find("}}", i + 2);
        if (close == std::string_view::npos) return {};
        again.text += '\0';
        again.interps.emplace_back();
        i = close + 1;
      } else {
        again.text += raw[i];
      }
    }
    std::vector<bool> escaped;
    finish_text(again, &escaped);
    if (again.text != t.text) return {};  // not read the same way: take no hint from it
    return escaped;
  }

  // A block string: on one line when it was and its value has no line break, else its
  // lines one level deeper than the line it starts on, and the closing quotes on a line of
  // their own. A value that this cannot express (lines of blanks only, every line
  // indented) keeps the source's text.
  void block(const ast::Text& t) {
    const bool quoted = t.form == ast::StringForm::QuotedBlock;
    const std::string delim = quoted ? "\"\"\"" : "'''";
    const int indent = cur_.indent;
    const std::string inner(static_cast<std::size_t>(indent + kIndent), ' ');
    const std::string close = std::string(static_cast<std::size_t>(indent), ' ') + delim;
    const std::vector<bool> escaped = quoted ? escapes_in_source(t) : std::vector<bool>{};
    const std::vector<bool> tab_escaping = quoted ? std::vector{false, true} : std::vector{false};

    if (t.span.line == t.span.end_line && t.text.find('\n') == std::string::npos) {
      for (const bool tabs : tab_escaping)
        if (auto c = delim + body(t, {quoted, true, true, tabs}, escaped) + delim; round_trips(c, t)) return put(c);
    }
    for (const bool first_inline : {false, true})
      for (const bool tabs : tab_escaping) {
        const std::string b = body(t, {quoted, true, false, tabs}, escaped);
        std::string c = delim + (first_inline || b.empty() ? "" : "\n");
        for (std::size_t i = 0; i < b.size(); ++i) {  // a line that is not empty starts with `inner`
          if ((i == 0 ? !first_inline : b[i - 1] == '\n') && b[i] != '\n') c += inner;
          c += b[i];
        }
        c += "\n" + close;
        if (round_trips(c, t)) return put_literal(c, indent);
      }
    verbatim(t);
  }

  // ---- conditions ----
  // The tree has no parentheses: they are written where the grouping needs them, and
  // also around an `and` inside an `or` and around a comparison after `not`, for the
  // reader: `(a and b) or c`, `not (a == b)`.
  void expr(const ast::Expr& e, int cont) {
    using K = ast::Expr::Kind;
    auto operand = [&](const ast::Expr& x, std::initializer_list<K> parens) {
      const bool p = std::find(parens.begin(), parens.end(), x.kind) != parens.end();
      if (p) put("(");
      expr(x, cont);
      if (p) put(")");
    };
    switch (e.kind) {
      case K::Name: put(e.name); break;
      case K::String: text(*e.str); break;
      case K::Int: put(std::to_string(e.int_value)); break;
      case K::Bool: put(e.bool_value ? "true" : "false"); break;
      case K::Not:
        put("not ");
        operand(*e.lhs, {K::And, K::Or, K::Compare});
        break;
      case K::Compare:
        operand(*e.lhs, {K::And, K::Or, K::Not, K::Compare});
        put(" " + std::string(lex::op_text(e.op)) + " ");
        operand(*e.rhs, {K::And, K::Or, K::Not, K::Compare});
        break;
      case K::And:
      case K::Or:
        // Chains lean left: `a and b and c` is ((a and b) and c).
        operand(*e.lhs, {e.kind == K::And ? K::Or : K::And});
        op_break(*e.lhs, *e.rhs, e.kind == K::And ? "and " : "or ", cont);
        operand(*e.rhs, {K::And, K::Or});
        break;
    }
  }

  // Between the operands of `and` / `or`: a line break where the source has one (the
  // operator starts the next line) or where a comment is; else a space.
  void op_break(const ast::Expr& lhs, const ast::Expr& rhs, std::string_view op, int cont) {
    const auto between = comments_in(end_of(lhs.span), start_of(rhs.span));
    if (between.empty() && rhs.span.line == lhs.span.end_line) return put(" " + std::string(op));
    close();
    // A comment on the operand's line comes first (a comment ends its line): the code line is still the last.
    for (const std::size_t i : between) {
      if (comments_[i].span.line == lhs.span.end_line) lines_.back().trailing = take(i);
      else lines_.push_back(own_line(cont, take(i)));
    }
    open(cont);
    put(op);
  }

  // ---- declarations ----
  void declaration(const ast::Item& it, int indent) {
    it.visit([&](const auto& n) { declaration(n, indent); });
  }
  void declaration(const ast::Use& u, int) {
    put("use ");
    text(u.path);
  }
  void declaration(const ast::Fact& f, int) {
    put("fact " + f.name);
    if (f.type_name) put(": " + *f.type_name);
    put(f.source == ast::FactSource::Sh ? " = sh " : f.source == ast::FactSource::Env ? " = env " : " = ");
    text(f.value);
    if (f.required) put(" required");
    if (f.default_value) {  // a literal: a string, a number or true/false
      put(" default ");
      expr(*f.default_value, cur_.indent + kContinuation);
    }
    if (f.secret) put(" secret");
  }
  void declaration(const ast::Ask& a, int) {
    put("ask " + a.name + " ");
    text(a.prompt);
    for (std::size_t i = 0; i < a.choices.size(); ++i) {
      put(i ? ", " : " choices ");
      text(a.choices[i]);
    }
    if (a.default_value) {
      put(" default ");
      text(*a.default_value);
    }
    if (a.secret) put(" secret");
  }
  void declaration(const ast::EnvSet& e, int) {
    put("env " + e.name + " = ");
    text(e.value);
  }
  void declaration(const ast::Helper& h, int) {
    put("helper " + h.name + " ");
    text(h.body);
  }

  void declaration(const ast::StepField& f, int) {
    // By Kind; Unknown is not reached: format_sinkfile refuses those.
    static constexpr std::string_view kKeywords[] = {"run ",   "skip if sh ", "skip if ", "when ", "when sh ",
                                                     "error ", "env ",        "dir ",     ""};
    put(kKeywords[static_cast<int>(f.kind)]);
    if (f.kind == ast::StepField::Kind::Env) put(f.name + " = ");
    if (f.expr) expr(*f.expr, cur_.indent + kContinuation);
    else text(f.text);
  }

  void declaration(const ast::Step& s, int indent) {
    put("step ");
    text(s.name);
    // A step written on one line, with one field and no comment, stays on one line.
    const bool one_line = s.fields.size() == 1 && s.span.line == s.span.end_line;
    if (one_line && comments_in(start_of(s.span), end_of(s.span)).empty()) {
      const std::size_t mark = lines_.size();
      const Line header = cur_;
      put(" { ");
      declaration(s.fields[0], indent);
      put(" }");
      if (lines_.size() == mark) return;
      lines_.resize(mark);  // it did not fit on one line after all (a block string)
      cur_ = header;
    }
    braces(s.fields, end_of(s.name.span), s.span, indent);
  }

  void declaration(const ast::PlatformBlock& b, int indent) {
    put("platform " + ast::names_of(b));
    braces(b.items, end_of(b.names.back().span), b.span, indent);
  }

  // The body of a step or platform block, after its header on the current line: `{}`
  // when it holds nothing, else its entries one level deeper. A comment on the line of
  // the `{`, before the first entry, stays there. The last line is left open.
  template <typename Entry>
  void braces(const ast::List<Entry>& entries, Pos header_end, const Span& whole, int indent) {
    const Pos brace = open_brace(header_end);
    const Pos close_pos{whole.end_line, whole.end_col - 1};
    const Pos first = entries.empty() ? close_pos : start_of(span_of(entries[0]));
    if (entries.empty() && comments_in(brace, close_pos).empty()) return put(" {}");
    put(" {");
    for (const std::size_t i : comments_in(brace, first))
      if (comments_[i].span.line == brace.line) cur_.trailing = take(i);
    close();
    sequence(entries, indent + kIndent, brace, close_pos);
    open(indent);
    put("}");
  }

  // The entries of a body (or of the file) between `open_pos` and `close_pos`, with the
  // comments around them. Blank lines between entries and comments stay, at most one.
  template <typename Entry>
  void sequence(const ast::List<Entry>& entries, int indent, Pos open_pos, Pos close_pos) {
    std::uint32_t last_line = 0;  // of the entry or comment before; 0: none yet
    auto separate = [&](std::uint32_t line, std::uint32_t end_line) {
      if (last_line && line > last_line + 1) lines_.emplace_back();
      last_line = end_line;
    };
    auto own_line_comments_before = [&](Pos before) {
      for (const std::size_t i : comments_in(open_pos, before)) {
        separate(comments_[i].span.line, comments_[i].span.end_line);
        lines_.push_back(own_line(indent, take(i)));
      }
    };
    for (std::size_t n = 0; n < entries.size(); ++n) {
      const Span s = span_of(entries[n]);
      own_line_comments_before(start_of(s));
      separate(s.line, s.end_line);
      std::size_t mark = lines_.size();
      open(indent);
      declaration(entries[n], indent);
      close();
      // Comments inside the entry that it did not place go on their own lines before it.
      for (const std::size_t i : comments_in(start_of(s), end_of(s)))
        lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(mark++), own_line(indent, take(i)));
      // A comment after the entry on its last line is its trailing comment.
      const Pos next = n + 1 < entries.size() ? start_of(span_of(entries[n + 1])) : close_pos;
      for (const std::size_t i : comments_in(end_of(s), next))
        if (comments_[i].span.line == s.end_line && !lines_.back().trailing) lines_.back().trailing = take(i);
    }
    own_line_comments_before(close_pos);
  }

  // ---- output ----
  // Trailing comments of consecutive lines at one indentation line up; the comment of a
  // line that opens a block (`{`) is about the block, and stands apart.
  std::string render() const {
    auto aligned = [&](std::size_t i, int indent) {
      return i < lines_.size() && lines_[i].trailing && lines_[i].indent == indent && !lines_[i].text.ends_with('{');
    };
    std::string out;
    std::size_t col = 0;  // of the trailing comments of this run of lines
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      const Line& l = lines_[i];
      out.append(static_cast<std::size_t>(l.indent), ' ') += l.text;
      if (l.trailing) {
        if (!aligned(i, l.indent)) {
          col = utf8::count_chars(l.text);
        } else if (i == 0 || !aligned(i - 1, l.indent)) {  // the first of a run: its widest code
          col = 0;
          for (std::size_t j = i; aligned(j, l.indent); ++j) col = std::max(col, utf8::count_chars(lines_[j].text));
        }
        out.append(col + kCommentGap - utf8::count_chars(l.text), ' ') += "#" + rtrim(l.trailing->text);
      }
      out += '\n';
    }
    return out;
  }

  std::string_view src_;
  const ast::File& file_;
  std::vector<std::size_t> line_starts_;
  const ast::List<ast::Comment>& comments_;  // in source order, as the parser keeps them
  std::vector<bool> used_;
  std::size_t cursor_ = 0;  // no comment before this one is unused
  std::vector<Line> lines_;
  Line cur_;
};

// What the tree does not hold in full cannot be printed: the text of an unknown step
// field, the first of two options. Reported as `sink check` does.
void unprintable(const ast::List<ast::Item>& items, Diagnostics& diags) {
  ast::for_each<ast::Item>(items, [&](const ast::Item& it) {
    if (const auto* f = it.as<ast::Fact>()) check_repeats(diags, f->repeated);
    if (const auto* a = it.as<ast::Ask>()) check_repeats(diags, a->repeated);
    if (const auto* s = it.as<ast::Step>())
      for (const auto& f : s->fields)
        if (f.kind == ast::StepField::Kind::Unknown) check_unknown_field(diags, f);
  });
}

}  // namespace

std::vector<std::string> comment_texts(const ast::File& file) {
  std::vector<std::string> out;
  for (const auto& c : file.comments) out.emplace_back(rtrim(c.text));
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> format_sinkfile(const Sources& sources, std::uint32_t file_id, Diagnostics& diags) {
  const auto file = parse_file(sources, file_id, diags);
  if (!file) return std::nullopt;
  const std::size_t errors = diags.error_count();
  unprintable(file->items, diags);
  if (diags.error_count() > errors) return std::nullopt;

  std::string out = Printer(sources.get(file_id).text, *file).print();

  // Never hand back a text that means something else.
  const auto again = parse_alone(sources.get(file_id).path, out);
  if (!again || !same_syntax(*file, *again) || comment_texts(*file) != comment_texts(*again)) {
    diags.add(E005, {.file = file_id}, "sink fmt cannot format this file without changing it (this is a bug in sink)",
              "the file is left as it is; please report the bug with the file");
    return std::nullopt;
  }
  return out;
}

}  // namespace sink
