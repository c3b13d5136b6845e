#include "syntax/shell_quote.hpp"

namespace sink {

void ShellQuoteTracker::feed(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) step(text, i);
}

ShellContext ShellQuoteTracker::at() const {
  switch (stack_.back()) {
    case Frame::Single: return ShellContext::Single;
    case Frame::Double: return ShellContext::Double;
    case Frame::HereDoc: return ShellContext::HereDoc;
    case Frame::QuotedHereDoc: return ShellContext::QuotedHereDoc;
    default: return ShellContext::Normal;  // Normal, Subst, Backtick: a command of its own
  }
}

void ShellQuoteTracker::step(std::string_view t, std::size_t& i) {
  const char c = t[i];
  if (escaped_) {
    escaped_ = false;
    return;
  }
  const Frame frame = stack_.back();
  if (frame == Frame::HereDoc || frame == Frame::QuotedHereDoc) {
    heredoc_char(c);
    return;
  }
  if (frame == Frame::Single) {
    if (c == '\'') stack_.pop_back();
    return;
  }
  if (frame == Frame::Double) {
    if (c == '\\') escaped_ = true;
    else if (c == '"') stack_.pop_back();
    else if (c == '`') stack_.push_back(Frame::Backtick);
    else if (c == '$' && i + 1 < t.size() && t[i + 1] == '(') {
      stack_.push_back(Frame::Subst);
      ++i;
    }
    return;
  }
  // Normal, Subst and Backtick: a command, with quotes of its own.
  if (c == '\\') escaped_ = true;
  else if (c == '\'') stack_.push_back(Frame::Single);
  else if (c == '"') stack_.push_back(Frame::Double);
  else if (c == '`') {
    if (frame == Frame::Backtick) stack_.pop_back();
    else stack_.push_back(Frame::Backtick);
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
