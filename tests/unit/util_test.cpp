#include <doctest/doctest.h>

#include "syntax/text.hpp"
#include "util/json.hpp"
#include "util/suggest.hpp"
#include "util/utf8.hpp"
#include "util/version.hpp"

using namespace sink;

TEST_CASE("edit distance counts inserts, deletes, substitutions and swaps") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("step", "step") == 0);
  CHECK(edit_distance("stpe", "step") == 1);  // adjacent swap
  CHECK(edit_distance("sep", "step") == 1);
  CHECK(edit_distance("steps", "step") == 1);
  CHECK(edit_distance("darwn", "darwin") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("suggest picks the closest name only when it is close") {
  const std::vector<std::string> names{"node", "name", "home", "user"};
  CHECK(suggest("nod", names) == std::optional<std::string>("node"));
  CHECK(suggest("usr", names) == std::optional<std::string>("user"));
  CHECK(suggest("HOME", names) == std::optional<std::string>("home"));
  CHECK_FALSE(suggest("xylophone", names));
  CHECK_FALSE(suggest("a", names));
  CHECK_FALSE(suggest("node", {"node"}));  // the word itself is no suggestion
}

TEST_CASE("utf8::find_invalid finds bad bytes and NUL") {
  CHECK(utf8::find_invalid("plain ascii") == std::string_view::npos);
  CHECK(utf8::find_invalid("caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80") == std::string_view::npos);
  CHECK(utf8::find_invalid("ab\xFF") == 2);
  CHECK(utf8::find_invalid(std::string_view("a\0b", 3)) == 1);
  CHECK(utf8::find_invalid("\xC3") == 0);                 // truncated sequence
  CHECK(utf8::find_invalid("\xC0\xAF") == 0);             // overlong
  CHECK(utf8::find_invalid("\xED\xA0\x80") == 0);         // surrogate
  CHECK(utf8::find_invalid("\xF4\x90\x80\x80") == 0);     // beyond U+10FFFF
  CHECK(utf8::count_chars("caf\xC3\xA9") == 4);
}

TEST_CASE("versions are the first dotted number, compared component by component") {
  CHECK(parse_version("v20.11.1")->str() == "20.11.1");
  CHECK(parse_version("Python 3.12.1")->str() == "3.12.1");
  CHECK(parse_version("git version 2.39.5 (Apple Git-143)")->str() == "2.39.5");
  CHECK(parse_version("go1.22")->str() == "1.22");
  CHECK(parse_version("20")->str() == "20");
  CHECK(parse_version("1.")->str() == "1");
  CHECK_FALSE(parse_version("none"));
  CHECK_FALSE(parse_version(""));
  CHECK(compare(*parse_version("20.11.1"), *parse_version("20")) > 0);
  CHECK(compare(*parse_version("20.0.0"), *parse_version("20")) == 0);
  CHECK(compare(*parse_version("3.9"), *parse_version("3.12")) < 0);
  CHECK(compare(*parse_version("10"), *parse_version("9.99")) > 0);
}

TEST_CASE("block strings lose the blank first and last lines and the common indentation") {
  CHECK(dedent_block("\n    a\n      b\n    c\n  ") == "a\n  b\nc");
  CHECK(dedent_block("\n\ta\n\tb\n") == "a\nb");
  CHECK(dedent_block("\n  a\n\n  b\n") == "a\n\nb");        // blank lines do not count
  CHECK(dedent_block("first\n    second\n    third\n") == "first\nsecond\nthird");
  CHECK(dedent_block("one line") == "one line");
  CHECK(dedent_block("") == "");
  CHECK(dedent_block("\n  \t a\n  b\n") == "\t a\nb");      // common prefix of mixed blanks
}

TEST_CASE("json::escape keeps every --format json valid: control characters and bytes that are not UTF-8") {
  CHECK(json::escape("say \"hi\"\\") == "say \\\"hi\\\"\\\\");
  CHECK(json::escape("a\nb\tc\r") == "a\\nb\\tc\\u000d");
  CHECK(json::escape(std::string("\x01\x1f\x7f", 3)) == "\\u0001\\u001f\\u007f");
  CHECK(json::escape("\x1b[31m") == "\\u001b[31m");
  CHECK(json::escape("é ✓ 😀") == "é ✓ 😀");                   // valid UTF-8 stays as it is
  CHECK(json::escape("\xff") == "\\\\xFF");                     // never valid: the text \xFF
  CHECK(json::escape("a\xC3") == "a\\\\xC3");                   // cut short
  CHECK(json::escape("\xC0\xAF") == "\\\\xC0\\\\xAF");          // overlong
  CHECK(json::escape("\xED\xA0\x80") == "\\\\xED\\\\xA0\\\\x80");  // a surrogate
  CHECK(json::escape(std::string("nul\0!", 5)) == "nul\\\\x00!");
}

TEST_CASE("json values, objects on one line and lists one item a line") {
  CHECK(json::object({{"a", "x"}, {"n", -3}, {"ok", true}, {"v", nullptr}, {"l", json::array({1, "b"})}}).text ==
        R"({"a": "x", "n": -3, "ok": true, "v": null, "l": [1, "b"]})");
  CHECK(json::lines(std::vector<json::Value>{}).text == "[]");
  CHECK(json::lines({1, 2}).text == "[\n  1,\n  2\n]");
  CHECK(json::lines({{"k", json::lines({1}, "  ")}}).text == "{\n  \"k\": [\n    1\n  ]\n}");
}
