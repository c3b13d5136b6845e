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
  Single,         // inside '...' or $'...': the value would be pasted into literal text
  Double,         // inside "..."
  CodeString,     // in code that another interpreter runs: sh -c, eval, trap, su -c, a
                  // here-document fed to a shell, awk and sed programs, python -c, ...
  Arith,          // an arithmetic expression: $(( )), (( )), let, a[i], ${s:offset}
  Test,           // an operand of bash's [[ ]], which evaluates -gt operands as arithmetic
  HereDoc,        // in the body of a here-document: expansions happen
  QuotedHereDoc,  // in the body of <<'EOF': nothing expands
  Comment,        // in a # comment
};

// The environment variable that carries `name` into a script: SINK_git_name, and
// SINKENV_PATH for env.PATH (so that it cannot meet a fact `env_PATH`).
std::string shell_var(std::string_view name);

// Adds to `out` the names that `script` refers to as $SINK_name or ${SINK_name}: sink
// passes those values in the environment too, for code another shell runs (sh -c '..."$SINK_x"').
void value_refs(std::string_view script, std::vector<std::string_view>& out);

// Follows quotes, backslashes, line continuations, comments, $( ), ${ }, $(( )), backticks,
// here-documents and the words of each simple command through the text fed.
class ShellQuoteTracker {
 public:
  ShellQuoteTracker() { stack_.push_back({}); }
  void feed(std::string_view text);
  ShellContext at() const;
  // A backslash stands just before this point: it would escape what comes next.
  bool escape_pending() const { return escaped_; }

 private:
  enum class Frame : unsigned char { Command, Subst, Backtick, Single, AnsiC, Double, Arith, Param, HereDoc, QuotedHereDoc, Comment };
  struct Word {
    std::string text;  // quotes removed; only the first bytes are kept
    bool redirect = false;
  };
  struct Level {
    Level(Frame f = Frame::Command, char c = ')', int d = 0) : frame(f), close(c), depth(d) {}
    Frame frame = Frame::Command;
    char close = ')';         // Arith: the closing bracket
    int depth = 0;            // Arith, Command levels: open parentheses
    bool code = false;        // HereDoc: its body is a script another interpreter runs
    std::vector<Word> words;  // Command levels: the finished words of the simple command
    Word word;                // and the one being read (Param: the text so far)
    bool in_word = false;
    bool command() const { return frame <= Frame::Backtick; }
  };

  void step(std::string_view t, std::size_t& i);
  void command_char(std::string_view t, std::size_t& i);
  bool dollar(std::string_view t, std::size_t& i);  // $( $(( ${ $[ $'
  void end_word(Level& l);
  void add(Level& l, char c);
  std::size_t read_heredoc_word(std::string_view t, std::size_t i, bool code);
  void heredoc_char(char c);

  std::vector<Level> stack_;  // the open quotes and substitutions, innermost last
  bool escaped_ = false;
  bool pending_ = false, pending_quoted_ = false, pending_code_ = false, strip_tabs_ = false;
  std::string delimiter_, line_;
};

}  // namespace sink
