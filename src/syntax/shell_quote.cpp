#include "syntax/shell_quote.hpp"

namespace sink {

void ShellQuoteTracker::feed(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) step(text, i);
}

ShellContext ShellQuoteTracker::at() const {
  switch (stack_.back()) {
    case Frame::Single: return ShellContext::Single;
    case Frame::Double: return ShellContext::Double;
    case Frame::CodeDouble:
    case Frame::CodeSingle: return ShellContext::CodeString;
    case Frame::HereDoc: return ShellContext::HereDoc;
    case Frame::QuotedHereDoc: return ShellContext::QuotedHereDoc;
    case Frame::Comment: return ShellContext::Comment;
    default: return ShellContext::Normal;  // Normal, Subst, Arith, Backtick: a command of its own
  }
}

bool ShellQuoteTracker::opens_code() const {
  const std::string& w = word_.empty() ? last_word_ : word_;
  return w == "-c" || w == "eval" || w == "-lc" || w == "-ec";
}

void ShellQuoteTracker::step(std::string_view t, std::size_t& i) {
  const char c = t[i];
  if (escaped_) {
    escaped_ = false;
    if (stack_.back() == Frame::Normal || stack_.back() == Frame::Subst || stack_.back() == Frame::Backtick) word_ += c;
    return;
  }
  const Frame frame = stack_.back();
  switch (frame) {
    case Frame::HereDoc:
    case Frame::QuotedHereDoc: heredoc_char(c); return;
    case Frame::Comment:
      if (c == '\n') stack_.pop_back();
      return;
    case Frame::Single:
    case Frame::CodeSingle:
      if (c == '\'') stack_.pop_back();
      return;
    case Frame::Double:
    case Frame::CodeDouble:
      if (c == '\\') escaped_ = true;
      else if (c == '"') stack_.pop_back();
      else if (c == '`') stack_.push_back(Frame::Backtick);
      else if (c == '$' && i + 1 < t.size() && t[i + 1] == '(') {
        stack_.push_back(Frame::Subst);
        ++i;
      }
      return;
    case Frame::Arith:
      if (c == '(') ++arith_depth_;
      else if (c == ')' && --arith_depth_ == 0) {
        if (i + 1 < t.size() && t[i + 1] == ')') ++i;
        stack_.pop_back();
      }
      return;
    default: break;  // Normal, Subst and Backtick: a command, with quotes of its own
  }
  const bool blank = c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|';
  if (blank) {
    if (!word_.empty()) last_word_ = word_;
    word_.clear();
  }
  if (c == '\\') {
    escaped_ = true;
  } else if (c == '#' && word_.empty()) {
    stack_.push_back(Frame::Comment);
  } else if (c == '\'') {
    stack_.push_back(opens_code() ? Frame::CodeSingle : Frame::Single);
    word_ += c;
  } else if (c == '"') {
    stack_.push_back(opens_code() ? Frame::CodeDouble : Frame::Double);
    word_ += c;
  } else if (c == '`') {
    if (frame == Frame::Backtick) stack_.pop_back();
    else stack_.push_back(Frame::Backtick);
  } else if (c == '$' && i + 2 < t.size() && t[i + 1] == '(' && t[i + 2] == '(') {
    stack_.push_back(Frame::Arith);
    arith_depth_ = 1;
    i += 2;
  } else if (c == '$' && i + 1 < t.size() && t[i + 1] == '(') {
    stack_.push_back(Frame::Subst);
    ++i;
  } else if (c == ')' && frame == Frame::Subst) {
    stack_.pop_back();
  } else if (c == '<' && i + 1 < t.size() && t[i + 1] == '<' && (i + 2 >= t.size() || t[i + 2] != '<')) {
    i = read_heredoc_word(t, i + 2);
  } else if (c == '\n' && pending_) {
    stack_.push_back(pending_quoted_ ? Frame::QuotedHereDoc : Frame::HereDoc);
    pending_ = false;
    line_.clear();
  } else if (!blank) {
    word_ += c;
  }
}

// After `<<`: an optional `-`, blanks, then the delimiter word, perhaps quoted.
std::size_t ShellQuoteTracker::read_heredoc_word(std::string_view t, std::size_t i) {
  strip_tabs_ = i < t.size() && t[i] == '-';
  if (strip_tabs_) ++i;
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
  std::string word;
  bool quoted = false;
  while (i < t.size() && t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != ';' && t[i] != '|' && t[i] != '&' &&
         t[i] != '<' && t[i] != '>' && t[i] != ')') {
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

void ShellQuoteTracker::heredoc_char(char c) {
  if (c != '\n') {
    line_ += c;
    if (stack_.back() == Frame::HereDoc && c == '\\') escaped_ = true;
    return;
  }
  std::string_view line = line_;
  if (strip_tabs_)
    while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
  if (line == delimiter_) stack_.pop_back();
  line_.clear();
}

}  // namespace sink
