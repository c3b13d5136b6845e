// Names and expressions: what each name refers to, and whether conditions are well typed.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "check/checker_impl.hpp"
#include "check/values.hpp"
#include "syntax/shell_quote.hpp"
#include "util/suggest.hpp"
#include "util/utf8.hpp"
#include "util/version.hpp"

namespace sink {

void names_in(const ast::Text& text, std::vector<std::string_view>& out) {
  for (const auto& in : text.interps) out.push_back(in.name);
  for (const auto name : value_refs(text.text)) out.push_back(name);
}

std::vector<std::string_view> value_needs(const ast::Fact& f) {
  std::vector<std::string_view> out;
  names_in(f.value, out);
  if (f.default_value && f.default_value->kind == ast::Expr::Kind::String) names_in(*f.default_value->str, out);
  return out;
}

std::vector<std::string_view> value_needs(const ast::Ask& a) {
  std::vector<std::string_view> out;
  names_in(a.prompt, out);
  if (a.default_value) names_in(*a.default_value, out);
  return out;
}

namespace check {

namespace fs = std::filesystem;

namespace {

std::string_view describe(VType t) {
  constexpr std::string_view kNames[] = {"a string", "a bool", "an int",   "a version",
                                         "unknown",  "a string", "a number"};
  return kNames[static_cast<int>(t)];
}

// VType starts with lex::Type's four, in its order: a cast converts either way.
static_assert(VType::Version == static_cast<VType>(lex::Type::Version));

// Whether a literal's text is a value of `type` (Bool, Int or Version), read as the planner
// reads values.
bool fits(VType type, std::string_view text) {
  std::string why;
  return parse_value(static_cast<lex::Type>(type), text, why).has_value();
}

// A character of a command's name: a word character or `-`.
bool is_word_char(char c) { return lex::is_word_char(c) || c == '-'; }

// Where `word`, a word of text.text (a view into it), stands in `src`, the source of the
// string: its nth occurrence there if it is the nth in the text; else the whole string. An
// escape (\n, \t) before the word is a letter in the source, so any occurrence counts.
Span span_in(const std::string& src, const ast::Text& text, std::string_view word) {
  const auto offset = static_cast<std::size_t>(word.data() - text.text.data());
  std::size_t nth = 0;
  for (auto at = text.text.find(word); at < offset; at = text.text.find(word, at + 1)) ++nth;
  std::size_t at = 0;
  for (std::uint32_t line = 1; line < text.span.line; ++line) at = src.find('\n', at) + 1;
  for (at = src.find(word, at + text.span.col - 1); nth > 0 && at != std::string::npos; --nth)
    at = src.find(word, at + 1);
  if (at == std::string::npos) return text.span;
  const auto line = static_cast<std::uint32_t>(1 + std::count(src.data(), src.data() + at, '\n'));
  if (line > text.span.end_line) return text.span;
  const auto col = static_cast<std::uint32_t>(at - (src.rfind('\n', at) + 1) + 1);  // npos + 1 is 0
  return {text.span.file, line, col, line, col + static_cast<std::uint32_t>(word.size())};
}

// `os` and `distro` hold lower-case names of the platform table (distro: a distribution's
// ID, or darwin on macOS): a literal spelled another way can never be equal to them.
void check_platform_value(Diagnostics& diags, std::string_view builtin, const std::string& value, Span span,
                          lex::CmpOp op) {
  const bool os = builtin == "os";
  const lex::Platform* p = lex::find_platform(value);
  if (p && (os ? p->is_os : !p->is_os || p->name == "darwin")) return;
  const auto meant = lex::platform_meant(value);
  const bool lower = std::none_of(value.begin(), value.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
  const bool alias = std::any_of(lex::platform_aliases.begin(), lex::platform_aliases.end(),
                                 [&](const auto& a) { return a.alias == value; });
  if (!os && !p && lower && !alias) return;  // a distribution that the table does not list
  diags.add(W305, span,
            fmt::format("`{}` is never \"{}\": this comparison is always {}", builtin, value,
                        op == lex::CmpOp::Eq ? "false" : "true"),
            p && os ? "`" + value + "` is a distribution: compare `distro` with it"
            : p     ? "`" + value + "` is an OS: compare `os` with it"
            : meant ? "did you mean \"" + std::string(*meant) + "\"?"
                    : "`os` is one of " + lex::platform_list(true));
}

}  // namespace

VType fact_type(const ast::Fact& f) {
  if (!f.type_name) return VType::String;
  const auto t = lex::type_from_name(*f.type_name);
  return t ? static_cast<VType>(*t) : VType::Unknown;
}

Decl* Checker::lookup(std::string_view name) {
  const auto it = decls_.find(name);
  return it == decls_.end() ? nullptr : &it->second;
}

VType Checker::resolve(std::string_view name, Span span, Decl** decl) {
  if (name.starts_with(lex::env_prefix)) {
    const std::string_view var = name.substr(lex::env_prefix.size());
    if (env_names_.count(var)) return VType::String;
    const auto near = suggest(var, env_names_);
    diags_.add(E202, span, "unknown environment variable `" + std::string(name) + "`",
               near ? "did you mean `env." + *near + "`?"
                    : "read it with a fact, which can be required or have a default: fact " + utf8::ascii_lower(var) +
                          " = env \"" + std::string(var) + "\"");
    return VType::Unknown;
  }
  if (const auto* b = lex::find_builtin(name)) return static_cast<VType>(b->type);
  if (Decl* d = lookup(name)) {
    d->used = true;
    if (decl) *decl = d;
    if (d->clash) return VType::Unknown;
    if (!sees_[module_][d->module]) {
      const Module& target = program_.modules[d->module];
      const std::string rel =
          fs::path(target.name).lexically_relative(fs::path(program_.modules[module_].name).parent_path()).string();
      const std::string path = target.is_std ? target.name : rel.starts_with("../") ? rel : "./" + rel;
      diags_.add(E201, span, fmt::format("`{}` is defined in {}, which this file does not use", name, target.name),
                 "add `use \"" + path + "\"` at the top of this file");
      return VType::Unknown;
    }
    if (d->block && (where_ & ~d->where).any()) {  // not every machine here is one it has a value on
      const std::string names = names_of(*d->block);
      diags_.add(E214, span,
                 fmt::format("`{}` is declared inside `platform {}` ({}), so it has no value here, outside that block",
                             name, names, where_text(program_, d->block->span)),
                 "move its declaration out of the platform block, or move this use into a `platform " + names +
                     "` block");
      return VType::Unknown;
    }
    return d->type();
  }
  std::set<std::string_view> names;  // those this module sees, sorted: deterministic suggestions
  for (const auto& [known, d] : decls_)
    if (sees_[module_][d.module]) names.insert(known);
  for (const auto& b : lex::builtins) names.insert(b.name);
  const auto near = suggest(name, names);
  diags_.add(E201, span, fmt::format("unknown name `{}`", name),
             name == lex::kw_raw    ? "`raw` is a keyword: {{raw NAME}} inserts NAME as shell text"
             : lex::is_keyword(name) ? fmt::format("`{}` is a keyword, so no fact or question can have that name", name)
             : near ? "did you mean `" + *near + "`?"
                    : fmt::format("declare it with `fact {0} = ...` or `ask {0} \"...\"`, or use a built-in such as "
                                  "os, arch, home, user", name));
  return VType::Unknown;
}

void Checker::collect_std_helpers() {
  for (const auto& m : stdlib_modules()) {
    if (std::ranges::find(program_.modules, m.name, &Module::name) != program_.modules.end()) continue;
    // A helper stands at the start of a line (the first line of each module is a comment).
    for (std::size_t at = m.text.find("\nhelper "); at != std::string_view::npos; at = m.text.find("\nhelper ", at + 1)) {
      const std::size_t from = m.text.find(' ', at + 1) + 1;
      const std::string_view name = m.text.substr(from, m.text.find_first_of(" \n", from) - from);
      if (!name.empty() && name[0] != '_') std_helpers_.emplace(name, m.name);
    }
  }
}

// A std helper run where a command starts (after ; & | ( or a newline, `--`, then, do,
// sudo, ...) by a program that does not use its module: it would fail with status 127.
void Checker::check_std_helpers(const ast::Text& text) {
  if (std_helpers_.empty()) return;
  bool at_command = true;
  std::unordered_set<std::string_view> reported;
  text.visit(
      [&](std::string_view t) {
        for (std::size_t i = 0; i < t.size(); ++i) {
          if (!is_word_char(t[i])) {
            if (t[i] != ' ' && t[i] != '\t') at_command = std::string_view(";&|(\n{`!").find(t[i]) != t.npos;
            continue;
          }
          const auto end = static_cast<std::size_t>(std::find_if_not(t.begin() + i, t.end(), is_word_char) - t.begin());
          const std::string_view w = t.substr(i, end - i);
          const auto helper = at_command ? std_helpers_.find(w) : std_helpers_.end();
          if (helper != std_helpers_.end() && reported.insert(w).second)
            diags_.add(W306, span_in(program_.sources.get(text.span.file).text, text, w),
                       "`" + std::string(w) + "` is a helper of " + std::string(helper->second) +
                           ", which this program does not use: the command would not be found",
                       "add `use \"" + std::string(helper->second) + "\"` at the top of the Sinkfile");
          static constexpr std::string_view kLeaders[] = {"--", "then", "do", "else", "sudo", "exec", "time", "if", "while", "until", "nohup", "env"};
          at_command = std::find(std::begin(kLeaders), std::end(kLeaders), w) != std::end(kLeaders);
          i = end - 1;
        }
      },
      [&](const ast::Interp&) { at_command = false; });
}

void Checker::check_text(const ast::Text& text, TextUse use, const char* shown_in) {
  std::optional<ShellQuoteTracker> quotes;  // where each value stands in a command
  if (use == TextUse::Shell) {
    check_std_helpers(text);
    // "$SINK_name" in the script's own text uses that value.
    for (const auto name : value_refs(text.text))
      if (Decl* d = lookup(name)) d->used = true;
    if (text.has_interp()) quotes.emplace();
  }
  text.visit([&](std::string_view literal) { if (quotes) quotes->feed(literal); }, [&](const ast::Interp& in) {
    // A value reaches a command through a variable; in a here-document whose delimiter
    // is quoted, nothing expands, so the value would never arrive.
    const ShellContext at = quotes && !in.raw ? quotes->at() : ShellContext::Normal;
    if (at == ShellContext::QuotedHereDoc)
      diags_.add(E266, in.span, "{{" + in.name + "}} stands in a here-document whose delimiter is quoted, where nothing expands",
                 "write the delimiter without quotes (<<EOF instead of <<'EOF') so that the value arrives");
    else if (at == ShellContext::Single)
      diags_.add(E267, in.span, "{{" + in.name + "}} stands inside '...', where its text would be pasted into the quoted text",
                 "put it outside the single quotes (echo 'Hello, '{{" + in.name + "}}) or use \"...\"");
    else if (at == ShellContext::CodeString)
      diags_.add(E267, in.span, "{{" + in.name + "}} stands in code that another shell or interpreter runs (sh -c, eval, trap, su -c, a here-document fed to a shell, awk, sed, python -c), where its text would become code",
                 fmt::format("the value is already in the environment variable {0}, which the inner code inherits: write \"${0}\" "
                             "there instead (sh -c 'echo \"${0}\"'; ENVIRON[\"{0}\"] in awk). sudo, su and ssh do not pass the environment on",
                             shell_var(in.name)));
    Decl* d = nullptr;
    const VType type = resolve(in.name, in.span, &d);
    if (type == VType::Unknown) return;
    if ((at == ShellContext::Arith || at == ShellContext::Test) && type != VType::Int)
      diags_.add(E269, in.span, "{{" + in.name + "}} stands in " + (at == ShellContext::Test ? "[[ ]]" : "arithmetic") +
                       ", where bash evaluates its text as an expression (and can run code), but it is not an int",
                 at == ShellContext::Test ? "compare text with [ ] instead, or make the value an int: fact n: int = ..."
                                          : "make the value an int (fact n: int = sh \"...\", or fact n: int = \"{{answer}}\"): sink then checks it is a whole number before any step");
    if (((d && d->secret()) || secret_env(in.name)) && (in.raw || use == TextUse::Printed))
      diags_.add(E261, in.span,
                 (d && d->derived_secret ? "`" + in.name + "`, made from a secret,"
                  : !d                   ? "`" + in.name + "`, which a secret fact reads,"
                                         : "secret `" + in.name + "`") +
                     (in.raw ? " cannot be inserted raw" : " would be shown in " + std::string(shown_in)),
                 in.raw ? "drop `raw`: a secret reaches the command as a quoted value, never in its argument list"
                        : "sink never prints a secret; leave it out of this text");
    else if (in.raw && use != TextUse::Shell)
      diags_.add(E263, in.span, "`raw` only has a meaning in a shell command",
                 "write {{" + in.name + "}} here");
  });
}

VType Checker::type_of(const ast::Expr& e) {
  using K = ast::Expr::Kind;
  switch (e.kind) {
    case K::Name: return resolve(e.name, e.span);
    case K::String:
      check_text(*e.str, TextUse::Value);
      return VType::StringLit;
    case K::Int: return VType::IntLit;
    case K::Bool: return VType::Bool;
    case K::Not:
      expect_bool(*e.lhs, "not");
      return VType::Bool;
    case K::And:
    case K::Or:
      expect_bool(*e.lhs, e.kind == K::And ? "and" : "or");
      expect_bool(*e.rhs, e.kind == K::And ? "and" : "or");
      return VType::Bool;
    case K::Compare: {
      const VType l = type_of(*e.lhs);
      const VType r = type_of(*e.rhs);
      check_compare(e, l, r);
      return VType::Bool;
    }
  }
  return VType::Unknown;
}

void Checker::expect_bool(const ast::Expr& e, std::string_view keyword) {
  const VType t = type_of(e);
  if (t == VType::Bool || t == VType::Unknown) return;
  std::string hint = "use a name of type bool or a comparison";
  if (e.kind == ast::Expr::Kind::Name)
    hint = "compare it with something, as in: " + e.name +
           (t == VType::Version ? " >= \"1.0\""
            : t == VType::Int   ? " > 0"
                                : " == \"...\" (or declare a command's success as `fact " + e.name +
                                      ": bool = sh ...`)");
  else if (e.kind == ast::Expr::Kind::String && !e.str->has_interp() && (keyword == "when" || keyword == "skip if"))
    hint = fmt::format("did you mean `{} sh \"{}\"`? A string alone is not a condition", keyword, e.str->text);
  diags_.add(E231, e.span, fmt::format("`{}` needs a true/false value, but this is {}", keyword, describe(t)), hint);
}

void Checker::check_compare(const ast::Expr& e, VType l, VType r) {
  if (l == VType::Unknown || r == VType::Unknown) return;
  const bool ordering = e.op != lex::CmpOp::Eq && e.op != lex::CmpOp::Ne;
  auto mismatch = [&](const std::string& hint) {
    diags_.add(E230, e.span,
               fmt::format("cannot compare {} with {} using `{}`", describe(l), describe(r), lex::op_text(e.op)), hint);
  };
  const auto is_lit = [](VType t) { return t == VType::StringLit || t == VType::IntLit; };
  if (is_lit(l) && is_lit(r)) {  // no name to take a type from: a string is a string, a number an int
    if (l != r) mismatch("write both as numbers or both as strings");
    else if (ordering && l == VType::StringLit)
      mismatch("strings compare with == and != only; declare a fact as `version` or `int` to order it");
    return;
  }
  // A literal takes the type of the other side.
  const ast::Expr* lit = is_lit(l) ? e.lhs.get() : is_lit(r) ? e.rhs.get() : nullptr;
  const ast::Expr* name = lit == e.lhs.get() ? e.rhs.get() : e.lhs.get();
  const VType other = lit == e.lhs.get() ? r : l;  // with a literal, the type of both sides
  const bool is_int = lit && lit->kind == ast::Expr::Kind::Int;
  const bool plain_string = lit && !is_int && !lit->str->has_interp();  // its text is the literal
  if ((is_int || plain_string) && other == VType::Bool)
    return mismatch("compare a bool with true or false, or use it alone");
  if (is_int && other == VType::String)
    return mismatch(fmt::format("write the number as a string (\"{}\"), or declare the fact as `int`", lit->int_value));
  if (plain_string) {
    const ast::Str value = lit->str->text;
    if (other == VType::Version && !parse_version(value))
      return diags_.add(E234, lit->span, "\"" + value + "\" is not a version",
                        "a version has a number in it, as in \"20\" or \"3.12.1\"");
    if (other == VType::Int && !fits(VType::Int, value))
      return mismatch("compare an int with a whole number, as in: " + std::string(lex::op_text(e.op)) + " 8");
    // A question with choices can only equal one of them.
    const Decl* d = name->kind == ast::Expr::Kind::Name && !ordering ? lookup(name->name) : nullptr;
    if (d && d->ask && !d->ask->choices.empty() &&
        std::ranges::find(d->ask->choices, value, &ast::Text::literal) == d->ask->choices.end())
      diags_.add(W303, lit->span, "\"" + value + "\" is not one of the choices of `" + d->name() + "`",
                 "this comparison is always " + std::string(e.op == lex::CmpOp::Eq ? "false" : "true"));
    if (name->kind == ast::Expr::Kind::Name && (name->name == "os" || name->name == "distro") && !ordering)
      check_platform_value(diags_, name->name, value, lit->span, e.op);
  }
  const bool int_version = (l == VType::Int && r == VType::Version) || (l == VType::Version && r == VType::Int);
  if (!lit && l != r && !int_version) return mismatch("both sides must have the same type");
  if (ordering && other != VType::Int && other != VType::Version)  // the same or int and version: both orderable
    mismatch(other == VType::Bool ? "bools compare with == and != only"
                               : "strings compare with == and != only; declare the fact as `version` or `int` to order it");
}

void Checker::check_default(const ast::Fact& f, VType type) {
  const ast::Expr& d = *f.default_value;
  const VType lit = type_of(d);  // a condition's literal: StringLit (its text checked as a value), IntLit or Bool
  auto bad = [&](const std::string& what) {
    diags_.add(E232, d.span, "the default of `" + f.name + "` is not " + std::string(describe(type)), what);
  };
  const bool plain_text = lit == VType::StringLit && !d.str->has_interp();  // a text that is known here
  if (type == VType::String && lit != VType::StringLit)
    bad("write it in quotes: default \"" +
        (lit == VType::IntLit ? std::to_string(d.int_value) : std::string(d.bool_value ? "true" : "false")) + "\"");
  else if (type == VType::Bool && lit != VType::Bool)
    bad("a bool's default is true or false");
  else if ((type == VType::Int || type == VType::Version) &&
           (lit == VType::Bool || (plain_text && !fits(type, d.str->text))))
    bad(type == VType::Int ? "an int's default is a whole number, as in: default 0"
                           : "a version's default has a number in it, as in: default \"0\"");
}


// A fact's value written as a literal that is not of its type; most often a command
// that lacks its `sh`.
void Checker::check_value(const ast::Fact& f, VType type) {
  if (f.value.has_interp() || type == VType::String || type == VType::Unknown || fits(type, f.value.text)) return;
  const std::string t = trim(f.value.text);
  const std::string_view first = std::string_view(t).substr(0, t.find(' '));
  const bool command = !t.empty() && (std::isalpha(static_cast<unsigned char>(t[0])) || t[0] == '/' || t[0] == '.') &&
                       first.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") ==
                           std::string_view::npos;
  diags_.add(E233, f.value.span, "the value of `" + f.name + "` is not " + std::string(describe(type)),
             command ? "did you mean `sh \"" + t + "\"`? A fact's value is its command's output only with `sh`"
             : type == VType::Bool ? "a bool is true or false"
             : type == VType::Int  ? "an int is a whole number, as in \"8\""
                                   : "a version has a number in it, as in \"20.1\"");
}

}  // namespace check
}  // namespace sink
