#include "plan/shell.hpp"

#include "syntax/shell_quote.hpp"

#include <algorithm>

namespace sink {

std::string shell_var(std::string_view name) {
  std::string v = "SINK_";
  for (const char c : name) v += c == '.' ? '_' : c;
  return v;
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
        switch (quotes.at()) {
          case ShellContext::Single: out.script += "'\"" + ref + "\"'"; break;
          case ShellContext::Double:
          case ShellContext::HereDoc: out.script += ref; break;
          case ShellContext::QuotedHereDoc: out.script += ref; break;  // the checker refuses this place
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
