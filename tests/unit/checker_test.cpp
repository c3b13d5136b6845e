// The checker: each diagnostic with its code and position.
#include <doctest/doctest.h>

#include "support.hpp"
#include "syntax/lexicon.hpp"
#include "syntax/shell_quote.hpp"

using sink::test::codes;
using sink::test::diagnose;
using sink::test::Found;
using V = std::vector<Found>;
using C = std::vector<std::string>;

TEST_CASE("a clean program has no diagnostics") {
  CHECK(diagnose(R"(
fact node: version = sh "node --version" default "0"
fact docker: bool = sh "command -v docker"
ask name "Name?" default "{{user}}"
step "a" {
  skip if docker
  when node >= "20" and os == "linux" and cpus > 1
  run "echo {{name}} {{env.HOME}}"
}
)").empty());
}

TEST_CASE("unknown names, with the place of the name") {
  CHECK(diagnose("step \"s\" { run \"{{nope}}\" }") == V{{"E201", 1, 17}});
  CHECK(diagnose("step \"s\" {\n  when nope == \"x\"\n  run \"x\"\n}") == V{{"E201", 2, 8}});
  CHECK(diagnose("step \"s\" { run \"{{env.NOPE_VAR}}\" }") == V{{"E202", 1, 17}});
  CHECK(diagnose("env NOPE_VAR = \"1\"\nstep \"s\" { run \"{{env.NOPE_VAR}}\" }").empty());
}

TEST_CASE("platforms: unknown names and impossible nesting") {
  CHECK(diagnose("platform macos { step \"s\" { run \"x\" } }") == V{{"E203", 1, 10}});
  CHECK(diagnose("platform darwin {\n  platform ubuntu { step \"s\" { run \"x\" } }\n}") == V{{"E204", 2, 12}});
  CHECK(diagnose("platform linux {\n  platform ubuntu { step \"s\" { run \"x\" } }\n}").empty());
  CHECK(diagnose("platform debian, darwin {\n  platform debian, linux { step \"s\" { run \"x\" } }\n}").empty());
  CHECK(diagnose("platform debian, darwin {\n  platform ubuntu, linux { step \"s\" { run \"x\" } }\n}") == V{{"E204", 2, 12}});
  CHECK(diagnose("platform ubuntu {\n  platform linux { step \"s\" { run \"x\" } }\n}").empty());
}

TEST_CASE("duplicates") {
  CHECK(diagnose("fact a = sh \"x\"\nask a \"?\"\nstep \"s\" { run \"{{a}}\" }") == V{{"E210", 2, 5}});
  CHECK(diagnose("step \"s\" { run \"x\" }\nstep \"s\" { run \"y\" }") == V{{"E211", 2, 6}});
  // Same name, platforms that cannot both match: allowed.
  CHECK(diagnose("platform darwin { step \"s\" { run \"x\" } }\nplatform linux { step \"s\" { run \"y\" } }").empty());
  CHECK(diagnose("platform linux { step \"s\" { run \"x\" } }\nplatform debian { step \"s\" { run \"y\" } }") ==
        V{{"E211", 2, 24}});
  CHECK(diagnose("helper h 'x'\nhelper h 'y'") == V{{"E210", 2, 8}});
  CHECK(diagnose("env A = \"1\"\nenv A = \"2\"") == V{{"E212", 2, 5}});
  CHECK(diagnose("env A = \"1\"\nplatform linux { env A = \"2\" }").empty());  // inner scope overrides
}

TEST_CASE("fact cycles name the whole cycle") {
  sink::test::MapReader reader;
  sink::Diagnostics diags;
  auto p = sink::load_program_text("Sinkfile", "fact a = \"{{b}}\"\nfact b = sh \"echo {{a}}\"\nstep \"s\" { run \"{{a}}\" }",
                                   reader, diags);
  sink::check_program(p, diags);
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].code == sink::E220);
  CHECK(diags.items()[0].message.find("a -> b -> a") != std::string::npos);
}

TEST_CASE("a long chain of facts is checked without deep recursion") {
  std::string src;
  const int n = 50000;
  for (int i = 0; i < n; ++i) src += "fact f" + std::to_string(i) + " = \"{{f" + std::to_string(i + 1) + "}}\"\n";
  src += "fact f" + std::to_string(n) + " = \"{{f0}}\"\nstep \"s\" { run \"{{f0}}\" }\n";
  CHECK(codes(src) == C{"E220"});
}

TEST_CASE("types in conditions") {
  const std::string decls =
      "fact s = sh \"x\"\nfact i: int = sh \"x\"\nfact v: version = sh \"x\"\nfact b: bool = sh \"x\"\n"
      "ask q \"?\" choices \"a\", \"b\"\n";
  auto cond = [&](const std::string& c) { return codes(decls + "step \"t\" { when " + c + " run \"{{s}}{{i}}{{v}}{{b}}{{q}}\" }"); };
  CHECK(cond("s == \"x\" and i > 2 and v >= \"1.2\" and b and not b and v < 3 and q == \"a\"").empty());
  CHECK(cond("b == true and i != -1 and s != \"\"").empty());
  CHECK(cond("s < \"x\"") == C{"E230"});
  CHECK(cond("i == \"many\"") == C{"E230"});
  CHECK(cond("i == \" 8 \"").empty());  // blanks around a number, as the planner reads it
  CHECK(cond("v > \"latest\"") == C{"E234"});
  CHECK(cond("b == 1") == C{"E230"});
  CHECK(cond("s == 1") == C{"E230"});
  CHECK(cond("s == i") == C{"E230"});
  CHECK(cond("b < true") == C{"E230"});
  CHECK(cond("s") == C{"E231"});
  CHECK(cond("i and b") == C{"E231"});
  CHECK(cond("not v") == C{"E231"});
  CHECK(cond("\"x\"") == C{"E231"});
  CHECK(cond("q == \"c\"") == C{"W303"});
  CHECK(codes(decls + "step \"t\" { skip if i run \"{{s}}{{v}}{{b}}{{q}}\" }") == C{"E231"});
}

TEST_CASE("facts: types, defaults and options") {
  CHECK(codes("fact a: strin = sh \"x\"\nstep \"s\" { run \"{{a}}\" }") == C{"E205"});
  CHECK(codes("fact a = sh \"x\" required default \"y\"\nstep \"s\" { run \"{{a}}\" }") == C{"E260"});
  CHECK(codes("fact a: int = sh \"x\" default \"x\"\nstep \"s\" { run \"{{a}}\" }") == C{"E232"});
  CHECK(codes("fact a: int = sh \"x\" default \"12\"\nstep \"s\" { run \"{{a}}\" }").empty());
  CHECK(codes("fact a: int = sh \"x\" default \" 12\\n\"\nstep \"s\" { run \"{{a}}\" }").empty());
  CHECK(codes("fact a: bool = sh \"x\" default 1\nstep \"s\" { run \"{{a}}\" }") == C{"E232"});
  CHECK(codes("fact a: version = sh \"x\" default 0\nstep \"s\" { run \"{{a}}\" }").empty());
  CHECK(codes("fact a = env \"A B\"\nstep \"s\" { run \"{{a}}\" }") == C{"E264"});
  CHECK(codes("fact os = sh \"uname\"") == C{"E213"});
  CHECK(codes("fact a = sh \"  \"\nstep \"s\" { run \"{{a}}\" }") == C{"E242"});
}

TEST_CASE("steps: run, fields and names") {
  CHECK(diagnose("step \"s\" {\n  when true\n}") == V{{"E240", 1, 6}});
  CHECK(diagnose("step \"s\" {\n  run \"a\"\n  run \"b\"\n}") == V{{"E241", 3, 3}});
  CHECK(diagnose("step \"s\" {\n  run \"a\"\n  retry \"3\"\n}") == V{{"E206", 3, 3}});
  CHECK(diagnose("step \"s\" {\n  run \"a\"\n  skip if true\n  skip if sh \"x\"\n}") == V{{"E241", 4, 3}});
  CHECK(codes("step \"\" { run \"x\" }") == C{"E242"});
  CHECK(codes("step \"s\" { run \"\" }") == C{"E242"});
  CHECK(codes("step \"{{user}}\" { run \"x\" }") == C{"E263"});
}

TEST_CASE("secrets are never printed nor inserted raw") {
  const std::string decl = "fact k = env \"K\" secret\n";
  CHECK(codes(decl + "step \"s\" { run \"echo {{k}}\" }").empty());
  CHECK(codes(decl + "step \"s\" { env K = \"{{k}}\" run \"x\" }").empty());
  CHECK(codes(decl + "step \"s\" { run \"echo {{raw k}}\" }") == C{"E261"});
  CHECK(codes(decl + "step \"s\" { run \"x\" error \"{{k}}\" }") == C{"E261"});
  CHECK(codes(decl + "step \"s\" { run \"x\" dir \"{{k}}\" }") == C{"E261"});
  CHECK(codes(decl + "ask q \"Key {{k}}?\"\nstep \"s\" { run \"{{k}}{{q}}\" }") == C{"E261"});
}

TEST_CASE("questions") {
  CHECK(codes("ask a \"?\" choices \"x\", \"x\"\nstep \"s\" { run \"{{a}}\" }") == C{"E262"});
  CHECK(codes("ask a \"?\" choices \"x\" default \"y\"\nstep \"s\" { run \"{{a}}\" }") == C{"E262"});
  CHECK(codes("ask home \"?\"") == C{"E213"});
}

TEST_CASE("unused facts and questions are warnings; std modules are not blamed") {
  CHECK(diagnose("fact a = sh \"x\"\nask b \"?\"") == V{{"W301", 1, 6}, {"W302", 2, 5}});
  CHECK(codes("use \"std/wait\"").empty());
}

TEST_CASE("modules: paths, cycles, clashes and visibility") {
  CHECK(codes("use \"./lib.sink\"\nstep \"s\" { run \"{{x}}\" }", {{"lib.sink", "fact x = \"1\""}}).empty());
  CHECK(codes("use \"./sub/lib.sink\"\nstep \"s\" { run \"{{x}}\" }",
              {{"sub/lib.sink", "use \"../other.sink\"\nfact x = \"{{y}}\""}, {"other.sink", "fact y = \"2\""}})
            .empty());
  CHECK(diagnose("use \"./nope.sink\"") == V{{"E250", 1, 5}});
  CHECK(diagnose("use \"std/nope\"") == V{{"E250", 1, 5}});
  CHECK(diagnose("use \"nope.sink\"") == V{{"E250", 1, 5}});
  CHECK(diagnose("use \"./{{user}}.sink\"") == V{{"E263", 1, 5}});
  CHECK(codes("use \"./a.sink\"", {{"a.sink", "use \"./b.sink\""}, {"b.sink", "use \"./a.sink\""}}) == C{"E251"});
  CHECK(codes("use \"./Sinkfile\"") == C{"E250"});  // a module is a .sink file
  CHECK(codes("use \"./a.sink\"", {{"a.sink", "use \"./a.sink\""}}) == C{"E251"});
  CHECK(codes("use \"./a.sink\"\nfact x = \"1\"\nstep \"s\" { run \"{{x}}\" }", {{"a.sink", "fact x = \"2\""}}) ==
        C{"E252"});
  CHECK(codes("use \"./a.sink\"\nuse \"./b.sink\"",
              {{"a.sink", "step \"s\" { run \"{{y}}\" }"}, {"b.sink", "fact y = \"1\""}}) == C{"E201"});
  CHECK(codes("use \"./a.sink\"", {{"a.sink", "step \"s\" {"}}) == C{"E104"});
  CHECK(codes("platform linux { use \"std/wait\" }") == C{"E253"});
}

TEST_CASE("every std module checks clean") {
  for (const auto& m : sink::stdlib_modules()) {
    CAPTURE(m.name);
    CHECK(codes("use \"" + std::string(m.name) + "\"").empty());
  }
}

// ---- regressions ----

TEST_CASE("a fact made from a secret is a secret too (regression)") {
  const std::string decls = "fact t = env \"T\" secret\nfact b = \"x{{t}}\"\nfact c = sh \"echo {{b}}\"\n";
  CHECK(diagnose(decls + "step \"s\" { run \"x\" error \"{{b}}\" }") == V{{"W301", 3, 6}, {"E261", 4, 27}});
  CHECK(codes(decls + "step \"s\" { run \"x\" error \"{{c}}\" }") == C{"E261"});  // b is used by c
  CHECK(codes(decls + "step \"s\" { run \"echo {{raw c}}\" }") == C{"E261"});
  CHECK(codes(decls + "step \"s\" { run \"echo {{c}}\" }").empty());
}

TEST_CASE("a fact's command that names a value as $SINK_name needs it, as the planner reads it (regression)") {
  // The checker followed only {{name}}s: a cycle through $SINK_ passed check and the plan
  // called the fact's value missing; a fact made from a secret this way was not secret.
  CHECK(codes("fact a = sh \"echo $SINK_b\"\nfact b = sh \"echo ${SINK_a}\"\nstep \"s\" { run \"{{a}}\" }") == C{"E220"});
  const std::string decls = "fact t = env \"T\" secret\nfact c = sh \"echo \\\"$SINK_t\\\"\"\n";
  CHECK(codes(decls + "step \"s\" { run \"x\" error \"{{c}}\" }") == C{"E261"});
  CHECK(codes(decls + "step \"s\" { run \"echo {{raw c}}\" }") == C{"E261"});
  CHECK(codes(decls + "step \"s\" { run \"echo {{c}}\" }").empty());
}

TEST_CASE("two literals compared are checked like any comparison (regression)") {
  auto cond = [](const std::string& c) { return codes("step \"t\" { when " + c + " run \"x\" }"); };
  CHECK(cond("\"a\" < \"b\"") == C{"E230"});
  CHECK(cond("\"x\" == 1") == C{"E230"});
  CHECK(cond("1 < \"x\"") == C{"E230"});
  CHECK(cond("\"a\" == \"a\"").empty());
  CHECK(cond("1 < 2").empty());
}

TEST_CASE("choices are only compared with == and != (regression)") {
  CHECK(codes("ask q \"?\" choices \"a\", \"b\"\nstep \"t\" { when q < \"c\" run \"{{q}}\" }") == C{"E230"});
}

TEST_CASE("hints name a path that works from the file that needs it (regression)") {
  sink::test::MapReader reader;
  reader.files = {{"sub/a.sink", "step \"a\" { run \"{{from_b}}\" }"}, {"b.sink", "fact from_b = \"b\""}};
  sink::Diagnostics diags;
  auto p = sink::load_program_text("Sinkfile", "use \"./sub/a.sink\"\nuse \"./b.sink\"", reader, diags);
  sink::check_program(p, diags);
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].hint == "add `use \"../b.sink\"` at the top of this file");
}

TEST_CASE("module path hints: absolute paths, std names with .sink (regression)") {
  sink::test::MapReader reader;
  sink::Diagnostics diags;
  auto p = sink::load_program_text("Sinkfile", "use \"/etc/x.sink\"\nuse \"std/wait.sink\"", reader, diags);
  REQUIRE(diags.items().size() == 2);
  CHECK(diags.items()[0].hint.find("relative") != std::string::npos);
  CHECK(diags.items()[0].hint.find(".//") == std::string::npos);
  CHECK(diags.items()[1].hint == "did you mean `std/wait`?");
}

TEST_CASE("a keyword used as a name gets a hint about the keyword (regression)") {
  sink::test::MapReader reader;
  sink::Diagnostics diags;
  auto p = sink::load_program_text("Sinkfile", "step \"s\" { run \"{{raw}}\" }", reader, diags);
  sink::check_program(p, diags);
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].hint.find("{{raw NAME}}") != std::string::npos);
}

TEST_CASE("an option written twice is an error (regression)") {
  CHECK(diagnose("fact a = sh \"x\" required required\nstep \"s\" { run \"{{a}}\" }") == V{{"E265", 1, 26}});
  CHECK(codes("fact a = sh \"x\" secret secret\nstep \"s\" { run \"{{a}}\" }") == C{"E265"});
  CHECK(codes("fact a = sh \"x\" default \"1\" default \"2\"\nstep \"s\" { run \"{{a}}\" }") == C{"E265"});
  CHECK(codes("ask q \"?\" default \"a\" default \"b\"\nstep \"s\" { run \"{{q}}\" }") == C{"E265"});
  CHECK(codes("ask q \"?\" choices \"a\" choices \"b\"\nstep \"s\" { run \"{{q}}\" }") == C{"E265"});
}

TEST_CASE("a value cannot stand in a here-document whose delimiter is quoted (regression)") {
  CHECK(diagnose("ask x \"?\"\nstep \"s\" {\n  run \"\"\"\n    cat <<'EOF'\n    {{x}}\n    EOF\n  \"\"\"\n}") ==
        V{{"E266", 5, 5}});
  CHECK(codes("ask x \"?\"\nstep \"s\" {\n  run \"\"\"\n    cat <<EOF\n    {{x}}\n    EOF\n  \"\"\"\n}").empty());
}

TEST_CASE("a value cannot stand inside '...' or in a string another shell runs (regression)") {
  const std::string ask = "ask x \"?\"\n";
  CHECK(diagnose(ask + "step \"s\" { run \"sh -c 'echo {{x}}'\" }") == V{{"E267", 2, 29}});
  CHECK(codes(ask + "step \"s\" { run \"echo 'hello {{x}}'\" }") == C{"E267"});
  CHECK(codes(ask + "step \"s\" { run \"sh -c \\\"echo {{x}}\\\"\" }") == C{"E267"});
  CHECK(codes(ask + "step \"s\" { run \"eval \\\"echo {{x}}\\\"\" }") == C{"E267"});
  CHECK(codes(ask + "step \"s\" { run \"echo \\\"hello {{x}}\\\"; echo 'hi' {{x}}\" }").empty());
  CHECK(codes(ask + "step \"s\" { run \"sh -c 'echo \\\"$1\\\"' sh {{x}}\" }").empty());
  CHECK(codes(ask + "step \"s\" { run \"\"\"\n  # it's {{x}}\n  echo {{x}}\n\"\"\" }").empty());
}

TEST_CASE("a platform block's values are used only where the block applies (E214)") {
  const std::string decl = "platform linux {\n  fact apt: bool = sh \"x\"\n}\n";
  CHECK(diagnose(decl + "step \"s\" {\n  when apt\n  run \"x\"\n}") == V{{"E214", 5, 8}});
  CHECK(diagnose(decl + "platform debian, ubuntu { step \"s\" { when apt run \"x\" } }").empty());
  CHECK(diagnose(decl + "platform linux, darwin { step \"s\" { when apt run \"x\" } }") == V{{"E214", 4, 42}});
  CHECK(diagnose(decl + "fact b = \"{{apt}}\"\nstep \"s\" { run \"{{b}}\" }") == V{{"E214", 4, 11}});
}

TEST_CASE("platform names people use, and os/distro values that never match") {
  CHECK(sink::lex::platform_meant("macos") == "darwin");
  CHECK(sink::lex::platform_meant("OSX") == "darwin");
  CHECK(sink::lex::platform_meant("Ubuntu") == "ubuntu");
  CHECK_FALSE(sink::lex::platform_meant("plan9"));
  CHECK(codes("step \"s\" { when os == \"macos\" or distro == \"Ubuntu\" or os == \"linux\" run \"x\" }") ==
        C{"W305", "W305"});
  CHECK(diagnose("step \"s\" { when distro == \"sles\" or distro == \"darwin\" run \"x\" }").empty());
}

TEST_CASE("a std helper without its use (W306), a typed fact without sh (E233)") {
  CHECK(diagnose("step \"s\" { run \"echo retry; retry -- x\" }") == V{{"W306", 1, 29}});
  CHECK(diagnose("step \"s\" { run \"echo\\nretry -- x\" }") == V{{"W306", 1, 23}});  // after an escape
  CHECK(diagnose("use \"std/retry\"\nstep \"s\" { run \"retry -- x\" }").empty());
  // Words after "helper " in a std module's comments are no helpers ("# Each helper says ...").
  CHECK(diagnose("step \"s\" { run \"says hi\" }").empty());
  CHECK(diagnose("fact n: int = \"nproc\"\nstep \"s\" { when n > 1 run \"x\" }") == V{{"E233", 1, 15}});
  CHECK(diagnose("fact n: int = \"8\"\nfact b: bool = \"yes\"\nstep \"s\" { when n > 1 and b run \"x\" }").empty());
}

namespace {
// The quote tracker's verdict at the `@` of `script`.
sink::ShellContext context_at(std::string_view script) {
  sink::ShellQuoteTracker t;
  t.feed(script.substr(0, script.find('@')));
  return t.at();
}
}  // namespace

TEST_CASE("nested shells: code-taking commands and options are recognised in any form") {
  using C = sink::ShellContext;
  for (const char* code : {"sh -c \"echo @\"", "sh -xc \"@\"", "sh -euc '@'", "bash -ic \"@\"", "sh -c -- \"@\"",
                           "sh -o errexit -c \"@\"", "bash --norc -c \"@\"", "sh -c @", "/bin/sh -c \"@\"",
                           "su root --command \"@\"", "su -c \"@\" root", "su --command=\"@\"", "runuser -u x -- sh -c \"@\"",
                           "trap \"echo @\" EXIT", "trap -- \"@\" EXIT", "eval echo @", "eval \"echo @\"", "eval 'x' \"@\"",
                           "env VAR=1 sh -c \"@\"", "env -u X sh -c \"@\"", "timeout 5 sh -c \"@\"", "timeout -s KILL 5 bash -c \"@\"",
                           "nohup sh -c \"@\"", "sudo sh -c \"@\"", "sudo -u root -E bash -c \"@\"", "xargs sh -c \"@\"",
                           "xargs -I{} -n 1 sh -c \"@\"", "find . -name x -exec sh -c \"@\" \\;", "nice -n 5 sh -c \"@\"",
                           "sh \\\n  -c \"@\"", "sh -\\\nc \"@\"", "exec sh -c \"@\"", "if sh -c \"@\"; then :; fi",
                           "X=1 sh -c \"@\"", "sh 2>/dev/null -c \"@\"", "sh -c \"$(echo @)\"", "sh -c \"`echo @`\"",
                           "sh <<EOF\necho @", "bash -s <<EOF\n@", "sudo -s <<EOF\n@", "ssh host \"@\"", "ssh -p 22 host echo @",
                           "ssh -- -p echo @", "watch -n 1 echo @", "alias x=\"@\"", "awk \"{print @}\"", "awk -F: '{print}@'", "sed \"s/a/@/\"",
                           "sed -n -e \"s/a/@/p\"", "python3 -c \"print(@)\"", "perl -ne \"@\"", "node -e \"@\"",
                           "PS4=\"@\"", "flock /tmp/l -c \"@\"", "busybox sh -c \"@\"", "env -S \"@\"", "(sh -c \"@\")",
                           "{ sh -c \"@\"; }", "sh -c \"# @\"", "python3 - <<EOF\n@"})
    CHECK_MESSAGE(context_at(code) == C::CodeString, code);
  for (const char* data : {"sh -c 'echo \"$1\"' sh @", "echo sh -c @", "echo @; sh -c 'x'", "sh script.sh @",
                           "trap - @", "sudo cp @ /tmp", "timeout 5 cp @ x", "find . -name @", "awk '{print}' @",
                           "awk -v v=@ '{print v}'", "sed -e 's/a/b/' @", "python3 x.py @", "env VAR=@ cmd",
                           "xargs -I{} cp {} @", "su - @", "cat <<EOF\n@", "ssh @", "printf %s @ | sh",
                           "sudo -u @", "timeout -s @", "env -u @", "ssh -p @"})
    CHECK_MESSAGE(context_at(data) != C::CodeString, data);
  CHECK(context_at("sh <<'EOF'\n@") == C::QuotedHereDoc);
}

TEST_CASE("arithmetic and [[ ]]: every place where bash evaluates a value as an expression") {
  using C = sink::ShellContext;
  for (const char* arith : {"echo $((@ * 2))", "echo \"$((@ - 1))\"", "(( @ > 1 ))", "let x=@+1", "let \"x = @\"",
                            "echo $[@ + 1]", "a[@]=1", "echo ${s:@}", "echo \"${s:1:@}\"", "echo ${a[@]}",
                            "declare -i n=@", "echo $(( (1 + @) ))"})
    CHECK_MESSAGE(context_at(arith) == C::Arith, arith);
  CHECK(context_at("[[ @ -gt 2 ]]") == C::Test);
  CHECK(context_at("if [[ 3 -lt @ ]]; then :; fi") == C::Test);
  for (const char* data : {"echo $((1 + 2)) @", "echo ${s:-@}", "echo ${s:=@}", "[ @ -gt 2 ]", "[[ x ]] && echo @",
                           "echo ${#s} @", "a=@", "x=a[@", "v=1[@"})
    CHECK_MESSAGE(context_at(data) != C::Arith, data);
}

TEST_CASE("a # after $( ), backticks or $(( )) in the same word is no comment (regression)") {
  using C = sink::ShellContext;
  CHECK(context_at("echo $(printf y )#x @") == C::Normal);
  CHECK(context_at("echo `printf y `#x @") == C::Normal);
  CHECK(context_at("echo $((1))#x @") == C::Normal);
  CHECK(context_at("echo x #y @") == C::Comment);
  CHECK(context_at("echo $'it\\'s' @") == C::Normal);
  CHECK(context_at("echo $'x @") == C::Single);
}

TEST_CASE("a value in arithmetic must be an int; in code another shell runs, never (E267, E269)") {
  CHECK(codes("ask n \"?\"\nstep \"s\" { run \"echo $(({{n}} * 2))\" }") == C{"E269"});
  CHECK(codes("fact n: int = sh \"nproc\"\nstep \"s\" { run \"echo $(({{n}} * 2)); [[ {{n}} -gt 1 ]]\" }").empty());
  CHECK(codes("fact n: int = sh \"nproc\"\nstep \"s\" { run \"let x={{n}}\" }").empty());
  CHECK(codes("ask n \"?\"\nstep \"s\" { run \"[[ {{n}} -gt 1 ]]\" }") == C{"E269"});
  CHECK(codes("ask n \"?\"\nstep \"s\" { run \"x=a[{{n}}]\" }").empty());  // a plain assignment, no subscript
  CHECK(codes("ask n \"?\"\nstep \"s\" { run \"echo $(({{raw n}} * 2))\" }").empty());  // raw: the author's own code
  CHECK(codes("step \"s\" { run \"echo $(({{env.NOPE}} * 2))\" }") == C{"E202"});  // one error for one mistake
  sink::test::MapReader reader;
  sink::Diagnostics diags;
  auto p = sink::load_program_text("Sinkfile", "ask x \"?\"\nstep \"s\" { run \"sh -xc \\\"echo {{x}}\\\"\" }", reader, diags);
  sink::check_program(p, diags);
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].hint.find("\"$SINK_x\"") != std::string::npos);
}
