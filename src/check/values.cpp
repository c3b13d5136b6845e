#include "check/values.hpp"

#include <algorithm>
#include <charconv>

#include "util/utf8.hpp"

namespace sink {

std::string preview(std::string_view text, std::size_t shown) {
  std::size_t end = std::min(text.size(), shown);
  while (end < text.size() && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
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
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    why = "holds a NUL byte (byte " + std::to_string(nul + 1) + "); a value must be text";
    return std::nullopt;
  }
  if (text.size() > kMaxValueBytes) {
    why = "is " + std::to_string(text.size()) + " bytes long, more than the " + std::to_string(kMaxValueBytes) +
          " a value may hold";
    return std::nullopt;
  }
  switch (type) {
    case lex::Type::String: return Value::of_string(std::string(text));
    case lex::Type::Bool: {
      const std::string t = utf8::ascii_lower(trim(text));
      if (t == "true" || t == "yes" || t == "on" || t == "1") return Value::of_bool(true);
      if (t == "false" || t == "no" || t == "off" || t == "0" || t.empty()) return Value::of_bool(false);
      why = "is not true or false";
      return std::nullopt;
    }
    case lex::Type::Int: {
      const std::string t = trim(text);
      std::int64_t i = 0;
      const auto r = std::from_chars(t.data(), t.data() + t.size(), i);
      if (r.ec == std::errc::result_out_of_range && r.ptr == t.data() + t.size()) {
        why = "is out of range: a whole number is from -9223372036854775808 to 9223372036854775807";
        return std::nullopt;
      }
      if (t.empty() || r.ec != std::errc{} || r.ptr != t.data() + t.size()) {
        why = "is not a whole number";
        return std::nullopt;
      }
      return Value::of_int(i);
    }
    case lex::Type::Version: {
      const auto v = parse_version(text);
      if (!v) {
        why = std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })
                  ? "has a version part of more than 18 digits"
                  : "has no version number in it";
        return std::nullopt;
      }
      return Value{.type = lex::Type::Version, .text = v->str(), .version = *v};
    }
  }
  why = "has an unknown type";
  return std::nullopt;
}

}  // namespace sink
