// The planner and fact gathering, against a fake command runner: nothing is run.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fake_runner.hpp"
#include "plan/eval.hpp"
#include "plan/planner.hpp"
#include "run/apply.hpp"
#include "support.hpp"

using namespace sink;

namespace {

Machine linux_box() {
  Machine m;
  m.os = "linux";
  m.distro = "ubuntu";
  m.distro_version = "22.04";
  m.arch = "x86_64";
  m.user = "ada";
  m.home = "/home/ada";
  m.cpus = "4";
  m.environment = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/home/ada"}, {"TOKEN", "s3cret"}};
  return m;
}

// A checked program, its selection, a resolver over a fake runner: what a run is made of.
struct World {
  Program program;
  Machine machine = linux_box();
  Selection selection;
  test::FakeRunner runner;
  Inputs inputs;
  std::unique_ptr<Resolver> resolver;

  explicit World(const std::string& text, Machine m = linux_box()) : machine(std::move(m)) {
    test::MapReader reader;
    Diagnostics diags;
    program = load_program_text("Sinkfile", text, reader, diags);
    check_program(program, diags);
    REQUIRE_MESSAGE(!diags.has_errors(), "the test's Sinkfile must check clean");
    selection = select_steps(program, machine);
  }
  void gather() {
    resolver = std::make_unique<Resolver>(selection, machine, runner, inputs, nullptr, "/repo");
    REQUIRE(resolver->run());
  }
  StepPlan decide(std::size_t i) {
    Planner planner{program.sources, *resolver};
    return planner.decide(selection.steps.at(i));
  }
  std::string value(const std::string& name) {
    const Value* v = resolver->value(name);
    return v ? v->text : "(none)";
  }
};

}  // namespace

TEST_CASE("only the facts the steps on this platform need are gathered, each once") {
  World w(R"(
fact mac_only = sh "sw_vers"
fact shared = sh "echo shared"
fact base = sh "echo base"
fact built = "{{base}}-x"
fact unused = sh "echo unused"
platform darwin { step "mac" { run "echo {{mac_only}} {{shared}}" } }
step "a" { run "echo {{shared}} {{built}}" }
step "b" { when shared == "shared" run "echo {{shared}}" }
)");
  w.gather();
  CHECK(w.runner.count("sw_vers") == 0);
  CHECK(w.runner.count("echo unused") == 0);
  CHECK(w.runner.count("echo shared") == 1);
  CHECK(w.runner.count("echo base") == 1);
  CHECK(w.value("built") == "-x");  // the fake printed nothing for base
  CHECK(w.selection.needed == std::vector<std::string_view>{"shared", "base", "built"});
}

TEST_CASE("independent facts start together; a fact waits for the facts it needs") {
  World w(R"(
fact a = sh "cmd-a"
fact b = sh "cmd-b"
fact c = sh "cmd-c"
fact d = sh "uses {{a}}"
step "s" { run "{{a}}{{b}}{{c}}{{d}}" }
)");
  w.runner.results = {{"cmd-a", {0, "A\n"}}};
  w.gather();
  CHECK(w.runner.most_at_once == 3);  // a, b and c at once; d only after a
  REQUIRE(w.runner.started.size() == 4);
  const Command& d = w.runner.started.back();
  CHECK(d.script.find("uses \"${SINK_a}\"") != std::string::npos);
  CHECK(std::count(d.env.begin(), d.env.end(), std::pair<std::string, std::string>{"SINK_a", "A"}) == 1);
}

TEST_CASE("types, defaults and failures of facts") {
  World w(R"(
fact ok: bool = sh "true-ish"
fact no: bool = sh "false-ish"
fact n: int = sh "count"
fact v: version = sh "node --version"
fact gone = sh "missing" default "fallback"
fact lost = sh "missing"
fact bad: int = sh "words"
step "s" { run "{{ok}}{{no}}{{n}}{{v}}{{gone}}{{lost}}{{bad}}" }
)");
  w.runner.results = {{"false-ish", {1, ""}}, {"count", {0, " 42\n"}}, {"node --version", {0, "v20.11.1\n"}},
                      {"missing", {127, ""}}, {"words", {0, "many"}}};
  w.gather();
  CHECK(w.value("ok") == "true");
  CHECK(w.value("no") == "false");
  CHECK(w.value("n") == "42");
  CHECK(w.value("v") == "20.11.1");
  CHECK(w.value("gone") == "fallback");
  CHECK(w.value("lost") == "(none)");
  CHECK(w.resolver->result("lost")->problem.find("exited with status 127") != std::string::npos);
  CHECK(w.resolver->result("bad")->invalid);  // a value of the wrong kind stops the run
  CHECK(w.resolver->result("bad")->problem.find("\"many\"") != std::string::npos);
}

TEST_CASE("env facts, built facts and secrets") {
  World w(R"(
fact token = env "TOKEN" secret
fact header = "Bearer {{token}}"
fact none = env "NOT_SET" default "d"
step "s" { run "curl -H {{header}} {{none}}" }
)");
  w.gather();
  CHECK(w.value("token") == "s3cret");
  CHECK(w.resolver->value("header")->secret);  // made from a secret
  CHECK(w.resolver->value("header")->shown() == "••••••");
  CHECK(w.value("none") == "d");
}

TEST_CASE("answers come from --set, then --vars, then the default") {
  World w(R"(
ask a "A?" default "da"
ask b "B?" default "db"
ask c "C?" default "dc"
ask d "D?"
step "s" { run "{{a}}{{b}}{{c}}{{d}}" }
)");
  w.inputs.set = {{"a", "from-set"}};
  w.inputs.vars = {{"a", "from-vars"}, {"b", "from-vars"}};
  w.gather();
  CHECK(w.value("a") == "from-set");
  CHECK(w.value("b") == "from-vars");
  CHECK(w.value("c") == "dc");
  CHECK(w.value("d") == "(none)");
  CHECK(w.resolver->result("d")->problem.find("--set d=VALUE") != std::string::npos);
}

TEST_CASE("verdicts: platform, when, skip if, blocked") {
  World w(R"(
fact mem: int = sh "mem"
fact ok: bool = sh "probe"
fact broken = sh "broken"
platform darwin { step "mac" { run "x" } }
step "small" { when mem < 8 run "x" }
step "big" { when mem >= 8 run "x" }
step "probed" { skip if ok run "x" }
step "checked" { skip if sh "test -f done" run "x" }
step "fresh" { skip if sh "test -f missing" run "x" }
step "needs" { run "echo {{broken}}" }
)");
  w.runner.results = {{"mem", {0, "16"}}, {"probe", {0, ""}}, {"broken", {2, ""}}, {"test -f missing", {1, ""}}};
  w.gather();
  CHECK(w.decide(0).verdict == Verdict::LeftOut);
  CHECK(w.decide(0).reason == "`platform darwin` (line 5)");
  const StepPlan small = w.decide(1);
  CHECK(small.verdict == Verdict::NotApplicable);
  CHECK(small.reason == "when `mem < 8` (mem = 16) is false");
  CHECK(w.decide(2).verdict == Verdict::Run);
  CHECK(w.decide(3).verdict == Verdict::AlreadyDone);
  CHECK(w.decide(4).verdict == Verdict::AlreadyDone);
  CHECK(w.decide(4).reason == "skip if sh `test -f done` succeeded");
  CHECK(w.decide(5).verdict == Verdict::Run);
  CHECK(w.decide(5).reason == "check `test -f missing` failed (exit 1)");
  CHECK(w.decide(6).verdict == Verdict::Blocked);
  CHECK(w.decide(6).reason.find("needs `broken`") == 0);
}

TEST_CASE("a condition that starts or ends in parentheses is shown whole (regression)") {
  World w(R"(
fact mem: int = sh "mem"
step "both" { when (mem < 8) == (mem > 2) run "x" }
step "left" { when (mem < 8) and mem > 2 run "x" }
)");
  w.runner.results = {{"mem", {0, "16"}}};
  w.gather();
  CHECK(w.decide(0).reason == "when `(mem < 8) == (mem > 2)` (mem = 16) is false");
  CHECK(w.decide(1).reason == "when `(mem < 8) and mem > 2` (mem = 16) is false");
}

TEST_CASE("when sh: exit 0 means the step applies; checked in the step's folder, before skip if") {
  World w(R"(
step "absent" { when sh "command -v nope" skip if sh "never" run "x" }
step "present" { when sh "command -v git" dir "/srv" skip if sh "test -f done" run "x" }
step "fresh" { when sh "command -v git" skip if sh "test -f missing" run "x" }
)");
  w.runner.results = {{"command -v nope", {1, ""}}, {"test -f missing", {1, ""}}};
  w.gather();
  const StepPlan absent = w.decide(0);
  CHECK(absent.verdict == Verdict::NotApplicable);
  CHECK(absent.reason == "when sh `command -v nope` failed (exit 1)");
  CHECK(w.runner.count("never") == 0);
  CHECK(w.decide(1).verdict == Verdict::AlreadyDone);
  CHECK(w.runner.started.back().dir == "/srv");
  CHECK(w.decide(2).verdict == Verdict::Run);
  CHECK(w.decide(2).reason == "check `test -f missing` failed (exit 1)");
}

TEST_CASE("--only, --skip (names or globs) and --from choose the steps; what only others need is not needed") {
  const char* text = R"(
fact a = sh "fa"
fact b = sh "fb"
ask q "Q?"
step "Install a" { run "echo {{a}}" }
step "Install b" { run "echo {{b}}" }
platform darwin { step "Mac" { run "echo {{q}}" } }
step "Configure" { run "echo {{q}}" }
)";
  World w(text);
  auto names = [&](const StepChoice& c) {
    const Selection s = select_steps(w.program, w.machine, c);
    if (!s.error.empty()) return s.error;
    std::string out;
    for (const auto& st : s.steps) out += (out.empty() ? "" : ",") + st.step->name.text;
    for (const auto n : s.needed) out += " " + std::string(n);
    return out;
  };
  CHECK(names({}) == "Install a,Install b,Mac,Configure a b q");
  CHECK(names({{"Install a"}, {}, ""}) == "Install a a");
  CHECK(names({{"Install *"}, {"*b"}, ""}) == "Install a a");
  CHECK(names({{}, {"Configure"}, ""}) == "Install a,Install b,Mac a b");
  CHECK(names({{}, {}, "Install b"}) == "Install b,Mac,Configure b q");
  CHECK(names({{"Mac", "Install a"}, {}, "Install b"}) == "Mac");
  CHECK(select_steps(w.program, w.machine, {{"Install a"}, {}, ""}).not_chosen == 3);
  CHECK(names({{"Instal a"}, {}, ""}) == "--only \"Instal a\": no step is named so; did you mean \"Install a\"?");
  CHECK(names({{}, {"x*"}, ""}).find("--skip \"x*\": no step is named so") == 0);
  CHECK(names({{}, {}, "Confgure"}).find("did you mean \"Configure\"") != std::string::npos);
}

TEST_CASE("--platform selects the blocks of another machine") {
  Machine mac = linux_box();
  CHECK(override_platform(mac, "darwin/arm64").empty());
  CHECK(mac.os == "darwin");
  CHECK(mac.arch == "arm64");
  World w("platform darwin { step \"mac\" { run \"x\" } }\nplatform linux { step \"lin\" { run \"y\" } }", mac);
  CHECK(w.selection.steps.at(0).on_platform);
  CHECK_FALSE(w.selection.steps.at(1).on_platform);
  Machine m = linux_box();
  CHECK(override_platform(m, "ubunt").find("did you mean `ubuntu`") != std::string::npos);
  CHECK(override_platform(m, "ubuntu/").find("architecture") != std::string::npos);
}

TEST_CASE("steps: modules first, env scopes innermost last, dir relative to the Sinkfile") {
  test::MapReader reader;
  reader.files = {{"lib.sink", "env WHO = \"lib\"\nstep \"from lib\" { run \"x\" }"}};
  Diagnostics diags;
  Program p = load_program_text("Sinkfile",
                                "use \"./lib.sink\"\nenv WHO = \"root\"\nenv LANG = \"C\"\n"
                                "platform linux {\n  env WHO = \"block\"\n  step \"s\" {\n    env WHO = \"step\"\n"
                                "    dir \"sub\"\n    run \"echo $WHO\"\n  }\n}",
                                reader, diags);
  check_program(p, diags);
  REQUIRE_FALSE(diags.has_errors());
  const Machine m = linux_box();
  const Selection sel = select_steps(p, m);
  REQUIRE(sel.steps.size() == 2);
  CHECK(sel.steps[0].step->name.text == "from lib");
  test::FakeRunner runner;
  Inputs inputs;
  Resolver r(sel, m, runner, inputs, nullptr, "/repo");
  REQUIRE(r.run());
  Planner planner{p.sources, r};
  const StepSetup lib = planner.setup(sel.steps[0]);
  CHECK(lib.env == std::vector<std::pair<std::string, std::string>>{{"WHO", "lib"}, {"LANG", "C"}});
  const StepSetup s = planner.setup(sel.steps[1]);
  CHECK(s.env == std::vector<std::pair<std::string, std::string>>{{"WHO", "step"}, {"LANG", "C"}});
  CHECK(s.dir == "/repo/sub");
}

TEST_CASE("interpolated values are quoted for where they stand in the script") {
  auto shell = [](const std::string& run) {
    auto p = test::parse("step \"s\" { run " + run + " }");
    REQUIRE(p.file);
    const Value v = Value::of_string("$(touch x)x");
    return to_shell(p.file->items.at(0).as<ast::Step>()->field(ast::StepField::Kind::Run)->text,
                    [&](std::string_view) { return &v; })
        .script;
  };
  CHECK(shell(R"x("echo {{a}}")x") == "echo \"${SINK_a}\"");
  CHECK(shell(R"x("echo \"x {{a}}\"")x") == "echo \"x ${SINK_a}\"");
  CHECK(shell(R"x("echo 'x {{a}}'")x") == "echo 'x '\"${SINK_a}\"''");
  CHECK(shell(R"x("echo $(basename {{a}})")x") == "echo $(basename \"${SINK_a}\")");
  CHECK(shell(R"x("echo \"$(basename {{a}})\"")x") == "echo \"$(basename \"${SINK_a}\")\"");
  CHECK(shell("\"\"\"\n  cat <<EOF\n  v={{a}}\n  EOF\n  echo {{a}}\n\"\"\"") ==
        "cat <<EOF\nv=${SINK_a}\nEOF\necho \"${SINK_a}\"");
  CHECK(shell("\"echo {{raw a}}\"") == "echo $(touch x)x");  // raw: the text itself, as asked
  CHECK(shell("\"echo {{env.HOME}}\"") == "echo \"${SINKENV_HOME}\"");  // cannot meet a fact `env_HOME`
  CHECK(shell("\"\"\"\n  # it's a comment\n  echo {{a}}\n\"\"\"") == "# it's a comment\necho \"${SINK_a}\"");  // regression
  CHECK(shell("\"\"\"\n  echo $((1<<2))\n  echo {{a}}\n\"\"\"") == "echo $((1<<2))\necho \"${SINK_a}\"");  // regression
  CHECK(shell(R"x("echo x\\{{a}}")x") == "echo x\\\n\"${SINK_a}\"");  // a backslash before: continuation
}

TEST_CASE("conditions evaluate by type, and say which name has no value") {
  std::string why;
  const Value v18 = *parse_value(lex::Type::Version, "18.2.0", why);
  auto eval = [&](const std::string& cond) {
    auto p = test::parse("step \"s\" { when " + cond + " run \"x\" }");
    REQUIRE(p.file);
    const auto* when = p.file->items.at(0).as<ast::Step>()->field(ast::StepField::Kind::When);
    return evaluate(*when->expr, [&](std::string_view n) -> const Value* { return n == "node" ? &v18 : nullptr; });
  };
  CHECK(eval("node >= \"18.2\"").value->boolean);
  CHECK_FALSE(eval("node >= \"18.10\"").value->boolean);
  CHECK(eval("node < 19").value->boolean);
  CHECK(eval("not (node == \"18\")").value->boolean);
  CHECK(eval("node == \"18.2\"").value->boolean);  // 18.2 == 18.2.0
  CHECK_FALSE(eval("missing == \"x\"").value);
  CHECK(eval("missing == \"x\"").missing == "missing");
  CHECK_FALSE(eval("node > 20 and missing == \"x\"").value->boolean);  // decided without it
}

TEST_CASE("secret values are masked in text that came from outside (regression)") {
  World w("fact key = env \"TOKEN\" secret\nfact login = sh \"login {{key}}\"\nstep \"s\" { run \"{{login}}\" }");
  w.runner.results = {{"login", {1, ""}}};
  w.gather();
  CHECK(w.resolver->redact("curl: https://api?key=s3cret failed") == "curl: https://api?key=•••••• failed");
  CHECK(w.resolver->redact("no secret here") == "no secret here");
}

TEST_CASE("a skip check runs in the step's folder, never elsewhere (regression)") {
  World w("step \"build\" {\n  dir \"out\"\n  skip if sh \"test -f Sinkfile\"\n  run \"x\"\n}");
  w.gather();
  w.decide(0);
  REQUIRE(w.runner.count("test -f Sinkfile") == 1);
  CHECK(w.runner.started.back().dir == "/repo/out");
}

TEST_CASE("secrets of three characters are masked too (regression)") {
  World w("ask pin \"PIN?\" secret\nstep \"s\" { run \"echo {{pin}}\" }");
  w.inputs.set = {{"pin", "917"}};
  w.gather();
  CHECK(w.resolver->redact("bad pin 917") == "bad pin ••••••");
}

TEST_CASE("read_inputs: --set and --facts are checked against the program, built-ins pinned into the machine") {
  World w(R"(ask name "Name?"
ask shell "Shell?" choices "zsh", "bash"
fact mem: int = sh "echo 1"
step "s" { when mem > 0 run "echo {{name}} {{shell}}" })");
  const auto run = [&](InputFlags flags, Diagnostics& diags) {
    Inputs inputs;
    const bool usable = read_inputs(w.program, flags, w.program.sources, w.machine, inputs, diags);
    return std::pair{usable, inputs};
  };
  SUBCASE("good values pass and pin the machine") {
    Diagnostics diags;
    const auto facts = std::filesystem::temp_directory_path() / "sink-read-inputs-facts.toml";
    std::ofstream(facts) << "distro = \"fedora\"\nmem = 4\n";
    const auto [usable, inputs] = run({{"name=Ann", "shell=zsh"}, {}, facts.string()}, diags);
    std::filesystem::remove(facts);
    CHECK(usable);
    CHECK(diags.items().empty());
    CHECK(inputs.set.at("name") == "Ann");
    CHECK(inputs.pinned.at("mem") == "4");
    CHECK(w.machine.distro == "fedora");
  }
  SUBCASE("each mistake is a diagnostic, and a usage error") {
    Diagnostics diags;
    const auto [usable, inputs] = run({{"nmae=Ann", "shell=fish", "broken"}, {}, {}}, diags);
    CHECK_FALSE(usable);
    std::vector<std::string> codes;
    for (const auto& d : diags.items()) codes.push_back(std::string(sink::code_name(d.code)));
    CHECK(codes == std::vector<std::string>{"E413", "E414", "E415"});
    CHECK(diags.items()[1].message.find("did you mean `name`?") != std::string::npos);
  }
}

TEST_CASE("fact progress: a live line after half a second, cleared when done; plain lines for slow facts otherwise") {
  using namespace std::chrono_literals;
  auto t = std::chrono::steady_clock::time_point{};
  std::ostringstream live_out, plain_out;
  FactProgress live(live_out, true, [&] { return t; });
  FactProgress plain(plain_out, false, [&] { return t; });
  const std::vector<std::string_view> both{"node", "brew"}, node{"node"};
  for (auto* p : {&live, &plain}) (*p)(both);
  t += 400ms;
  for (auto* p : {&live, &plain}) (*p)(both);
  CHECK(live_out.str().empty());
  t += 200ms;
  live(both);
  CHECK(live_out.str() == "\r\x1b[Ksink: gathering facts: brew, node (0.60s)");
  t += 1500ms;
  plain(node);
  CHECK(plain_out.str() == "sink: fact `node` is still running after 2.10s\n");
  t += 5s;
  plain(node);
  CHECK(plain_out.str() == "sink: fact `node` is still running after 2.10s\n");  // once per fact
  live_out.str("");
  live({});
  CHECK(live_out.str() == "\r\x1b[K");
  std::ostringstream quiet;
  FactProgress fast(quiet, true, [&] { return t; });
  fast(both);
  fast({});
  CHECK(quiet.str().empty());  // nothing drawn, nothing to clear
}
