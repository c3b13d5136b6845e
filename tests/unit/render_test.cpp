// The diagnostic renderer: columns, underlines, long lines and JSON.
#include <doctest/doctest.h>

#include "cli/render.hpp"

using namespace sink;

namespace {

std::string render(const std::string& text, Span span, bool color = false) {
  Sources sources;
  sources.add("Sinkfile", text);
  span.file = 0;
  Renderer r(sources, color);
  return r.text({E201, "unknown name", span, "a hint"});
}

}  // namespace

TEST_CASE("the location counts characters, and a BOM is not one (regression)") {
  const std::string out = render("\xEF\xBB\xBFstep \"s\" { run \"{{nope}}\" }", {0, 1, 20, 1, 28});
  CHECK(out.find("--> Sinkfile:1:17") != std::string::npos);
  CHECK(out.find("\n  |                 ^^^^^^^^\n") != std::string::npos);
  const std::string utf = render("fact caf\xC3\xA9 = \"{{x}}\"", {0, 1, 16, 1, 21});
  CHECK(utf.find("--> Sinkfile:1:15") != std::string::npos);
  CHECK(utf.find("\n  |               ^^^^^\n") != std::string::npos);
}

TEST_CASE("the underline covers the whole span; tabs stay tabs") {
  const std::string out = render("\tstep \"s\" { when x run \"y\" }", {0, 1, 18, 1, 19});
  CHECK(out.find("\n  | \t                ^\n") != std::string::npos);
  const std::string multi = render("step \"s\" {\n  run \"x\"\n}", {0, 1, 1, 3, 2});
  CHECK(multi.find("^^^^^^^^^^ (to line 3)") != std::string::npos);
}

TEST_CASE("a very long line is shown as a window around the span") {
  std::string line = "step \"s\" { run \"" + std::string(100000, 'a') + "{{x}}\" }";
  const std::string out = render(line, {0, 1, 100018, 1, 100023});
  CHECK(out.size() < 1000);
  CHECK(out.find("...") != std::string::npos);
  CHECK(out.find("{{x}}") != std::string::npos);
  CHECK(out.find("^^^^^") != std::string::npos);
}

TEST_CASE("colour codes only when asked for") {
  CHECK(render("x", {0, 1, 1, 1, 2}, false).find('\x1b') == std::string::npos);
  CHECK(render("x", {0, 1, 1, 1, 2}, true).find("\x1b[1;31m") != std::string::npos);
}

TEST_CASE("JSON escapes everything and counts columns in characters") {
  Sources sources;
  sources.add("dir/\"Sinkfile\"", "fact caf\xC3\xA9 = \"{{x}}\"");
  Renderer r(sources, false);
  const std::string json = r.json({{E201, "bad \"x\"\n", {0, 1, 16, 1, 21}, "tab\there"}});
  CHECK(json.find("\"file\": \"dir/\\\"Sinkfile\\\"\"") != std::string::npos);
  CHECK(json.find("\"column\": 15, \"end_line\": 1, \"end_column\": 20") != std::string::npos);
  CHECK(json.find("\"message\": \"bad \\\"x\\\"\\n\"") != std::string::npos);
  CHECK(json.find("\"hint\": \"tab\\there\"") != std::string::npos);
  CHECK(r.json({}) == "[]\n");
}
