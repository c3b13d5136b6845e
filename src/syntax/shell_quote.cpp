#include "syntax/shell_quote.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "syntax/lexicon.hpp"

namespace sink {

namespace {

constexpr std::size_t kKept = 64;  // bytes of a word kept: enough to name a command or option
using Words = std::vector<std::string_view>;
using Names = std::initializer_list<std::string_view>;

template <typename List>
bool any_of(std::string_view w, const List& names) { return std::find(std::begin(names), std::end(names), w) != std::end(names); }
bool any_of(std::string_view w, Names names) { return std::find(names.begin(), names.end(), w) != names.end(); }
bool starts(std::string_view w, std::string_view p) { return w.substr(0, p.size()) == p; }
bool short_opt(std::string_view w) { return w.size() > 1 && w[0] == '-' && w[1] != '-'; }
std::string_view base(std::string_view w) { return w.substr(w.rfind('/') + 1); }
bool assignment(std::string_view w) {
  const auto eq = w.find('=');
  return eq != 0 && eq != std::string_view::npos && (std::isalpha(static_cast<unsigned char>(w[0])) || w[0] == '_') &&
         std::all_of(w.begin(), w.begin() + static_cast<long>(eq), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Commands that run another command given as their remaining words: the letters of their
// options that take an argument, and how many operands come before the command.
struct Wrapper {
  std::string_view name, with_arg;
  std::size_t operands;
};
constexpr Wrapper kWrappers[] = {
    {"env", "uCS", 0},   {"sudo", "ugCDprtUTRh", 0}, {"doas", "uC", 0}, {"nice", "n", 0},    {"nohup", "", 0},
    {"timeout", "sk", 1}, {"setsid", "", 0},          {"stdbuf", "ioe", 0}, {"ionice", "cnp", 0}, {"chrt", "", 1},
    {"taskset", "", 1},   {"chroot", "", 1},          {"xargs", "InLPsdEa", 0}, {"unshare", "", 0}, {"nsenter", "tSG", 0},
    {"busybox", "", 0},   {"time", "fo", 0},          {"exec", "a", 0},   {"command", "", 0}, {"builtin", "", 0},
    {"flock", "wE", 1},   {"caffeinate", "tw", 0},    {"watch", "nd", 0}, {"ssh", "bcDEeFIiJLlmOopQRSWw", 1}};
// Code in every remaining word (eval joins them; watch and ssh hand them to a shell).
constexpr std::string_view kEvalLike[] = {"eval", "watch", "ssh", "alias"};
constexpr std::string_view kShells[] = {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", "lksh", "rbash", "fish"};
constexpr std::string_view kInterpreters[] = {"python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php", "lua", "Rscript", "tclsh"};
// Taking `-c CODE` or `--command CODE` among other options and operands.
constexpr std::string_view kCommandOption[] = {"su", "runuser", "script", "flock"};
// Variables the shell expands again later, running command substitutions in them.
constexpr std::string_view kCodeVariables[] = {"PS1=", "PS2=", "PS4=", "PROMPT_COMMAND=", "ENV=", "BASH_ENV="};

struct Reading {
  ShellContext next = ShellContext::Normal;  // what the word being read is (CodeString, Arith, Test, Normal)
  bool stdin_code = false;                   // the command runs a script read from its standard input
};

// What the word after `w` (of which `partial` is read so far) is to the command `w` begins.
Reading classify(Words w, std::string_view partial) {
  using C = ShellContext;
  if (std::any_of(std::begin(kCodeVariables), std::end(kCodeVariables), [&](auto v) { return starts(partial, v); })) return {C::CodeString};
  std::size_t i = 0;
  std::string_view cmd;
  while (true) {  // through reserved words, assignments and wrappers to the command they run
    while (i < w.size() && (assignment(w[i]) || any_of(w[i], {"!", "{", "if", "then", "elif", "else", "do", "while", "until"}))) ++i;
    if (i == w.size()) {
      const auto bracket = partial.find('[');
      if (bracket != std::string_view::npos && partial.find(']') == std::string_view::npos && partial.substr(0, bracket).find('=') == std::string_view::npos &&
          assignment(std::string(partial.substr(0, bracket)) + "="))
        return {C::Arith};  // a[i]=...: bash evaluates the subscript
      return {};
    }
    cmd = base(w[i++]);
    if (cmd == "find") {
      while (i < w.size() && !any_of(w[i], {"-exec", "-execdir", "-ok", "-okdir"})) ++i;
      if (i++ == w.size()) return {};
      continue;
    }
    const auto* wrap = std::find_if(std::begin(kWrappers), std::end(kWrappers), [&](const Wrapper& x) { return x.name == cmd; });
    if (wrap == std::end(kWrappers) || any_of(cmd, kEvalLike)) break;
    for (; i < w.size() && w[i].size() > 1 && w[i][0] == '-'; ++i) {
      if (w[i] == "--") {
        ++i;
        break;
      }
      if (cmd == "env" && starts(w[i], "-S")) return {w[i] == "-S" && i + 1 == w.size() ? C::CodeString : C::Normal};
      if (short_opt(w[i]) && w[i].size() == 2 && wrap->with_arg.find(w[i][1]) != std::string_view::npos) ++i;
    }
    i = std::min(w.size(), i + wrap->operands);  // past the words, after an option that lacks its argument
    if (cmd == "flock" && i < w.size() && any_of(w[i], {"-c", "--command"})) break;
    if (cmd == "sudo" && i == w.size()) return {C::Normal, std::any_of(w.begin(), w.end(), [](auto a) { return a == "-s" || a == "-i"; })};
  }
  const Words args(w.begin() + static_cast<long>(i), w.end());
  if (any_of(cmd, kEvalLike)) {
    // ssh: options, then the host, then the remote command
    if (cmd == "ssh" || cmd == "watch") {
      std::size_t k = 0;
      for (; k < args.size() && args[k].size() > 1 && args[k][0] == '-' && args[k] != "--"; ++k)
        if (args[k].size() == 2 && std::string_view(cmd == "ssh" ? "bcDEeFIiJLlmOopQRSWw" : "nd").find(args[k][1]) != std::string_view::npos) ++k;
      if (k < args.size() && args[k] == "--") ++k;
      if (cmd == "ssh") return {k >= args.size() ? C::Normal : C::CodeString, k + 1 == args.size()};  // the host first
    }
    return {C::CodeString};
  }
  if (cmd == "trap") return {args.empty() || (args.size() == 1 && args[0] == "--") ? C::CodeString : C::Normal};
  if (cmd == "let") return {C::Arith};
  if (cmd == "[[") return {std::find(args.begin(), args.end(), "]]") == args.end() ? C::Test : C::Normal};
  if (any_of(cmd, {"declare", "typeset", "local", "readonly", "export"}))
    return {std::any_of(args.begin(), args.end(), [](auto a) { return short_opt(a) && a.find('i') != std::string_view::npos; }) ? C::Arith : C::Normal};
  if (any_of(cmd, kCommandOption)) {
    if (starts(partial, "--command=") || starts(partial, "--session-command=")) return {C::CodeString};
    const bool after = !args.empty() && any_of(args.back(), {"-c", "--command", "--session-command"});
    const bool given = std::any_of(args.begin(), args.end(), [](auto a) { return a == "-c" || starts(a, "--command") || starts(a, "--session-command"); });
    return {after ? C::CodeString : C::Normal, !given && cmd != "flock" && cmd != "script"};
  }
  const bool shell = any_of(cmd, kShells), interpreter = any_of(cmd, kInterpreters);
  const bool awk = any_of(cmd, {"awk", "gawk", "mawk", "nawk"}), sed = any_of(cmd, {"sed", "gsed"});
  if (!shell && !interpreter && !awk && !sed) return {};
  // Options, then operands. The code is the word after a code option (-c CODE for shells and
  // python, -e CODE for perl, ruby, node and sed), or, for shells after -c and for awk and sed
  // without a program option, the first operand.
  bool code_option = false, program_given = false;
  std::size_t k = 0;
  for (; k < args.size(); ++k) {
    const std::string_view a = args[k];
    if (a == "--" || a == "-") {
      ++k;
      break;
    }
    if (a.size() < 2 || (a[0] != '-' && !(shell && a[0] == '+'))) break;
    const bool last = k + 1 == args.size();
    if (starts(a, "--")) {
      if (any_of(a, {"--command", "--eval", "--expression", "--print", "--file", "--rcfile", "--init-file", "--source"})) {
        if (last && !any_of(a, {"--file", "--rcfile", "--init-file"})) return {C::CodeString};
        program_given = program_given || a == "--expression" || a == "--file";
        ++k;
      }
      continue;
    }
    const char letter = a.back();
    if (shell) {
      if (a[0] == '-' && a.find('c') != std::string_view::npos) code_option = true;
      if (a.find_first_of("oO") != std::string_view::npos) ++k;  // -o NAME
    } else if (a.size() == 2 && ((interpreter && (letter == 'c' || letter == 'e' || letter == 'E' || letter == 'r')) || (sed && letter == 'e'))) {
      if (last) return {C::CodeString};
      program_given = true;
      ++k;
    } else if ((interpreter || sed || awk) && a.size() == 2 && std::string_view(awk ? "fvF" : sed ? "fl" : "").find(letter) != std::string_view::npos) {
      program_given = program_given || letter == 'f';
      ++k;
    } else if (interpreter && short_opt(a) && (letter == 'e' || letter == 'E')) {  // perl -ne CODE
      if (last) return {C::CodeString};
      program_given = true;
      ++k;
    }
  }
  const bool first_operand = k == args.size();
  if (shell && code_option) return {first_operand ? C::CodeString : C::Normal};
  if ((awk || sed) && !program_given) return {first_operand ? C::CodeString : C::Normal};
  return {C::Normal, (shell || interpreter) && !program_given && first_operand};
}

// What a ${...} whose text so far is `p` makes of a value: an array subscript or a
// substring's offset and length are arithmetic.
bool param_arith(std::string_view p) {
  std::size_t n = 0;
  while (n < p.size() && (p[n] == '#' || p[n] == '!')) ++n;
  while (n < p.size() && (std::isalnum(static_cast<unsigned char>(p[n])) || p[n] == '_')) ++n;
  if (n == p.size()) return false;
  if (p[n] == '[') return p.find(']', n) == std::string_view::npos;
  return p[n] == ':' && (n + 1 == p.size() || std::string_view("-=+?").find(p[n + 1]) == std::string_view::npos);
}

}  // namespace

std::string shell_var(std::string_view name) {
  if (name.substr(0, lex::env_prefix.size()) == lex::env_prefix) return "SINKENV_" + std::string(name.substr(lex::env_prefix.size()));
  return "SINK_" + std::string(name);
}

void value_refs(std::string_view s, std::vector<std::string_view>& out) {
  for (auto i = s.find("SINK_"); i != std::string_view::npos; i = s.find("SINK_", i + 1)) {
    if (!(i >= 1 && s[i - 1] == '$') && !(i >= 2 && s[i - 1] == '{' && s[i - 2] == '$')) continue;
    auto e = i + 5;
    while (e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '_')) ++e;
    if (e > i + 5) out.push_back(s.substr(i + 5, e - i - 5));
  }
}

void ShellQuoteTracker::feed(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) step(text, i);
}

ShellContext ShellQuoteTracker::at() const {
  using C = ShellContext;
  C found = C::Normal;
  for (const Level& l : stack_) {
    C here = C::Normal;
    if (l.command()) {
      Words words;
      for (const Word& w : l.words)
        if (!w.redirect) words.push_back(w.text);
      here = classify(words, l.word.text).next;
    } else if (l.frame == Frame::Arith || (l.frame == Frame::Param && param_arith(l.word.text))) {
      here = C::Arith;
    } else if (l.frame == Frame::HereDoc && l.code) {
      here = C::CodeString;
    }
    if (here == C::CodeString) return stack_.back().frame == Frame::QuotedHereDoc ? C::QuotedHereDoc : C::CodeString;
    if (here != C::Normal && found != C::Arith) found = here;
  }
  if (found != C::Normal) return found;
  switch (stack_.back().frame) {
    case Frame::Single:
    case Frame::AnsiC: return C::Single;
    case Frame::Double: return C::Double;
    case Frame::Param: return stack_.size() > 1 && stack_[stack_.size() - 2].frame == Frame::Double ? C::Double : C::Normal;
    case Frame::HereDoc: return C::HereDoc;
    case Frame::QuotedHereDoc: return C::QuotedHereDoc;
    case Frame::Comment: return C::Comment;
    default: return C::Normal;
  }
}

void ShellQuoteTracker::add(Level& l, char c) {
  l.in_word = true;
  if (l.word.text.size() < kKept) l.word.text += c;
}

void ShellQuoteTracker::end_word(Level& l) {
  if (l.in_word) l.words.push_back(std::move(l.word));
  l.word = {};
  l.in_word = false;
}

void ShellQuoteTracker::step(std::string_view t, std::size_t& i) {
  const char c = t[i];
  Level& top = stack_.back();
  // The command level a quoted part belongs to: its text is part of that level's word.
  Level* outer = stack_.size() > 1 && stack_[stack_.size() - 2].command() ? &stack_[stack_.size() - 2] : nullptr;
  if (escaped_) {
    escaped_ = false;
    if (c == '\n' && top.frame != Frame::AnsiC) return;  // a line continuation joins the lines
    if (top.command()) add(top, c);
    else if (top.frame == Frame::HereDoc) line_ += c;
    else if (top.frame == Frame::Param) add(top, c);
    else if (outer) add(*outer, c);
    return;
  }
  switch (top.frame) {
    case Frame::HereDoc:
    case Frame::QuotedHereDoc: heredoc_char(c); return;
    case Frame::Comment:
      if (c != '\n') return;
      stack_.pop_back();
      step(t, i);  // the newline ends the command, and may start a here-document
      return;
    case Frame::Single:
      if (c == '\'') stack_.pop_back();
      else if (outer) add(*outer, c);
      return;
    case Frame::AnsiC:
      if (c == '\\') escaped_ = true;
      else if (c == '\'') stack_.pop_back();
      else if (outer) add(*outer, c);
      return;
    case Frame::Double:
    case Frame::Param:
      if (c == '\\') escaped_ = true;
      else if (c == (top.frame == Frame::Double ? '"' : '}')) stack_.pop_back();
      else if (c == '`') stack_.push_back({Frame::Backtick});
      else if (c == '$' && dollar(t, i)) return;
      else if (top.frame == Frame::Param && (c == '\'' || c == '"')) stack_.push_back({c == '"' ? Frame::Double : Frame::Single});
      else if (top.frame == Frame::Param) add(top, c);
      else if (outer) add(*outer, c);
      return;
    case Frame::Arith:
      if (c == '(' || c == '[') ++top.depth;
      else if ((c == ')' || c == ']') && --top.depth == 0) stack_.pop_back();
      return;
    default: command_char(t, i);
  }
}

// $( $(( ${ $[ $' at t[i]: opens what it opens and returns true; false for a plain $.
bool ShellQuoteTracker::dollar(std::string_view t, std::size_t& i) {
  const char next = i + 1 < t.size() ? t[i + 1] : '\0';
  const bool in_double = stack_.back().frame == Frame::Double;
  if (next == '(' && i + 2 < t.size() && t[i + 2] == '(') stack_.push_back({Frame::Arith, ')', 2});
  else if (next == '(') stack_.push_back({Frame::Subst});
  else if (next == '{') stack_.push_back({Frame::Param});
  else if (next == '[') stack_.push_back({Frame::Arith, ']', 1});
  else if (next == '\'' && !in_double) stack_.push_back({Frame::AnsiC});
  else return false;
  i += stack_.back().frame == Frame::Arith ? static_cast<std::size_t>(stack_.back().depth) : 1;
  return true;
}

void ShellQuoteTracker::command_char(std::string_view t, std::size_t& i) {
  const char c = t[i];
  Level& l = stack_.back();
  const std::string_view word = l.word.text;
  const bool after_redirect = !word.empty() && (word.back() == '>' || word.back() == '<');
  if (c == ' ' || c == '\t') {
    end_word(l);
  } else if ((c == '&' || c == '|') && after_redirect) {  // 2>&1, >|
    add(l, c);
  } else if (c == '\n' || c == ';' || c == '&' || c == '|') {
    end_word(l);
    l.words.clear();
    if (c == '\n' && pending_) {
      stack_.push_back({pending_quoted_ ? Frame::QuotedHereDoc : Frame::HereDoc});
      stack_.back().code = pending_code_;
      pending_ = false;
      line_.clear();
    }
  } else if (c == '\\') {
    escaped_ = true;
  } else if (c == '#' && !l.in_word) {
    stack_.push_back({Frame::Comment});
  } else if (c == '\'' || c == '"') {
    l.in_word = true;
    stack_.push_back({c == '"' ? Frame::Double : Frame::Single});
  } else if (c == '`') {
    if (l.frame == Frame::Backtick) stack_.pop_back();
    else {
      l.in_word = true;
      stack_.push_back({Frame::Backtick});
    }
  } else if (c == '$' && (l.in_word = true, dollar(t, i))) {
  } else if (c == '(' && !l.in_word && l.words.empty() && i + 1 < t.size() && t[i + 1] == '(') {
    stack_.push_back({Frame::Arith, ')', 2});  // (( ... ))
    ++i;
  } else if (c == '(' || (c == ')' && l.depth > 0)) {  // a subshell, a function body
    l.depth += c == '(' ? 1 : -1;
    end_word(l);
    l.words.clear();
  } else if (c == ')' && l.frame == Frame::Subst) {
    stack_.pop_back();
  } else if (c == '<' && i + 1 < t.size() && t[i + 1] == '<' && (i + 2 >= t.size() || t[i + 2] != '<')) {
    Words words;
    for (const Word& w : l.words)
      if (!w.redirect) words.push_back(w.text);
    const bool code = classify(words, "").stdin_code;
    end_word(l);
    i = read_heredoc_word(t, i + 2, code);
  } else {
    if (c == '<' || c == '>') l.word.redirect = true;
    add(l, c);
  }
}

// After `<<`: an optional `-`, blanks, then the delimiter word, perhaps quoted.
std::size_t ShellQuoteTracker::read_heredoc_word(std::string_view t, std::size_t i, bool code) {
  strip_tabs_ = i < t.size() && t[i] == '-';
  if (strip_tabs_) ++i;
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
  std::string word;
  bool quoted = false;
  while (i < t.size() && std::string_view(" \t\n;|&<>)").find(t[i]) == std::string_view::npos) {
    if (t[i] == '\'' || t[i] == '"' || t[i] == '\\') quoted = true;
    else word += t[i];
    ++i;
  }
  if (!word.empty()) {
    pending_ = true;
    pending_quoted_ = quoted;
    pending_code_ = code;
    delimiter_ = word;
  }
  return i - 1;  // the caller's loop steps past the last character read
}

void ShellQuoteTracker::heredoc_char(char c) {
  if (c != '\n') {
    line_ += c;
    if (stack_.back().frame == Frame::HereDoc && c == '\\') escaped_ = true;
    return;
  }
  std::string_view line = line_;
  if (strip_tabs_)
    while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
  if (line == delimiter_) stack_.pop_back();
  line_.clear();
}

}  // namespace sink
