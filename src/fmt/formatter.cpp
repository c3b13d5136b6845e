// The canonical layout (docs/formatting.md). The printer walks the tree in source order and
// writes lines; comments are placed by their position relative to the tree's spans:
// before a declaration or field (own lines), after it on its last line (trailing), on the
// line of a `{`, at a line break of a condition, or else on their own lines just before the
// declaration or field that holds them.
#include "fmt/formatter.hpp"

#include "fmt/same_syntax.hpp"

#include <algorithm>
#include <cstdint>
#include <compare>
#include <string_view>

#include "fmt/same_syntax.hpp"
#include "syntax/lexicon.hpp"
#include "syntax/parser.hpp"
#include "syntax/text.hpp"
#include "util/suggest.hpp"
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

// Blanks at the end of a comment, CRs among them: the parser drops one CR (of a CR LF),
// so a comment ending in a lone CR would not read back the same (found by fuzzing).
std::string_view rtrim(std::string_view s) {
  const auto n = s.find_last_not_of(" \t\r");
  return n == std::string_view::npos ? std::string_view() : s.substr(0, n + 1);
}

// An output line. Its text is a stretch of the printer's one buffer (a line each would be
// an allocation each); comments are named by their index.
struct Line {
  enum class Kind : std::uint8_t { Code, Comment, Blank, Raw };
  Kind kind = Kind::Code;
  int indent = 0;
  std::size_t begin = 0, end = 0;  // Code, Raw: the text
  std::ptrdiff_t comment = -1;     // Comment: the comment; Code: its trailing comment, or -1
};

// How the characters of a string are written between its quotes.
struct Escaping {
  bool quoted = true;        // "..." or """...""": escapes decoded
  bool block = false;        // """...""" or '''...''': a newline is a line break
  bool inline_block = false;  // a block on one line: the closing quotes follow the last character
  bool escape_tabs = false;  // in a block, write tabs as \t
};

// The body of a string as it is written between its quotes; in a block, '\n' is a line break.
// `escaped`: the value's characters that the source wrote as an escape (in a block, such a
// newline or tab is written as an escape again).
std::string body(const ast::Text& t, const Escaping& e, const std::vector<bool>& escaped = {}) {
  if (!e.quoted) return t.text;
  const std::string_view s = t.text;
  const int after_end = e.block && !e.inline_block ? '\n' : '"';
  std::string out;
  out.reserve(s.size() + 2);
  std::size_t k = 0;  // the next interpolation
  auto interp_at = [&](std::size_t pos) {
    for (std::size_t j = k; j < t.interps.size() && t.interps[j].at <= pos; ++j)
      if (t.interps[j].at == pos) return true;
    return false;
  };
  auto was_escaped = [&](std::size_t pos) { return pos < escaped.size() && escaped[pos]; };
  // The first character written for value position `pos`.
  auto next = [&](std::size_t pos) -> int {
    if (interp_at(pos)) return '{';
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
      case '"': {
        if (!e.block) {
          out += "\\\"";
          break;
        }
        // In a block only three quotes in a row would close it.
        const int c1 = next(i + 1);
        const int c2 = interp_at(i + 1) ? '{' : next(i + 2);
        out += c1 == '"' && c2 == '"' ? "\\\"" : "\"";
        break;
      }
      case '{': out += next(i + 1) == '{' ? "\\{" : "{"; break;  // `{{` would open an interpolation
      default: out += c;
    }
  }
  return out;
}

// Whether `literal` parses as exactly the string `want`.
bool round_trips(const std::string& literal, const ast::Text& want) {
  Sources sources;
  const auto id = sources.add("", "fact x = " + literal);
  Diagnostics diags;
  const auto f = parse_file(sources, id, diags);
  if (!f || f->items.size() != 1 || !f->comments.empty()) return false;
  const ast::Fact* fact = f->items[0].as<ast::Fact>();
  return fact && fact->source == ast::FactSource::Value && !fact->required && !fact->secret &&
         !fact->default_value && same_text(fact->value, want);
}

class Printer {
 public:
  Printer(std::string_view source, const ast::File& file) : src_(source), file_(file) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < src_.size(); ++i)
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
    for (const auto& c : file.comments) comments_.push_back(&c);
    std::stable_sort(comments_.begin(), comments_.end(),
                     [](const ast::Comment* a, const ast::Comment* b) { return start_of(a->span) < start_of(b->span); });
    used_.assign(comments_.size(), false);
    lines_.reserve(line_starts_.size() + 8);
    out_.reserve(src_.size());
  }

  std::string print() {
    sequence(file_.items, 0, Pos{}, kFileEnd, [&](const ast::Item& it, int indent) { item(it, indent); });
    return render();
  }

 private:
  // ---- comments ----
  Pos comment_pos(std::size_t i) const { return start_of(comments_[i]->span); }

  // The unused comments in [from, to), in order.
  std::vector<std::size_t> comments_in(Pos from, Pos to) const {
    std::vector<std::size_t> out;
    for (std::size_t i = cursor_; i < comments_.size() && comment_pos(i) < to; ++i)
      if (!used_[i] && comment_pos(i) >= from) out.push_back(i);
    return out;
  }
  bool any_comment_in(Pos from, Pos to) const {
    for (std::size_t i = cursor_; i < comments_.size() && comment_pos(i) < to; ++i)
      if (!used_[i] && comment_pos(i) >= from) return true;
    return false;
  }
  std::ptrdiff_t take(std::size_t i) {
    used_[i] = true;
    while (cursor_ < comments_.size() && used_[cursor_]) ++cursor_;
    return static_cast<std::ptrdiff_t>(i);
  }

  // ---- lines ----
  void open(int indent) {
    cur_ = Line{};
    cur_.indent = indent;
    cur_.begin = out_.size();
  }
  void put(std::string_view s) { out_ += s; }
  void close() {
    cur_.end = out_.size();
    lines_.push_back(cur_);
  }
  void blank() { lines_.push_back(Line{Line::Kind::Blank, 0, 0, 0, -1}); }
  void comment_line(int indent, std::ptrdiff_t comment) {
    lines_.push_back(Line{Line::Kind::Comment, indent, 0, 0, comment});
  }
  std::string_view view(const Line& l) const { return std::string_view(out_).substr(l.begin, l.end - l.begin); }
  std::string_view comment_text(std::ptrdiff_t i) const {
    return rtrim(comments_[static_cast<std::size_t>(i)]->text);
  }

  // Writes a literal that may span lines: its first line goes on the current line, the
  // middle ones as they are, the last one starts a new line at `close_indent` (its first
  // `close_indent` characters are that indentation).
  void put_literal(const std::string& literal, int close_indent) {
    std::size_t from = 0;
    std::size_t nl = literal.find('\n');
    if (nl == std::string::npos) {
      put(literal);
      return;
    }
    put(std::string_view(literal).substr(0, nl));
    close();
    while (true) {
      from = nl + 1;
      nl = literal.find('\n', from);
      if (nl == std::string::npos) break;
      lines_.push_back(Line{Line::Kind::Raw, 0, out_.size(), out_.size() + (nl - from), -1});
      out_.append(literal, from, nl - from);
    }
    open(close_indent);
    put(std::string_view(literal).substr(from + static_cast<std::size_t>(close_indent)));
  }

  // ---- source positions ----
  std::size_t offset(Pos p) const {
    if (p.line == 0 || p.line > line_starts_.size()) return src_.size();
    return std::min(src_.size(), line_starts_[p.line - 1] + p.col - 1);
  }
  Pos pos_at(std::size_t off) const {
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
    const auto line = static_cast<std::uint32_t>(it - line_starts_.begin());
    return {line, static_cast<std::uint32_t>(off - line_starts_[line - 1] + 1)};
  }
  // The `{` that opens a body, after `from` (past blanks and comments).
  Pos open_brace(Pos from) const {
    for (std::size_t i = offset(from); i < src_.size(); ++i) {
      const char c = src_[i];
      if (c == '{') return pos_at(i);
      if (c == '#') {
        while (i < src_.size() && src_[i] != '\n') ++i;
      } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        break;
      }
    }
    return from;
  }

  // ---- strings ----
  void text(const ast::Text& t) {
    switch (t.form) {
      case ast::StringForm::Quoted: put("\"" + body(t, {}) + "\""); return;
      case ast::StringForm::Raw:
        if (t.text.find_first_of("'\n") == std::string::npos) put("'" + t.text + "'");
        else verbatim(t);
        return;
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
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i)
      if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n' && !(i > 0 && s[i - 1] == '\r'))) out += s[i];
    return out;
  }

  // Which characters of a """ block's value the source wrote as escapes (`\n`, `\t`): the
  // tree holds only the value, where an escaped newline and a line break look the same.
  // The source is read again the way text.cpp reads it: dedent, then decode.
  std::vector<bool> escapes_in_source(const ast::Text& t) const {
    const std::string s = source_of(t);
    if (s.size() < 6) return {};
    const std::string_view raw = std::string_view(s).substr(3, s.size() - 6);
    std::string flat;  // '\0' for each interpolation, as text.cpp has it
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size()) {
        flat += raw.substr(i, 2);
        ++i;
      } else if (raw.substr(i, 2) == "{{") {
        const std::size_t close = raw.find("}}", i + 2);
        if (close == std::string_view::npos) return {};
        flat += '\0';
        i = close + 1;
      } else {
        flat += raw[i];
      }
    }
    const std::string dedented = dedent_block(flat);
    std::string value;
    std::vector<bool> escaped;
    for (std::size_t i = 0; i < dedented.size(); ++i) {
      if (dedented[i] == '\0') continue;
      if (dedented[i] == '\\' && i + 1 < dedented.size()) {
        const char c = dedented[++i];
        value += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        escaped.push_back(true);
      } else {
        value += dedented[i];
        escaped.push_back(false);
      }
    }
    if (value != t.text) return {};  // not read the same way: take no hint from it
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
    auto one_line = [&](bool escape_tabs) {
      return delim + body(t, {quoted, true, true, escape_tabs}, escaped) + delim;
    };
    auto lines = [&](bool escape_tabs, bool first_inline) {
      const std::string b = body(t, {quoted, true, false, escape_tabs}, escaped);
      std::string out = delim;
      if (b.empty() && !first_inline) return out + "\n" + close;
      std::size_t from = 0;
      for (bool first = true;; first = false) {
        const std::size_t nl = b.find('\n', from);
        const std::string_view line = std::string_view(b).substr(from, nl == std::string::npos ? nl : nl - from);
        if (first && first_inline) {
          out += line;
        } else {
          out += '\n';
          if (!line.empty()) out += inner + std::string(line);
        }
        if (nl == std::string::npos) break;
        from = nl + 1;
      }
      return out + "\n" + close;
    };

    if (t.span.line == t.span.end_line && t.text.find('\n') == std::string::npos) {
      for (const bool tabs : {false, true}) {
        if (tabs && !quoted) break;
        if (auto c = one_line(tabs); round_trips(c, t)) return put(c);
      }
    }
    for (const bool first_inline : {false, true})
      for (const bool tabs : {false, true}) {
        if (tabs && !quoted) continue;
        if (auto c = lines(tabs, first_inline); round_trips(c, t)) return put_literal(c, indent);
      }
    verbatim(t);
  }

  // ---- conditions ----
  // The tree has no parentheses: they are written where the grouping needs them, and
  // also around an `and` inside an `or` and around a comparison after `not`, for the
  // reader: `(a and b) or c`, `not (a == b)`.
  void expr(const ast::Expr& e, int cont) {
    using K = ast::Expr::Kind;
    auto is = [](const ast::Expr& x, std::initializer_list<K> kinds) {
      return std::find(kinds.begin(), kinds.end(), x.kind) != kinds.end();
    };
    switch (e.kind) {
      case K::Name: put(e.name); break;
      case K::String: text(*e.str); break;
      case K::Int: put(std::to_string(e.int_value)); break;
      case K::Bool: put(e.bool_value ? "true" : "false"); break;
      case K::Not:
        put("not ");
        operand(*e.lhs, is(*e.lhs, {K::And, K::Or, K::Compare}), cont);
        break;
      case K::Compare:
        operand(*e.lhs, is(*e.lhs, {K::And, K::Or, K::Not, K::Compare}), cont);
        put(" " + std::string(lex::op_text(e.op)) + " ");
        operand(*e.rhs, is(*e.rhs, {K::And, K::Or, K::Not, K::Compare}), cont);
        break;
      case K::And:
      case K::Or: {
        const bool is_and = e.kind == K::And;
        // Chains lean left: `a and b and c` is ((a and b) and c).
        operand(*e.lhs, is(*e.lhs, {is_and ? K::Or : K::And}), cont);
        op_break(*e.lhs, *e.rhs, is_and ? "and " : "or ", cont);
        operand(*e.rhs, is(*e.rhs, {K::And, K::Or}), cont);
        break;
      }
    }
  }
  void operand(const ast::Expr& e, bool parens, int cont) {
    if (parens) put("(");
    expr(e, cont);
    if (parens) put(")");
  }

  // Between the operands of `and` / `or`: a line break where the source has one (the
  // operator starts the next line) or where a comment is; else a space.
  void op_break(const ast::Expr& lhs, const ast::Expr& rhs, std::string_view op, int cont) {
    const auto between = comments_in(end_of(lhs.span), start_of(rhs.span));
    if (between.empty() && rhs.span.line == lhs.span.end_line) {
      put(" ");
      put(op);
      return;
    }
    std::vector<std::ptrdiff_t> own;
    for (const std::size_t i : between) {
      if (comments_[i]->span.line == lhs.span.end_line && cur_.comment < 0) cur_.comment = take(i);
      else own.push_back(take(i));
    }
    close();
    for (const auto c : own) comment_line(cont, c);
    open(cont);
    put(op);
  }

  // ---- declarations ----
  void item(const ast::Item& it, int indent) {
    it.visit([&](const auto& n) {
      using T = std::decay_t<decltype(n)>;
      if constexpr (std::is_same_v<T, ast::Step>) {
        step(n, indent);
      } else if constexpr (std::is_same_v<T, ast::PlatformBlock>) {
        platform(n, indent);
      } else {
        open(indent);
        declaration(n);
        close();
      }
    });
  }

  void declaration(const ast::Use& u) {
    put("use ");
    text(u.path);
  }
  void declaration(const ast::Fact& f) {
    put("fact " + f.name);
    if (f.type_name) put(": " + *f.type_name);
    put(" = ");
    if (f.source == ast::FactSource::Sh) put("sh ");
    else if (f.source == ast::FactSource::Env) put("env ");
    text(f.value);
    if (f.required) put(" required");
    if (f.default_value) {
      put(" default ");
      const auto& d = *f.default_value;
      if (d.kind == ast::Literal::Kind::String) text(d.str);
      else if (d.kind == ast::Literal::Kind::Int) put(std::to_string(d.int_value));
      else put(d.bool_value ? "true" : "false");
    }
    if (f.secret) put(" secret");
  }
  void declaration(const ast::Ask& a) {
    put("ask " + a.name + " ");
    text(a.prompt);
    if (!a.choices.empty()) {
      put(" choices ");
      for (std::size_t i = 0; i < a.choices.size(); ++i) {
        if (i > 0) put(", ");
        text(a.choices[i]);
      }
    }
    if (a.default_value) {
      put(" default ");
      text(*a.default_value);
    }
    if (a.secret) put(" secret");
  }
  void declaration(const ast::EnvSet& e) {
    put("env " + e.name + " = ");
    text(e.value);
  }
  void declaration(const ast::Helper& h) {
    put("helper " + h.name + " ");
    text(h.body);
  }

  void field(const ast::StepField& f) {
    using K = ast::StepField::Kind;
    const int cont = cur_.indent + kContinuation;
    switch (f.kind) {
      case K::Run: put("run "); text(f.text); break;
      case K::SkipIfSh: put("skip if sh "); text(f.text); break;
      case K::SkipIfExpr: put("skip if "); expr(*f.expr, cont); break;
      case K::When: put("when "); expr(*f.expr, cont); break;
      case K::WhenSh: put("when sh "); text(f.text); break;
      case K::Error: put("error "); text(f.text); break;
      case K::Dir: put("dir "); text(f.text); break;
      case K::Env: put("env " + f.name + " = "); text(f.text); break;
      case K::Unknown: put(f.name); break;  // not reached: format_sinkfile refuses these
    }
  }

  // A comment on the line of a body's `{`, before its first entry, stays there.
  void brace_comment(Pos brace, Pos first_entry) {
    for (const std::size_t i : comments_in(brace, first_entry))
      if (comments_[i]->span.line == brace.line) cur_.comment = take(i);
  }

  void step(const ast::Step& s, int indent) {
    const Pos brace = open_brace(end_of(s.name.span));
    const Pos close_pos{s.span.end_line, s.span.end_col - 1};
    open(indent);
    put("step ");
    text(s.name);
    if (s.fields.empty() && !any_comment_in(brace, close_pos)) {
      put(" {}");
      close();
      return;
    }
    // A step written on one line, with one field and no comment, stays on one line.
    if (s.fields.size() == 1 && s.span.line == s.span.end_line && !any_comment_in(start_of(s.span), end_of(s.span))) {
      const std::size_t mark = lines_.size(), header_end = out_.size();
      const Line header = cur_;
      put(" { ");
      field(s.fields[0]);
      put(" }");
      if (lines_.size() == mark) {
        close();
        return;
      }
      lines_.resize(mark);  // it did not fit on one line after all (a block string)
      out_.resize(header_end);
      cur_ = header;
    }
    put(" {");
    brace_comment(brace, s.fields.empty() ? close_pos : start_of(s.fields[0].span));
    close();
    sequence(s.fields, indent + kIndent, brace, close_pos, [&](const ast::StepField& f, int ind) {
      open(ind);
      field(f);
      close();
    });
    open(indent);
    put("}");
    close();
  }

  void platform(const ast::PlatformBlock& b, int indent) {
    const Pos brace = open_brace(end_of(b.names.back().span));
    const Pos close_pos{b.span.end_line, b.span.end_col - 1};
    open(indent);
    put("platform ");
    for (std::size_t i = 0; i < b.names.size(); ++i) put((i ? ", " : "") + b.names[i].name);
    if (b.items.empty() && !any_comment_in(brace, close_pos)) {
      put(" {}");
      close();
      return;
    }
    put(" {");
    brace_comment(brace, b.items.empty() ? close_pos : start_of(span(b.items[0])));
    close();
    sequence(b.items, indent + kIndent, brace, close_pos, [&](const ast::Item& it, int ind) { item(it, ind); });
    open(indent);
    put("}");
    close();
  }

  static Span span(const ast::Item& it) {
    return it.visit([](const auto& n) { return n.span; });
  }
  static Span span(const ast::StepField& f) { return f.span; }

  // The entries of a body (or of the file) between `open_pos` and `close_pos`, with the
  // comments around them. Blank lines between entries and comments stay, at most one.
  template <typename Entry, typename Print>
  void sequence(const ast::List<Entry>& entries, int indent, Pos open_pos, Pos close_pos, Print print_entry) {
    bool first = true;
    std::uint32_t last_line = 0;
    auto separate = [&](std::uint32_t line) {
      if (!first && line > last_line + 1) blank();
      first = false;
    };
    auto own_line_comments_before = [&](Pos before) {
      for (const std::size_t i : comments_in(open_pos, before)) {
        separate(comments_[i]->span.line);
        last_line = comments_[i]->span.end_line;
        comment_line(indent, take(i));
      }
    };
    for (std::size_t n = 0; n < entries.size(); ++n) {
      const Span s = span(entries[n]);
      own_line_comments_before(start_of(s));
      separate(s.line);
      const std::size_t mark = lines_.size();
      print_entry(entries[n], indent);
      // Comments inside the entry that it did not place go on their own lines before it.
      std::vector<Line> hoisted;
      for (const std::size_t i : comments_in(start_of(s), end_of(s)))
        hoisted.push_back(Line{Line::Kind::Comment, indent, 0, 0, take(i)});
      lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(mark), hoisted.begin(), hoisted.end());
      // A comment after the entry on its last line is its trailing comment.
      const Pos next = n + 1 < entries.size() ? start_of(span(entries[n + 1])) : close_pos;
      for (const std::size_t i : comments_in(end_of(s), next))
        if (comments_[i]->span.line == s.end_line && lines_.back().comment < 0) lines_.back().comment = take(i);
      last_line = s.end_line;
    }
    own_line_comments_before(close_pos);
  }

  // ---- output ----
  std::string render() {
    auto trailing = [&](const Line& l) { return l.kind == Line::Kind::Code && l.comment >= 0; };
    // Trailing comments of consecutive lines at one indentation line up; the comment of a
    // line that opens a block (`{`) is about the block, and stands apart.
    std::vector<std::size_t> width(lines_.size(), 0);
    for (std::size_t i = 0; i < lines_.size(); ++i)
      if (trailing(lines_[i])) width[i] = utf8::count_chars(view(lines_[i])) + kCommentGap;
    for (std::size_t i = 0; i < lines_.size();) {
      auto has = [&](std::size_t j) {
        return j < lines_.size() && trailing(lines_[j]) && lines_[j].indent == lines_[i].indent &&
               !view(lines_[j]).ends_with('{');
      };
      if (!has(i)) {
        ++i;
        continue;
      }
      std::size_t j = i, col = 0;
      for (; has(j); ++j) col = std::max(col, utf8::count_chars(view(lines_[j])));
      for (std::size_t k = i; k < j; ++k) width[k] = col + kCommentGap;
      i = j;
    }
    std::string out;
    out.reserve(out_.size() + out_.size() / 4);
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      const Line& l = lines_[i];
      if (l.kind == Line::Kind::Code || l.kind == Line::Kind::Comment) out.append(static_cast<std::size_t>(l.indent), ' ');
      if (l.kind == Line::Kind::Comment) {
        out += '#';
        out += comment_text(l.comment);
      } else {
        out += view(l);
      }
      if (trailing(l)) {
        out.append(width[i] - utf8::count_chars(view(l)), ' ');
        out += '#';
        out += comment_text(l.comment);
      }
      out += '\n';
    }
    return out;
  }

  std::string_view src_;
  const ast::File& file_;
  std::vector<std::size_t> line_starts_;
  std::vector<const ast::Comment*> comments_;  // in source order
  std::vector<bool> used_;
  std::size_t cursor_ = 0;  // no comment before this one is unused
  std::string out_;  // the text of every line, one after the other
  std::vector<Line> lines_;
  Line cur_;
};

// What the tree does not hold in full cannot be printed: the text of an unknown step
// field, the first of two options. Reported as `sink check` does.
void unprintable(const ast::List<ast::Item>& items, Diagnostics& diags) {
  ast::for_each<ast::Item>(items, [&](const ast::Item& it) {
    if (const auto* f = it.as<ast::Fact>()) {
      for (const auto& r : f->repeated)
        diags.error("E265", r.span, "`" + r.option + "` is given twice", "write each option once");
    } else if (const auto* a = it.as<ast::Ask>()) {
      for (const auto& r : a->repeated)
        diags.error("E265", r.span, "`" + r.option + "` is given twice", "write each option once");
    } else if (const auto* s = it.as<ast::Step>()) {
      for (const auto& f : s->fields) {
        if (f.kind != ast::StepField::Kind::Unknown) continue;
        std::vector<std::string> fields(lex::step_field_keywords.begin(), lex::step_field_keywords.end());
        const auto near = suggest(f.name, fields);
        diags.error("E206", f.keyword_span(), "unknown step field `" + f.name + "`",
                    near ? "did you mean `" + *near + "`?" : "a step's fields are run, skip if, when, error, env and dir");
      }
    }
  });
}

}  // namespace

std::vector<std::string> comment_texts(const ast::File& file) {
  std::vector<std::string> out;
  out.reserve(file.comments.size());
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
  Sources again_sources;
  const auto again_id = again_sources.add(sources.get(file_id).path, out);
  Diagnostics again_diags;
  const auto again = parse_file(again_sources, again_id, again_diags);
  if (!again || !same_syntax(*file, *again) || comment_texts(*file) != comment_texts(*again)) {
    Diagnostic d;
    d.code = "E005";
    d.message = "sink fmt cannot format this file without changing it (this is a bug in sink)";
    d.hint = "the file is left as it is; please report the bug with the file";
    d.file = file_id;
    diags.add(std::move(d));
    return std::nullopt;
  }
  return out;
}

}  // namespace sink
