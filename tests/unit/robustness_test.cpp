// Broken input of every kind gives located errors: never a crash, a hang or a silent pass.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "support.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;
using sink::test::codes;

namespace {

std::string read(const fs::path& p) { return sink::read_whole_file(p.string()).value_or(""); }

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')) + 1; }

// Parses and checks `text`; every diagnostic must be well formed and point into the text.
void expect_well_formed(const std::string& text, std::map<std::string, std::string> files = {}) {
  sink::test::MapReader reader;
  reader.files = std::move(files);
  sink::Diagnostics diags;
  sink::Program p = sink::load_program_text("Sinkfile", text, reader, diags);
  if (p.complete) sink::check_program(p, diags);
  for (const auto& d : diags.items()) {
    CHECK_FALSE(sink::code_name(d.code).empty());
    CHECK_FALSE(d.message.empty());
    CHECK_FALSE(d.hint.empty());
    if (d.span.valid() && d.span.file == 0) {
      CHECK(d.span.line <= count_lines(text));
      CHECK(d.span.col >= 1);
    }
  }
}

std::string first_code(const std::string& text) {
  const auto c = codes(text);
  return c.empty() ? std::string("none") : c.front();
}

}  // namespace

TEST_CASE("every prefix of every example is handled") {
  const fs::path root = SINK_SOURCE_ROOT;
  for (const auto& e : fs::recursive_directory_iterator(root / "examples")) {
    if (!e.is_regular_file() || e.path().filename() != "Sinkfile") continue;
    CAPTURE(e.path().string());
    const std::string text = read(e.path());
    std::map<std::string, std::string> modules;
    for (const auto& m : fs::recursive_directory_iterator(e.path().parent_path()))
      if (m.path().extension() == ".sink")
        modules[fs::relative(m.path(), e.path().parent_path()).string()] = read(m.path());
    for (std::size_t n = 0; n <= text.size(); ++n) expect_well_formed(text.substr(0, n), modules);
  }
}

TEST_CASE("deep nesting is an error, not a stack overflow") {
  const std::string parens(100000, '(');
  CHECK(first_code("step \"s\" { when " + parens + "true run \"x\" }") == "E105");
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  CHECK(first_code("step \"s\" { when " + nots + "true run \"x\" }") == "E105");
  std::string ands = "true";
  for (int i = 0; i < 100000; ++i) ands += " and true";
  CHECK(first_code("step \"s\" { when " + ands + " run \"x\" }") == "E105");
  std::string blocks;
  for (int i = 0; i < 100000; ++i) blocks += "platform linux {\n";
  CHECK(first_code(blocks) == "E105");
  // Within the limits, deep input works.
  std::string ok_blocks, close;
  for (int i = 0; i < 50; ++i) {
    ok_blocks += "platform linux {\n";
    close += "}\n";
  }
  CHECK(codes(ok_blocks + "step \"s\" { run \"x\" }\n" + close).empty());
  CHECK(codes("step \"s\" { when " + std::string(50, '(') + "true" + std::string(50, ')') + " run \"x\" }").empty());
}

TEST_CASE("a 10 MB line is read, whether it is valid or not") {
  const std::string big(10 << 20, 'a');
  CHECK(codes("step \"s\" { run \"" + big + "\" }").empty());
  CHECK(first_code(big) == "E104");
  CHECK(first_code("step \"s\" { run \"" + big) == "E101");
}

TEST_CASE("binary garbage, NUL bytes and invalid UTF-8 are located errors") {
  CHECK(sink::test::diagnose(std::string("step \"s\" {\n  run \"a\0b\"\n}", 24)) ==
        std::vector<sink::test::Found>{{"E107", 2, 9}});
  CHECK(sink::test::diagnose("fact a = \"caf\xE9\"") == std::vector<sink::test::Found>{{"E106", 1, 14}});
  std::mt19937 rng(12345);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(1 + rng() % 300, '\0');
    for (auto& c : junk) c = static_cast<char>(rng() % 256);
    expect_well_formed(junk);
  }
}

TEST_CASE("random token soup never breaks the parser or the checker") {
  const std::vector<std::string> tokens{
      "fact ", "ask ", "step ", "platform ", "env ", "use ", "helper ", "run ", "skip ", "if ", "when ",
      "error ", "dir ", "sh ", "required ", "default ", "secret ", "choices ", "and ", "or ", "not ",
      "true ", "false ", "{", "}", "(", ")", "=", "==", "<", ">=", ",", ":", "\n", "# c\n", "a ", "b ",
      "linux ", "darwin ", "int ", "version ", "\"x\" ", "\"{{a}}\" ", "'r' ", "\"\"\"\n  x\n\"\"\" ", "12 ",
      "\"std/wait\" ", "\"./m.sink\" ", "\"{{env.PATH}}\" ", "\"{{raw b}}\" "};
  std::mt19937 rng(777);
  for (int i = 0; i < 3000; ++i) {
    std::string src;
    const std::size_t n = 1 + rng() % 40;
    for (std::size_t k = 0; k < n; ++k) src += tokens[rng() % tokens.size()];
    CAPTURE(src);
    expect_well_formed(src, {{"m.sink", "fact a = \"1\"\n"}});
  }
}

TEST_CASE("files larger than the limit are refused with a located error") {
  sink::Sources sources;
  const auto id = sources.add("Sinkfile", std::string(2048, ' '));
  sink::Diagnostics diags;
  sink::ParseLimits limits;
  limits.max_bytes = 1024;
  CHECK_FALSE(sink::parse_file(sources, id, diags, limits));
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].code == sink::E108);
}

TEST_CASE("the nesting limits are exact: the limit works, one more does not (regression)") {
  auto parens = [](int n) {
    return "step \"s\" { when " + std::string(static_cast<std::size_t>(n), '(') + "true" +
           std::string(static_cast<std::size_t>(n), ')') + " run \"x\" }";
  };
  CHECK(codes(parens(100)).empty());
  CHECK(first_code(parens(101)) == "E105");
  auto nots = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "not ";
    return "step \"s\" { when " + s + "true run \"x\" }";
  };
  CHECK(codes(nots(100)).empty());
  CHECK(first_code(nots(101)) == "E105");
  auto ands = [](int n) {
    std::string s = "true";
    for (int i = 0; i < n; ++i) s += " and true";
    return "step \"s\" { when " + s + " run \"x\" }";
  };
  CHECK(codes(ands(1000)).empty());
  CHECK(first_code(ands(1001)) == "E105");
  auto blocks = [](int n) {
    std::string open, close;
    for (int i = 0; i < n; ++i) {
      open += "platform linux {\n";
      close += "}\n";
    }
    return open + "step \"s\" { run \"x\" }\n" + close;
  };
  CHECK(codes(blocks(100)).empty());
  CHECK(first_code(blocks(101)) == "E105");
}

namespace {
// The first diagnostic of parsing `text` under `limits`, as CODE@line:col; "" when it parses.
std::string parse_with(const std::string& text, const sink::ParseLimits& limits) {
  sink::Sources sources;
  const auto id = sources.add("Sinkfile", text);
  sink::Diagnostics diags;
  if (sink::parse_file(sources, id, diags, limits)) return "";
  REQUIRE(diags.items().size() == 1);
  const auto& d = diags.items()[0];
  return std::string(sink::code_name(d.code)) + "@" + std::to_string(d.span.line) + ":" + std::to_string(d.span.col);
}
}  // namespace

TEST_CASE("the number of steps, and of facts and questions, in a file is limited; one more is E110") {
  sink::ParseLimits limits;
  limits.max_steps = 3;
  limits.max_values = 4;
  std::string steps;
  for (int i = 0; i < 3; ++i) steps += "step \"s" + std::to_string(i) + "\" { run \"x\" }\n";
  CHECK(parse_with(steps, limits).empty());
  CHECK(parse_with(steps + "platform linux {\n  step \"t\" { run \"y\" }\n}\n", limits) == "E110@5:3");
  const std::string values = "fact a = \"1\"\nask b \"?\"\nfact c = \"2\"\nask d \"?\"\n";
  CHECK(parse_with(values, limits).empty());
  CHECK(parse_with(values + "fact e = \"3\"\n", limits) == "E110@5:1");
  CHECK(parse_with(values + "ask e \"?\"\n", limits) == "E110@5:1");
  // The defaults: 100,000 of each.
  CHECK(sink::ParseLimits{}.max_steps == 100'000);
  CHECK(sink::ParseLimits{}.max_values == 100'000);
}

TEST_CASE("a chain of values made from values is limited to 100; one more is E268 at the last") {
  auto chain = [](int n) {
    std::string s = "fact f0 = \"x\"\n";
    for (int i = 1; i < n; ++i) s += "fact f" + std::to_string(i) + " = \"{{f" + std::to_string(i - 1) + "}}\"\n";
    return s + "step \"s\" { run \"echo {{f" + std::to_string(n - 1) + "}}\" }\n";
  };
  CHECK(codes(chain(100)).empty());
  const auto found = sink::test::diagnose(chain(101));
  REQUIRE(found.size() == 1);
  CHECK(found[0] == sink::test::Found{"E268", 101, 6});
  // Reported once, however long the chain (not once per link).
  CHECK(codes(chain(5000)) == std::vector<std::string>{"E268"});
  // Questions count too: an answer whose default is made from a chain.
  CHECK(codes(chain(100) + "ask q \"?\" default \"{{f99}}\"\nstep \"t\" { run \"echo {{q}}\" }\n") ==
        std::vector<std::string>{"E268"});
}
