// The command line, run in-process against a fake host.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/cli.hpp"
#include "fake_runner.hpp"

namespace {

class FakeHost : public sink::Host {
 public:
  std::map<std::string, std::string> vars;
  std::string dir = "/home/u/repo/sub";
  std::set<std::string> files;
  bool tty = false;
  std::optional<std::string> env(const std::string& name) const override {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }
  std::string cwd() const override { return dir; }
  bool is_terminal(int) const override { return tty; }
  bool is_file(const std::string& path) const override { return files.count(path) > 0; }
  sink::Machine machine() const override { return machine_; }
  std::unique_ptr<sink::CommandRunner> runner() const override { return std::make_unique<sink::test::FakeRunner>(); }
  std::unique_ptr<sink::Prompter> prompter(std::ostream&, std::function<bool()>) const override { return nullptr; }
  sink::Machine machine_;
};

struct Result {
  int status;
  std::string out, err;
};

Result run(const std::vector<std::string>& args, const FakeHost& host) {
  std::ostringstream out, err;
  const int status = sink::run_cli(args, host, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace

TEST_CASE("the Sinkfile is found in the working folder or the nearest parent") {
  FakeHost host;
  CHECK_FALSE(sink::find_sinkfile(host));
  host.files = {"/home/u/Sinkfile", "/home/u/repo/Sinkfile"};
  CHECK(*sink::find_sinkfile(host) == "../Sinkfile");
  host.files.insert("/home/u/repo/sub/Sinkfile");
  CHECK(*sink::find_sinkfile(host) == "Sinkfile");
  host.files = {"/Sinkfile"};
  CHECK(*sink::find_sinkfile(host) == "../../../../Sinkfile");
}

TEST_CASE("no Sinkfile anywhere is an error that says where sink looked") {
  FakeHost host;
  const auto r = run({"check"}, host);
  CHECK(r.status == 1);
  CHECK(r.err.find("error[E003]: no Sinkfile in /home/u/repo/sub") != std::string::npos);
  CHECK(r.err.find("hint:") != std::string::npos);
}

TEST_CASE("colour: only on a terminal, never with NO_COLOR or TERM=dumb, unless forced") {
  FakeHost host;
  const std::vector<std::string> args{"check", "/nonexistent/Sinkfile"};
  auto colored = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = extra;
    a.insert(a.end(), args.begin(), args.end());
    return run(a, host).err.find("\x1b[") != std::string::npos;
  };
  CHECK_FALSE(colored({}));
  host.tty = true;
  CHECK(colored({}));
  host.vars["NO_COLOR"] = "1";
  CHECK_FALSE(colored({}));
  CHECK(colored({"--color=always"}));
  host.vars.erase("NO_COLOR");
  host.vars["TERM"] = "dumb";
  CHECK_FALSE(colored({}));
  host.vars.erase("TERM");
  CHECK_FALSE(colored({"--color", "never"}));
}

TEST_CASE("usage errors exit 2 with the usage") {
  FakeHost host;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"frobnicate"}, {"check", "--nope"}, {"check", "--format", "xml"}, {"check", "a", "b"}, {"--color"}}) {
    CAPTURE(args.front());
    const auto r = run(args, host);
    CHECK(r.status == 2);
    CHECK(r.err.find("Usage: sink") != std::string::npos);
    CHECK(r.out.empty());
  }
  CHECK(run({"--version"}, host).status == 0);
  CHECK(run({"help", "check"}, host).out.find("sink check") == 0);
}

TEST_CASE("--version wins wherever it stands (regression)") {
  FakeHost host;
  const auto r = run({"check", "--version", "/nonexistent"}, host);
  CHECK(r.status == 0);
  CHECK(r.out.rfind("sink ", 0) == 0);
}

TEST_CASE("every command that reads a Sinkfile says the same when there is none") {
  FakeHost host;
  for (const std::string command : {"check", "plan", "apply", "facts", "export", "fmt"}) {
    CAPTURE(command);
    const auto r = run({command}, host);
    CHECK(r.status == 1);
    CHECK(r.err.find("error[E003]: no Sinkfile in /home/u/repo/sub") != std::string::npos);
    CHECK(r.err.find("sink " + command + " path/to/Sinkfile") != std::string::npos);
    // After the diagnostic, as after any check error: a blank line and the count.
    if (command == "check") CHECK(r.err.ends_with("Sinkfile\n\nsink: 1 error, 0 warnings\n"));
    else if (command != "fmt") CHECK(r.err.ends_with("Sinkfile\n\nsink: 1 error, 0 warnings; nothing was run\n"));
  }
}
