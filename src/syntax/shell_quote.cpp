#include "syntax/shell_quote.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <span>
#include <utility>

#include "syntax/lexicon.hpp"

namespace sink {

namespace {

constexpr std::size_t kKept = 64;  // bytes of a word kept: enough to name a command or option
using Words = std::span<const std::string>;

bool any_of(std::string_view w, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), w) != names.end();
}
bool has(std::string_view letters, char c) { return letters.find(c) != std::string_view::npos; }
bool assignment(std::string_view w) { return has(w, '=') && is_shell_name(w.substr(0, w.find('='))); }

// Commands that run another command given as their remaining words: the letters of their
// options that take an argument, and how many operands come before the command.
struct Wrapper {
  std::string_view name, with_arg;
  std::size_t operands;
};
constexpr Wrapper kWrappers[] = {
    {"env", "uCS", 0},        {"sudo", "ugCDprtUTRh", 0}, {"doas", "uC", 0},     {"nice", "n", 0},
    {"nohup", "", 0},         {"timeout", "sk", 1},       {"setsid", "", 0},     {"stdbuf", "ioe", 0},
    {"ionice", "cnp", 0},     {"chrt", "", 1},            {"taskset", "", 1},    {"chroot", "", 1},
    {"xargs", "InLPsdEa", 0}, {"unshare", "", 0},         {"nsenter", "tSG", 0}, {"busybox", "", 0},
    {"time", "fo", 0},        {"exec", "a", 0},           {"command", "", 0},    {"builtin", "", 0},
    {"flock", "wE", 1},       {"caffeinate", "tw", 0},    {"ssh", "bcDEeFIiJLlmOopQRSWw", 0}};

struct Reading {
  ShellContext next = ShellContext::Normal;  // what the word being read is (CodeString, Arith, Test, Normal)
  bool stdin_code = false;                   // the command runs a script read from its standard input
};

// What the word after `w` (of which `partial` is read so far) is to the command `w` begins.
Reading classify(Words w, std::string_view partial) {
  using C = ShellContext;
  // Variables the shell expands again later, running command substitutions in them.
  for (const std::string_view v : {"PS1=", "PS2=", "PS4=", "PROMPT_COMMAND=", "ENV=", "BASH_ENV="})
    if (partial.starts_with(v)) return {C::CodeString};
  std::size_t i = 0;
  std::string_view cmd;
  while (true) {  // through reserved words, assignments and wrappers to the command they run
    while (i < w.size() &&
           (assignment(w[i]) || any_of(w[i], {"!", "{", "if", "then", "elif", "else", "do", "while", "until"})))
      ++i;
    if (i == w.size()) {  // a[i]=...: bash evaluates the subscript
      const bool subscript =
          has(partial, '[') && !has(partial, ']') && is_shell_name(partial.substr(0, partial.find('[')));
      return {subscript ? C::Arith : C::Normal};
    }
    cmd = w[i++];
    cmd.remove_prefix(cmd.rfind('/') + 1);
    if (cmd == "find") {
      while (i < w.size() && !any_of(w[i], {"-exec", "-execdir", "-ok", "-okdir"})) ++i;
      if (i++ == w.size()) return {};
      continue;
    }
    const auto* wrap = std::ranges::find(kWrappers, cmd, &Wrapper::name);
    if (wrap == std::end(kWrappers)) break;
    for (; i < w.size() && w[i].size() > 1 && w[i][0] == '-'; ++i) {
      if (w[i] == "--") {
        ++i;
        break;
      }
      if (cmd == "env" && w[i].starts_with("-S"))
        return {w[i] == "-S" && i + 1 == w.size() ? C::CodeString : C::Normal};
      if (w[i].size() == 2 && has(wrap->with_arg, w[i][1])) ++i;
    }
    if (cmd == "ssh") return {i < w.size() ? C::CodeString : C::Normal, i + 1 == w.size()};  // the host, then code
    i = std::min(w.size(), i + wrap->operands);
    if (cmd == "flock" && i < w.size() && any_of(w[i], {"-c", "--command"})) break;
    if (cmd == "sudo" && i == w.size())  // sudo -s and sudo -i run a shell, which reads its input
      return {C::Normal, std::ranges::any_of(w, [](auto& a) { return a == "-s" || a == "-i"; })};
  }
  const Words args = w.subspan(i);
  if (any_of(cmd, {"eval", "watch", "alias"})) return {C::CodeString};  // eval joins the words; watch runs them in sh
  if (cmd == "trap") return {args.empty() || (args.size() == 1 && args[0] == "--") ? C::CodeString : C::Normal};
  if (cmd == "let") return {C::Arith};
  if (cmd == "[[") return {std::find(args.begin(), args.end(), "]]") == args.end() ? C::Test : C::Normal};
  auto integer = [](std::string_view a) { return a.starts_with('-') && !a.starts_with("--") && has(a, 'i'); };
  if (any_of(cmd, {"declare", "typeset", "local", "readonly", "export"}))  // declare -i n=...
    return {std::ranges::any_of(args, integer) ? C::Arith : C::Normal};
  if (any_of(cmd, {"su", "runuser", "script", "flock"})) {  // -c CODE or --command CODE among other words
    if (partial.starts_with("--command=") || partial.starts_with("--session-command=")) return {C::CodeString};
    const bool after = !args.empty() && any_of(args.back(), {"-c", "--command", "--session-command"});
    const bool given = std::ranges::any_of(
        args, [](auto& a) { return a == "-c" || a.starts_with("--command") || a.starts_with("--session-command"); });
    return {after ? C::CodeString : C::Normal, !given && cmd != "flock" && cmd != "script"};
  }
  const bool shell =
      any_of(cmd, {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", "lksh", "rbash", "fish"});
  const bool interpreter =
      any_of(cmd, {"python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php", "lua", "Rscript", "tclsh"});
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
    const char letter = a.back();
    if (a.starts_with("--")) {
      const bool code_arg = any_of(a, {"--command", "--eval", "--expression", "--print", "--source"});
      if (code_arg || any_of(a, {"--file", "--rcfile", "--init-file"})) {
        if (last && code_arg) return {C::CodeString};
        program_given = program_given || a == "--expression" || a == "--file";
        ++k;
      }
    } else if (shell) {
      code_option = code_option || (a[0] == '-' && has(a, 'c'));
      if (a.find_first_of("oO") != std::string_view::npos) ++k;  // -o NAME
    } else if ((interpreter && (has("eE", letter) || (a.size() == 2 && has("cr", letter)))) || (sed && a == "-e")) {
      if (last) return {C::CodeString};  // perl -ne CODE, python -c CODE
      program_given = true;
      ++k;
    } else if (a.size() == 2 && has(awk ? "fvF" : sed ? "fl" : "", letter)) {
      program_given = program_given || letter == 'f';
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
  p.remove_prefix(std::min(p.find_first_not_of("#!"), p.size()));
  p.remove_prefix(lex::leading_word(p).size());  // the name
  if (p.starts_with('[')) return !has(p, ']');
  return p.starts_with(':') && (p.size() == 1 || !has("-=+?", p[1]));
}

}  // namespace

bool is_shell_name(std::string_view w) {
  return !w.empty() && !std::isdigit(static_cast<unsigned char>(w[0])) && std::ranges::all_of(w, lex::is_word_char);
}

std::string shell_var(std::string_view name) {
  if (name.starts_with(lex::env_prefix)) return "SINKENV_" + std::string(name.substr(lex::env_prefix.size()));
  return "SINK_" + std::string(name);
}

std::vector<std::string_view> value_refs(std::string_view s) {
  std::vector<std::string_view> out;
  for (auto i = s.find("SINK_"); i != std::string_view::npos; i = s.find("SINK_", i + 1)) {
    const std::string_view before = s.substr(0, i), name = lex::leading_word(s.substr(i + 5));
    if (!name.empty() && (before.ends_with('$') || before.ends_with("${"))) out.push_back(name);
  }
  return out;
}

void ShellQuoteTracker::feed(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) step(text, i);
}

ShellContext ShellQuoteTracker::at() const {
  using C = ShellContext;
  C found = C::Normal;
  for (const Level& l : stack_) {
    C here = l.command() ? classify(l.words, l.word).next : C::Normal;
    if (l.frame == Frame::Arith || (l.frame == Frame::Param && param_arith(l.word))) here = C::Arith;
    if (l.frame == Frame::CodeHereDoc || here == C::CodeString)
      return stack_.back().frame == Frame::QuotedHereDoc ? C::QuotedHereDoc : C::CodeString;
    if (here != C::Normal && found != C::Arith) found = here;
  }
  if (found != C::Normal) return found;
  switch (stack_.back().frame) {  // the bottom level is a command: a ${ has one around it
    case Frame::Single:
    case Frame::AnsiC: return C::Single;
    case Frame::Double: return C::Double;
    case Frame::Param: return stack_[stack_.size() - 2].frame == Frame::Double ? C::Double : C::Normal;
    case Frame::HereDoc: return C::HereDoc;
    case Frame::QuotedHereDoc: return C::QuotedHereDoc;
    case Frame::Comment: return C::Comment;
    default: return C::Normal;
  }
}

// A character of the word being read (quoted text is part of the word around the quotes)
// or of the here-document's line.
void ShellQuoteTracker::keep(char c) {
  Level& top = stack_.back();
  if (top.heredoc()) return line_.push_back(c);
  Level& l = top.command() || top.frame == Frame::Param ? top : stack_[stack_.size() - 2];
  if (&l != &top && !l.command()) return;  // quoted text inside ${...} is no word of a command
  l.in_word = true;
  if (l.word.size() < kKept) l.word += c;
}

void ShellQuoteTracker::end_word(Level& l) {
  if (l.in_word && !l.redirect) l.words.push_back(std::move(l.word));
  l.word.clear();
  l.in_word = l.redirect = false;
}

void ShellQuoteTracker::step(std::string_view t, std::size_t& i) {
  const char c = t[i];
  Level& top = stack_.back();
  const Frame f = top.frame;
  // What opens inside a command level, "..." (no quotes there) and ${...}.
  static constexpr std::pair<std::string_view, Frame> kOpeners[] = {
      {"$((", Frame::Arith}, {"$(", Frame::Subst},   {"${", Frame::Param},  {"$[", Frame::Arith},
      {"$'", Frame::AnsiC},  {"`", Frame::Backtick}, {"'", Frame::Single}, {"\"", Frame::Double}};
  if (std::exchange(escaped_, false)) {
    if (c != '\n' || f == Frame::AnsiC) keep(c);  // a backslash-newline is a line continuation
  } else if (top.heredoc() && c != '\n') {
    keep(c);
    escaped_ = c == '\\' && f != Frame::QuotedHereDoc;
  } else if (top.heredoc()) {
    std::string_view line = line_;
    if (strip_tabs_) line.remove_prefix(std::min(line.find_first_not_of('\t'), line.size()));
    if (line == delimiter_) stack_.pop_back();
    line_.clear();
  } else if (f == Frame::Comment) {
    if (c != '\n') return;
    stack_.pop_back();
    step(t, i);  // the newline ends the command, and may start a here-document
  } else if (f == Frame::Arith) {
    if (c == '(' || c == '[') ++top.depth;
    else if ((c == ')' || c == ']') && --top.depth == 0) stack_.pop_back();
  } else if (c == '\\' && f != Frame::Single) {
    escaped_ = true;
  } else if (((f == Frame::Single || f == Frame::AnsiC) && c == '\'') || (f == Frame::Double && c == '"') ||
             (f == Frame::Param && c == '}') || (f == Frame::Backtick && c == '`') ||
             (f == Frame::Subst && c == ')' && top.depth == 0)) {
    stack_.pop_back();
  } else if (f == Frame::Single || f == Frame::AnsiC) {
    keep(c);
  } else {
    for (const auto& [text, frame] : kOpeners) {
      if (!t.substr(i).starts_with(text) || (f == Frame::Double && has(text, '\''))) continue;
      top.in_word = true;
      stack_.push_back({frame, frame == Frame::Arith ? static_cast<int>(text.size()) - 1 : 0});  // $(( or $[
      i += text.size() - 1;
      return;
    }
    if (top.command()) command_char(t, i);
    else keep(c);
  }
}

// A character of a command level, outside quotes, that opens nothing.
void ShellQuoteTracker::command_char(std::string_view t, std::size_t& i) {
  const char c = t[i];
  Level& top = stack_.back();
  const bool redirecting = !top.word.empty() && (top.word.back() == '>' || top.word.back() == '<');
  if (c == ' ' || c == '\t') {
    end_word(top);
  } else if (c == '\n' || c == ';' || ((c == '&' || c == '|') && !redirecting)) {  // but 2>&1, >|
    top = {top.frame, top.depth};
    if (c == '\n' && pending_ != Frame::Command) {
      stack_.push_back({std::exchange(pending_, Frame::Command)});
      line_.clear();
    }
  } else if (c == '#' && !top.in_word) {
    stack_.push_back({Frame::Comment});
  } else if (c == '(' && !top.in_word && top.words.empty() && t.substr(i + 1, 1) == "(") {
    stack_.push_back({Frame::Arith, 2});  // (( ... ))
    ++i;
  } else if (c == '(' || (c == ')' && top.depth > 0)) {  // a subshell, a function body
    top = {top.frame, top.depth + (c == '(' ? 1 : -1)};
  } else if (t.substr(i, 2) == "<<" && t.substr(i, 3) != "<<<") {
    // A here-document: an optional `-`, blanks, then the delimiter word, perhaps quoted.
    const bool code = classify(top.words, "").stdin_code;
    end_word(top);
    strip_tabs_ = t.substr(i + 2, 1) == "-";
    const std::size_t start = std::min(t.find_first_not_of(" \t", i + 2 + strip_tabs_), t.size());
    const std::size_t end = std::min(t.find_first_of(" \t\n;|&<>)", start), t.size());
    std::string word(t.substr(start, end - start));
    const bool quoted = std::erase_if(word, [](char q) { return q == '\'' || q == '"' || q == '\\'; }) > 0;
    if (!word.empty()) {
      pending_ = quoted ? Frame::QuotedHereDoc : code ? Frame::CodeHereDoc : Frame::HereDoc;
      delimiter_ = std::move(word);
    }
    i = end - 1;  // the caller's loop steps past the last character read
  } else {
    top.redirect = top.redirect || c == '<' || c == '>';
    keep(c);
  }
}

}  // namespace sink
