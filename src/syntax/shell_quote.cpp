#include "syntax/shell_quote.hpp"

#include <algorithm>
#include <array>

namespace sink {

namespace {

// Bytes that mean something to the shell outside quotes (or may: `#` starts a comment only
// at the start of a word); every other byte just extends the word being read.
constexpr std::array<bool, 256> special_outside_quotes = [] {
  std::array<bool, 256> t{};
  for (const unsigned char c : std::string_view(" \t\n;&|\\#'\"`$)<")) t[c] = true;
  return t;
}();

std::size_t find_first(std::string_view t, std::size_t i, std::string_view stops) {
  return std::min(t.find_first_of(stops, i), t.size());
}

}  // namespace

void ShellQuoteTracker::feed(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!escaped_) {
      i = skip_plain(text, i);
      if (i == text.size()) break;
    }
    step(text, i);
  }
}

// Skips the bytes from `i` on that step() would pass over without changing any state but
// the word (or here-document line) being read; returns where the next byte of interest is.
std::size_t ShellQuoteTracker::skip_plain(std::string_view t, std::size_t i) {
  switch (stack_.back()) {
    case Frame::Single:
    case Frame::CodeSingle: return find_first(t, i, "'");
    case Frame::Comment: return find_first(t, i, "\n");
    case Frame::Double:
    case Frame::CodeDouble: return find_first(t, i, "\\\"`$");
    case Frame::Arith: return find_first(t, i, "()");
    case Frame::HereDoc:
    case Frame::QuotedHereDoc: {
      const std::size_t stop = stack_.back() == Frame::HereDoc ? find_first(t, i, "\n\\") : find_first(t, i, "\n");
      line_.append(t.substr(i, stop - i));
      return stop;
    }
    default: {  // Normal, Subst, Backtick
      std::size_t p = i;
      while (p < t.size() && !special_outside_quotes[static_cast<unsigned char>(t[p])]) ++p;
      word_.append(t.substr(i, p - i));
      return p;
    }
  }
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
  const Word& w = word_.empty() ? last_word_ : word_;
  return w.is("-c") || w.is("eval") || w.is("-lc") || w.is("-ec");
}

void ShellQuoteTracker::step(std::string_view t, std::size_t& i) {
  const char c = t[i];
  if (escaped_) {
    escaped_ = false;
    if (stack_.back() == Frame::Normal || stack_.back() == Frame::Subst || stack_.back() == Frame::Backtick) word_.append(c);
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
    word_.append(c);
  } else if (c == '"') {
    stack_.push_back(opens_code() ? Frame::CodeDouble : Frame::Double);
    word_.append(c);
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
    word_.append(c);
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
