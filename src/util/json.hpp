// JSON for every `--format json`: one escaping, objects and arrays on one line or one item
// a line.
#pragma once

#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace sink::json {

// `s` escaped for a JSON string, without the quotes. Control characters become \n, \t or
// \u00XX; a byte that is not UTF-8 becomes the text \xNN (its backslash escaped), as
// utf8::printable shows it: the output is always valid JSON and still says which byte it was.
std::string escape(std::string_view s);

// A value, as JSON text.
struct Value {
  std::string text;
  template <std::convertible_to<std::string_view> S>  // std::string, const char*: not as bool
  Value(const S& s) : text('"' + escape(s) + '"') {}
  Value(bool b) : text(b ? "true" : "false") {}
  Value(std::nullptr_t) : text("null") {}
  template <std::integral T>
  Value(T n) : text(std::to_string(n)) {}
  static Value raw(std::string json) {
    Value v(nullptr);
    v.text = std::move(json);
    return v;
  }
};

struct Field {
  std::string_view key;
  Value value;
};

// On one line: {"a": 1, "b": "x"} and [1, 2].
Value object(std::initializer_list<Field> fields);
Value array(const std::vector<Value>& items);
// One item a line, indented two spaces more than `indent`, the closing bracket at
// `indent`: "[\n  1,\n  2\n]"; "[]" when there are none.
Value lines(const std::vector<Value>& items, std::string_view indent = "");
Value lines(std::initializer_list<Field> fields, std::string_view indent = "");

}  // namespace sink::json
