#include "check/values.hpp"

#include <algorithm>
#include <charconv>

#include "util/utf8.hpp"
#include "util/version.hpp"

namespace sink {

std::string preview(std::string_view text, std::size_t shown) {
  const std::size_t end = utf8::char_start(text, std::min(text.size(), shown));
  std::string out = utf8::printable(text.substr(0, end));
  if (end < text.size()) out += "... (" + std::to_string(text.size() - end) + " more bytes)";
  return out;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\n\r");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t\n\r") + 1 - b));
}

std::optional<Value> parse_value(lex::Type type, std::string_view text, std::string& why) {
  const auto fail = [&why](std::string reason) {
    why = std::move(reason);
    return std::optional<Value>();
  };
  if (const auto nul = text.find('\0'); nul != std::string_view::npos)
    return fail("holds a NUL byte (byte " + std::to_string(nul + 1) + "); a value must be text");
  if (text.size() > kMaxValueBytes)
    return fail("is " + std::to_string(text.size()) + " bytes long, more than the " + std::to_string(kMaxValueBytes) +
                " a value may hold");
  if (type == lex::Type::String) return Value::of_string(std::string(text));
  const std::string t = type == lex::Type::Bool ? utf8::ascii_lower(trim(text)) : trim(text);
  if (type == lex::Type::Bool) {
    if (t == "true" || t == "yes" || t == "on" || t == "1") return Value::of_bool(true);
    if (t == "false" || t == "no" || t == "off" || t == "0" || t.empty()) return Value::of_bool(false);
    return fail("is not true or false");
  }
  if (type == lex::Type::Int) {
    std::int64_t i = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), i);
    if (ec == std::errc::result_out_of_range && end == t.data() + t.size())
      return fail("is out of range: a whole number is from -9223372036854775808 to 9223372036854775807");
    if (t.empty() || ec != std::errc{} || end != t.data() + t.size()) return fail("is not a whole number");
    return Value::of_int(i);
  }
  const auto v = parse_version(text);
  if (!v)
    return fail(std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })
                    ? "has a version part of more than 18 digits"
                    : "has no version number in it");
  return Value{.type = lex::Type::Version, .text = v->str()};
}

}  // namespace sink
