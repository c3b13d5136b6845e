#include "plan/shell.hpp"

#include "syntax/shell_quote.hpp"

#include <algorithm>

namespace sink {

std::string shell_var(std::string_view name) {
  // env.NAME and facts or questions get prefixes that cannot meet: a fact `env_HOME`
  // is SINK_env_HOME, the variable env.HOME is SINKENV_HOME.
  if (name.substr(0, lex::env_prefix.size()) == lex::env_prefix)
    return "SINKENV_" + std::string(name.substr(lex::env_prefix.size()));
  return "SINK_" + std::string(name);
}

ShellScript to_shell(const ast::Text& text, const Lookup& lookup) {
  ShellScript out;
  ShellQuoteTracker quotes;
  text.visit(
      [&](std::string_view literal) {
        quotes.feed(literal);
        out.script += literal;
      },
      [&](const ast::Interp& in) {
        const Value* v = lookup(in.name);
        const std::string value = v ? v->text : std::string();
        if (in.raw) {
          quotes.feed(value);
          out.script += value;
          return;
        }
        const std::string var = shell_var(in.name);
        if (std::none_of(out.vars.begin(), out.vars.end(), [&](const auto& p) { return p.first == var; }))
          out.vars.emplace_back(var, value);
        const std::string ref = "${" + var + "}";
        // A backslash just before would escape the reference's first character: a
        // backslash-newline (a line continuation) takes its place and vanishes.
        if (quotes.escape_pending()) {
          out.script += '\n';
          quotes.feed("\n");
        }
        switch (quotes.at()) {
          case ShellContext::Single: out.script += "'\"" + ref + "\"'"; break;  // the checker refuses this place
          case ShellContext::Double:
          case ShellContext::HereDoc:
          case ShellContext::CodeString:     // the checker refuses this place
          case ShellContext::QuotedHereDoc:  // and this one
          case ShellContext::Comment: out.script += ref; break;
          case ShellContext::Normal: out.script += "\"" + ref + "\""; break;
        }
      });
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
