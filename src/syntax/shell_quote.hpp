// How POSIX shell quoting stands at each point of a script: enough to know how a value
// inserted there must be quoted. Shared by the checker (which refuses places where a
// value cannot be inserted) and by the code that builds scripts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sink {

enum class ShellContext {
  Normal,         // outside quotes (also inside $( ) and backticks)
  Single,         // inside '...'
  Double,         // inside "..."
  HereDoc,        // in the body of a here-document: expansions happen
  QuotedHereDoc,  // in the body of <<'EOF': nothing expands
};

// Follows quotes, backslashes, $( ), backticks and here-documents through the text fed.
class ShellQuoteTracker {
 public:
  void feed(std::string_view text);
  ShellContext at() const;

 private:
  enum class Frame { Normal, Single, Double, Backtick, Subst, HereDoc, QuotedHereDoc };
  void step(std::string_view t, std::size_t& i);
  std::size_t read_heredoc_word(std::string_view t, std::size_t i);
  void heredoc_char(char c);

  std::vector<Frame> stack_{Frame::Normal};
  bool escaped_ = false;
  bool pending_ = false, pending_quoted_ = false, strip_tabs_ = false;
  std::string delimiter_, line_;
};

}  // namespace sink
