// Typed values of facts, answers and built-ins, and how text becomes one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "syntax/lexicon.hpp"

namespace sink {

struct Value {
  lex::Type type = lex::Type::String;
  std::string text;  // as interpolated: "20.11.1", "true", "8"
  bool boolean = false;
  std::int64_t integer = 0;
  bool secret = false;

  static Value of_string(std::string s, bool secret = false) { return {.text = std::move(s), .secret = secret}; }
  static Value of_bool(bool b) { return {.type = lex::Type::Bool, .text = b ? "true" : "false", .boolean = b}; }
  static Value of_int(std::int64_t i) { return {.type = lex::Type::Int, .text = std::to_string(i), .integer = i}; }
  // As printed: secrets masked, an empty value as "" (so that it can be seen).
  std::string shown() const { return secret ? "••••••" : text.empty() ? "\"\"" : text; }
};

// The most bytes a value may hold. Each value reaches commands as an environment variable,
// and Linux refuses one longer than 128 KiB (MAX_ARG_STRLEN), its name included.
inline constexpr std::size_t kMaxValueBytes = 100'000;

// Converts text to a value of `type`. Text with a NUL byte, or longer than
// kMaxValueBytes, is no value of any type. Strings are kept as they are (callers trim command
// output); bools accept true/false, yes/no, on/off, 1/0; ints a whole number; versions
// the first dotted number. On failure returns nothing and sets `why`.
std::optional<Value> parse_value(lex::Type type, std::string_view text, std::string& why);

// `text` as sink shows it in a message: at most about `shown` bytes (cut at a character
// boundary, saying how many more there were), control characters and NUL as \n, \t, \xNN,
// so that what a command printed cannot move the cursor or recolour the terminal.
std::string preview(std::string_view text, std::size_t shown = 60);

// Command output as a fact's text: without the trailing newline(s) and surrounding blanks.
std::string trim(std::string_view s);

}  // namespace sink
