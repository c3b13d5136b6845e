// Prints a libFuzzer dictionary of the language's words, from the lexicon (where they are
// defined once): keywords, types, operators, punctuation, built-ins and platform names.
#include <cstdio>
#include <string_view>

#include "syntax/lexicon.hpp"

namespace {
void entry(std::string_view word) {
  std::printf("\"");
  for (char c : word) {
    if (c == '"' || c == '\\') std::printf("\\%c", c);
    else if (c < 0x20 || c > 0x7e) std::printf("\\x%02X", static_cast<unsigned char>(c));
    else std::printf("%c", c);
  }
  std::printf("\"\n");
}
}  // namespace

int main() {
  using namespace sink::lex;
  for (auto w : keywords) entry(w);
  for (auto t : types) entry(t.name);
  for (auto o : operators) entry(o);
  for (auto b : builtins) entry(b.name);
  for (auto p : platforms) entry(p.name);
  for (auto w : {interp_open, interp_close, env_prefix}) entry(w);
  for (std::string_view w : {"#", "{", "}", "(", ")", "=", "\"", "'", "\"\"\"", "\n", "std/retry", "./x.sink"}) entry(w);
  return 0;
}
