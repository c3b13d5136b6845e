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

// A shell variable name: letters, digits and _, not starting with a digit.
bool is_shell_name(std::string_view w);

// The environment variable that carries `name` into a script: SINK_git_name, and
// SINKENV_PATH for env.PATH (so that it cannot meet a fact `env_PATH`).
std::string shell_var(std::string_view name);

// The names that `script` refers to as $SINK_name or ${SINK_name}: sink passes those values
// in the environment too, for code another shell runs (sh -c '..."$SINK_x"').
std::vector<std::string_view> value_refs(std::string_view script);

// Follows quotes, backslashes, line continuations, comments, $( ), ${ }, $(( )), backticks,
// here-documents and the words of each simple command through the text fed.
class ShellQuoteTracker {
 public:
  void feed(std::string_view text);
  ShellContext at() const;
  // A backslash stands just before this point: it would escape what comes next.
  bool escape_pending() const { return escaped_; }

 private:
  enum class Frame : unsigned char {
    Command, Subst, Backtick, Single, AnsiC, Double, Arith, Param, Comment,
    HereDoc, CodeHereDoc, QuotedHereDoc  // the body of a here-document (CodeHereDoc: fed to a shell)
  };
  struct Level {
    Frame frame = Frame::Command;
    int depth = 0;                     // Arith, command levels: open parentheses
    bool in_word = false;              // command levels: a word is being read
    bool redirect = false;             // and it is a redirection (2>/dev/null), no word of the command
    std::vector<std::string> words{};  // command levels: the finished words of the simple command
    std::string word{};                // and the one being read, unquoted, its first bytes (Param: its text)
    bool command() const { return frame <= Frame::Backtick; }
    bool heredoc() const { return frame >= Frame::HereDoc; }
  };

  void step(std::string_view t, std::size_t& i);
  void command_char(std::string_view t, std::size_t& i);
  void keep(char c);
  static void end_word(Level& l);

  std::vector<Level> stack_ = std::vector<Level>(1);  // the script's command level, then what is open in it
  bool escaped_ = false, strip_tabs_ = false;
  Frame pending_ = Frame::Command;  // the here-document whose body starts at the next newline, if any
  std::string delimiter_, line_;
};

}  // namespace sink
