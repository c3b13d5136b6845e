// How POSIX shell quoting stands at each point of a script: enough to know how a value
// inserted there must be quoted, and where no value can be inserted safely. Shared by the
// checker (which refuses such places) and by the code that builds scripts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sink {

enum class ShellContext {
  Normal,         // outside quotes (also inside $( ) and backticks)
  Single,         // inside '...': the value would be pasted into literal text
  Double,         // inside "..."
  CodeString,     // inside a quoted string that another shell will run: sh -c "...", eval "..."
  HereDoc,        // in the body of a here-document: expansions happen
  QuotedHereDoc,  // in the body of <<'EOF': nothing expands
  Comment,        // in a # comment
};

// Follows quotes, backslashes, comments, $( ), $(( )), backticks and here-documents
// through the text fed.
class ShellQuoteTracker {
 public:
  void feed(std::string_view text);
  ShellContext at() const;
  // A backslash stands just before this point: it would escape what comes next.
  bool escape_pending() const { return escaped_; }

 private:
  enum class Frame { Normal, Single, Double, CodeDouble, CodeSingle, Backtick, Subst, Arith, HereDoc, QuotedHereDoc, Comment };
  void step(std::string_view t, std::size_t& i);
  std::size_t read_heredoc_word(std::string_view t, std::size_t i);
  void heredoc_char(char c);
  bool opens_code() const;  // the last word before a quote makes it code: -c, eval

  std::vector<Frame> stack_{Frame::Normal};
  bool escaped_ = false;
  bool pending_ = false, pending_quoted_ = false, strip_tabs_ = false;
  std::string delimiter_, line_;
  std::string word_, last_word_;  // the word being read and the one before, outside quotes
  int arith_depth_ = 0;
};

}  // namespace sink
