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
  enum class Frame : unsigned char { Normal, Single, Double, CodeDouble, CodeSingle, Backtick, Subst, Arith, HereDoc, QuotedHereDoc, Comment };
  // The open quotes and substitutions, innermost last: a few frames in place, more (rare,
  // deeply nested input) in a vector.
  class FrameStack {
   public:
    Frame back() const { return size_ <= kInPlace ? in_place_[size_ - 1] : more_.back(); }
    void push_back(Frame f) {
      if (size_ < kInPlace) in_place_[size_] = f;
      else more_.push_back(f);
      ++size_;
    }
    void pop_back() {
      if (size_ > kInPlace) more_.pop_back();
      --size_;
    }

   private:
    static constexpr std::size_t kInPlace = 16;
    Frame in_place_[kInPlace] = {Frame::Normal};
    std::vector<Frame> more_;
    std::size_t size_ = 1;
  };
  // A word outside quotes: only its length and whether it is one of the short words that
  // make the next quote code (-c, eval) matter, so only its first bytes are kept.
  struct Word {
    static constexpr std::size_t kKept = 4;
    char head[kKept] = {};
    std::size_t size = 0;
    bool empty() const { return size == 0; }
    void clear() { size = 0; }
    void append(std::string_view s) {
      for (std::size_t i = 0; i < s.size() && size + i < kKept; ++i) head[size + i] = s[i];
      size += s.size();
    }
    void append(char c) { append(std::string_view(&c, 1)); }
    bool is(std::string_view w) const { return w.size() <= kKept && size == w.size() && w == std::string_view(head, size); }
  };

  void step(std::string_view t, std::size_t& i);
  std::size_t skip_plain(std::string_view t, std::size_t i);
  std::size_t read_heredoc_word(std::string_view t, std::size_t i);
  void heredoc_char(char c);
  bool opens_code() const;  // the last word before a quote makes it code: -c, eval

  FrameStack stack_;
  bool escaped_ = false;
  bool pending_ = false, pending_quoted_ = false, strip_tabs_ = false;
  std::string delimiter_, line_;
  Word word_, last_word_;  // the word being read and the one before, outside quotes
  int arith_depth_ = 0;
};

}  // namespace sink
