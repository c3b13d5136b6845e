// The common shapes of one-line strings, read in one pass: "..." with plain text, escapes,
// single braces and interpolations written {{name}} or {{env.NAME}} (no blanks, no `raw`),
// and '...'. The grammar tries these before its general string rules (grammar.hpp:
// dq_simple, sq_simple); any other string, and so every error, is left to those. The
// parser's actions (parser.cpp) walk the same text again to build the string from the
// same pieces the general rules would have appended.
#pragma once

#include <cstring>
#include <string_view>

#include "util/scan.hpp"

namespace sink::scan {

constexpr bool is_word_first(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
constexpr bool is_word_char(char c) { return is_word_first(c) || (c >= '0' && c <= '9'); }
constexpr bool is_escape_code(char c) {
  return c == '\\' || c == '"' || c == '\'' || c == 'n' || c == 't' || c == 'r' || c == '{';
}

// The end of the word (grammar.hpp: word) that starts at p, or p when none does.
inline const char* word_end(const char* p, const char* end) {
  if (p == end || !is_word_first(*p)) return p;
  ++p;
  while (p != end && is_word_char(*p)) ++p;
  return p;
}

// Reads the "..." string whose opening quote is at p. Calls piece(std::string_view) for
// each run of plain text, each escape (both bytes) and each single `{`, and
// interp(name, from, to) for each interpolation, `from` at its `{{` and `to` just after
// its `}}`. Returns the end of the closing quote, or nullptr when the string does not
// have this shape (then the callbacks may have been called for a part of it).
template <typename OnPiece, typename OnInterp>
const char* quoted_string(const char* p, const char* end, OnPiece&& piece, OnInterp&& interp) {
  if (p == end || *p != '"') return nullptr;
  ++p;
  if (end - p >= 2 && p[0] == '"' && p[1] == '"') return nullptr;  // """: a block
  for (;;) {
    const char* const stop = find_first_of<'"', '\\', '\n', '{'>(p, end);
    if (stop != p) piece(std::string_view(p, static_cast<std::size_t>(stop - p)));
    p = stop;
    if (p == end || *p == '\n') return nullptr;
    if (*p == '"') return p + 1;
    if (*p == '\\') {
      if (end - p < 2 || !is_escape_code(p[1])) return nullptr;
      piece(std::string_view(p, 2));
      p += 2;
      continue;
    }
    if (end - p < 2 || p[1] != '{') {  // a single brace is text
      piece(std::string_view(p, 1));
      ++p;
      continue;
    }
    const char* const name = p + 2;
    const char* q = word_end(name, end);
    if (q == name) return nullptr;
    if (q - name == 3 && std::memcmp(name, "env", 3) == 0 && q != end && *q == '.') {
      const char* const var_end = word_end(q + 1, end);
      if (var_end == q + 1) return nullptr;
      q = var_end;
    }
    if (end - q < 2 || q[0] != '}' || q[1] != '}') return nullptr;
    interp(std::string_view(name, static_cast<std::size_t>(q - name)), p, q + 2);
    p = q + 2;
  }
}

// Reads the '...' string whose opening quote is at p; returns the end of its closing
// quote, or nullptr when it has none on its line or is a '''block.
inline const char* raw_string(const char* p, const char* end) {
  if (p == end || *p != '\'') return nullptr;
  ++p;
  if (end - p >= 2 && p[0] == '\'' && p[1] == '\'') return nullptr;  // ''': a block
  const char* const stop = find_first_of<'\'', '\n'>(p, end);
  return stop != end && *stop == '\'' ? stop + 1 : nullptr;
}

}  // namespace sink::scan
