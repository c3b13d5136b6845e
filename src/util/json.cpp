#include "util/json.hpp"

#include <fmt/format.h>

#include "util/utf8.hpp"

namespace sink::json {

std::string escape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = utf8::sequence_length(s, i);
    if (c == '"' || c == '\\') out += {'\\', s[i]};
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (len > 1 || (len == 1 && c >= 0x20 && c != 0x7F)) out.append(s, i, len);
    else out += len ? fmt::format("\\u{:04x}", c) : fmt::format("\\\\x{:02X}", c);
    i += len > 1 ? len : 1;
  }
  return out;
}

namespace {

std::vector<Value> members(std::initializer_list<Field> fields) {
  std::vector<Value> out;
  for (const auto& f : fields) out.push_back(Value::raw(Value(f.key).text + ": " + f.value.text));
  return out;
}

Value join(const std::vector<Value>& items, char open, char close, std::string_view indent, bool one_line) {
  const std::string separator = one_line ? ", " : fmt::format(",\n{}  ", indent);
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item.text;  // JSON text is never empty
  if (one_line || items.empty()) return Value::raw(open + out + close);
  return Value::raw(fmt::format("{}\n{}  {}\n{}{}", open, indent, out, indent, close));
}

}  // namespace

Value object(std::initializer_list<Field> fields) { return join(members(fields), '{', '}', "", true); }
Value array(const std::vector<Value>& items) { return join(items, '[', ']', "", true); }
Value lines(const std::vector<Value>& items, std::string_view indent) { return join(items, '[', ']', indent, false); }
Value lines(std::initializer_list<Field> fields, std::string_view indent) {
  return join(members(fields), '{', '}', indent, false);
}

}  // namespace sink::json
