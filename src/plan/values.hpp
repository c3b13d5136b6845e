// Typed values of facts, answers and built-ins, and how text becomes one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "syntax/lexicon.hpp"
#include "util/version.hpp"

namespace sink {

struct Value {
  lex::Type type = lex::Type::String;
  std::string text;  // as interpolated: "20.11.1", "true", "8"
  bool boolean = false;
  std::int64_t integer = 0;
  Version version;
  bool secret = false;

  static Value of_string(std::string s, bool secret = false);
  static Value of_bool(bool b);
  static Value of_int(std::int64_t i);
  // What a secret looks like wherever sink prints a value.
  std::string shown() const { return secret ? "••••••" : text; }
};

// Converts text to a value of `type`. Strings are kept as they are (callers trim command
// output); bools accept true/false, yes/no, on/off, 1/0; ints a whole number; versions
// the first dotted number. On failure returns nothing and sets `why`.
std::optional<Value> parse_value(lex::Type type, std::string_view text, std::string& why);

// Command output as a fact's text: without the trailing newline(s) and surrounding blanks.
std::string trim(std::string_view s);

}  // namespace sink
