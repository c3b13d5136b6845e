#include "plan/shell.hpp"

#include "syntax/shell_quote.hpp"

#include <algorithm>

namespace sink {

void set_var(Env& env, const std::string& name, std::string value) {
  const auto it = std::find_if(env.begin(), env.end(), [&](const auto& p) { return p.first == name; });
  if (it != env.end()) it->second = std::move(value);
  else env.emplace_back(name, std::move(value));
}

ShellScript to_shell(const ast::Text& text, const Lookup& lookup) {
  ShellScript out;
  for (const auto name : value_refs(text.text))
    if (const Value* v = lookup(name)) set_var(out.vars, shell_var(name), v->text);
  ShellQuoteTracker quotes;
  std::string not_int;  // a value in arithmetic that is not an int: the script only says so and fails
  auto emit = [&](std::string_view shell_text) {  // text the shell reads as it stands
    quotes.feed(shell_text);
    out.script += shell_text;
  };
  text.visit(emit, [&](const ast::Interp& in) {
    const Value* v = lookup(in.name);
    const std::string value = v ? v->text : std::string();
    if (in.raw) return emit(value);
    const std::string var = shell_var(in.name);
    set_var(out.vars, var, value);
    const std::string ref = "${" + var + "}";
    // A backslash just before would escape the reference's first character: a
    // backslash-newline (a line continuation) takes its place and vanishes.
    if (quotes.escape_pending()) emit("\n");
    const ShellContext at = quotes.at();
    if ((at == ShellContext::Arith || at == ShellContext::Test) && (!v || v->type != lex::Type::Int)) {
      // The checker allows only ints here; this holds even where a value came in some other way.
      not_int = in.name;
      return;
    }
    switch (at) {
      case ShellContext::Arith: out.script += var; break;  // the name: bash and dash read it as a number
      case ShellContext::Test:
      case ShellContext::Normal: out.script += "\"" + ref + "\""; break;
      case ShellContext::Single: out.script += "'\"" + ref + "\"'"; break;  // the checker refuses this place
      // Double, HereDoc, Comment; the checker refuses CodeString and QuotedHereDoc.
      default: out.script += ref;
    }
  });
  if (!not_int.empty())
    out.script = "echo 'sink: " + not_int + " is not a whole number, so it cannot stand in arithmetic' >&2; exit 2";
  return out;
}

std::string to_plain(const ast::Text& text, const Lookup& lookup, bool shown) {
  std::string out;
  text.visit([&](std::string_view literal) { out += literal; },
             [&](const ast::Interp& in) {
               if (const Value* v = lookup(in.name)) out += shown ? v->shown() : v->text;
             });
  return out;
}

}  // namespace sink
