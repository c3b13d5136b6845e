#include "plan/shell.hpp"

#include <algorithm>

namespace sink {
namespace {

// Where the shell stands at a point of the script, as far as quoting goes.
enum class Ctx { Normal, Single, Double, Backtick, Subst, HereDoc, QuotedHereDoc };

// A small reader of POSIX shell quoting: enough to know how to quote a value inserted at
// any point. It follows quotes, backslashes, $( ), backticks and here-documents.
class QuoteTracker {
 public:
  void feed(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) step(text, i);
  }
  Ctx at() const { return stack_.back(); }

 private:
  void step(std::string_view t, std::size_t& i) {
    const char c = t[i];
    if (escaped_) {
      escaped_ = false;
      if (c == '\n') at_line_start_ = true;
      return;
    }
    const Ctx ctx = at();
    if (ctx == Ctx::HereDoc || ctx == Ctx::QuotedHereDoc) {
      heredoc_char(c);
      return;
    }
    switch (ctx) {
      case Ctx::Single:
        if (c == '\'') stack_.pop_back();
        return;
      case Ctx::Double:
        if (c == '\\') escaped_ = true;
        else if (c == '"') stack_.pop_back();
        else if (c == '`') stack_.push_back(Ctx::Backtick);
        else if (c == '$' && i + 1 < t.size() && t[i + 1] == '(') {
          stack_.push_back(Ctx::Subst);
          ++i;
        }
        return;
      case Ctx::Backtick:
        if (c == '\\') escaped_ = true;
        else if (c == '`') stack_.pop_back();
        return;
      default: break;  // Normal, Subst
    }
    if (c == '\\') escaped_ = true;
    else if (c == '\'') stack_.push_back(Ctx::Single);
    else if (c == '"') stack_.push_back(Ctx::Double);
    else if (c == '`') stack_.push_back(Ctx::Backtick);
    else if (c == '$' && i + 1 < t.size() && t[i + 1] == '(') {
      stack_.push_back(Ctx::Subst);
      ++i;
    } else if (c == ')' && ctx == Ctx::Subst) {
      stack_.pop_back();
    } else if (c == '<' && i + 1 < t.size() && t[i + 1] == '<' && (i + 2 >= t.size() || t[i + 2] != '<')) {
      i = read_heredoc_word(t, i + 2);
    } else if (c == '\n' && pending_) {
      stack_.push_back(pending_quoted_ ? Ctx::QuotedHereDoc : Ctx::HereDoc);
      pending_ = false;
      line_.clear();
    }
  }

  // After `<<`: an optional `-`, blanks, then the delimiter word, perhaps quoted.
  std::size_t read_heredoc_word(std::string_view t, std::size_t i) {
    strip_tabs_ = i < t.size() && t[i] == '-';
    if (strip_tabs_) ++i;
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
    std::string word;
    bool quoted = false;
    while (i < t.size() && t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != ';' && t[i] != '|' &&
           t[i] != '&' && t[i] != '<' && t[i] != '>' && t[i] != ')') {
      if (t[i] == '\'' || t[i] == '"' || t[i] == '\\') quoted = true;
      else word += t[i];
      ++i;
    }
    if (!word.empty()) {
      pending_ = true;
      pending_quoted_ = quoted;
      delimiter_ = word;
    }
    return i - 1;  // the caller's loop steps past the last character read
  }

  void heredoc_char(char c) {
    if (c != '\n') {
      line_ += c;
      if (at() == Ctx::HereDoc && c == '\\') escaped_ = true;
      return;
    }
    std::string_view line = line_;
    if (strip_tabs_)
      while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
    if (line == delimiter_) stack_.pop_back();
    line_.clear();
  }

  std::vector<Ctx> stack_{Ctx::Normal};
  bool escaped_ = false;
  bool at_line_start_ = true;
  bool pending_ = false, pending_quoted_ = false, strip_tabs_ = false;
  std::string delimiter_, line_;
};

}  // namespace

std::string shell_var(std::string_view name) {
  std::string v = "SINK_";
  for (const char c : name) v += c == '.' ? '_' : c;
  return v;
}

ShellScript to_shell(const ast::Text& text, const Lookup& lookup) {
  ShellScript out;
  QuoteTracker quotes;
  text.visit(
      [&](std::string_view literal) {
        quotes.feed(literal);
        out.script += literal;
      },
      [&](const ast::Interp& in) {
        const Value* v = lookup(in.name);
        const std::string value = v ? v->text : std::string();
        if (in.raw) {
          quotes.feed(value);
          out.script += value;
          return;
        }
        const std::string var = shell_var(in.name);
        if (std::none_of(out.vars.begin(), out.vars.end(), [&](const auto& p) { return p.first == var; }))
          out.vars.emplace_back(var, value);
        const std::string ref = "${" + var + "}";
        switch (quotes.at()) {
          case Ctx::Single: out.script += "'\"" + ref + "\"'"; break;
          case Ctx::Double:
          case Ctx::HereDoc:
          case Ctx::QuotedHereDoc: out.script += ref; break;
          default: out.script += "\"" + ref + "\""; break;
        }
      });
  return out;
}

std::string to_plain(const ast::Text& text, const Lookup& lookup, bool shown) {
  std::string out;
  text.visit([&](std::string_view literal) { out += literal; },
             [&](const ast::Interp& in) {
               if (const Value* v = lookup(in.name)) out += shown ? v->shown() : v->text;
             });
  return out;
}

}  // namespace sink
