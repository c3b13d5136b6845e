// PosixRunner with real processes: /bin/sh, pipes, process groups and signals.
#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#ifdef __linux__
#include <sys/mount.h>
#endif
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "proc/posix_runner.hpp"

using namespace sink;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

const std::pair<std::string, std::string> kPath{"PATH", "/usr/local/bin:/usr/bin:/bin"};

PosixRunner::Options quick() {
  PosixRunner::Options options;
  options.grace = 500ms;
  return options;
}

Command shell(std::string script, std::vector<std::pair<std::string, std::string>> env = {kPath}) {
  Command command;
  command.script = std::move(script);
  command.env = std::move(env);
  return command;
}

// A folder of its own, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "sink-process-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A string of digits no other process has in its command line; it also makes a valid
// duration for sleep ("300.<marker>"), so sleeps can carry it.
std::string new_marker() {
  static int counter = 0;
  return "4242" + std::to_string(getpid()) + "0" + std::to_string(++counter) + "9";
}

// Processes whose command line contains the marker (pid, command line with spaces).
std::vector<std::pair<int, std::string>> marked(const std::string& marker) {
  std::vector<std::pair<int, std::string>> found;
#ifdef __linux__
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (const dirent* entry = readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const int pid = std::stoi(name);
    if (pid == getpid()) continue;
    // read(2), not an ifstream: a process that ends while it is read makes read fail
    // (ESRCH), and libstdc++'s filebuf throws on that (a flaky failure, seen twice).
    std::string line;
    if (const int fd = ::open(("/proc/" + name + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
      char buffer[4096];
      ssize_t n;
      while ((n = ::read(fd, buffer, sizeof buffer)) > 0) line.append(buffer, static_cast<std::size_t>(n));
      ::close(fd);
    }
    std::replace(line.begin(), line.end(), '\0', ' ');
    if (line.find(marker) != std::string::npos) found.emplace_back(pid, line);
  }
  closedir(proc);
#else
  FILE* ps = popen("ps -Ao pid=,args=", "r");
  if (!ps) return found;
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, ps)) {
    const std::string line = buffer;
    if (line.find(marker) == std::string::npos || line.find("ps -Ao") != std::string::npos) continue;
    const int pid = std::atoi(line.c_str());
    if (pid != getpid()) found.emplace_back(pid, line.substr(line.find_first_not_of(" 0123456789")));
  }
  pclose(ps);
#endif
  return found;
}

std::size_t count_sleeps(const std::string& marker) {
  std::size_t n = 0;
  for (const auto& [pid, line] : marked(marker))
    if (line.rfind("sleep ", 0) == 0) ++n;
  return n;
}

// Polls until no process carries the marker; false if some are still there after `limit`.
// A process in the middle of exec shows an empty command line for an instant: only two
// empty looks in a row count.
bool all_gone(const std::string& marker, std::chrono::milliseconds limit = 3000ms) {
  const auto until = Clock::now() + limit;
  int empty_looks = 0;
  while (empty_looks < 2) {
    if (marked(marker).empty()) {
      ++empty_looks;
    } else {
      empty_looks = 0;
      if (Clock::now() > until) return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

void wait_for_sleeps(const std::string& marker, std::size_t n) {
  const auto until = Clock::now() + 5s;
  while (count_sleeps(marker) < n && Clock::now() < until) std::this_thread::sleep_for(10ms);
  REQUIRE(count_sleeps(marker) == n);
}

// Kills every marked process, looking again for a while: one in the middle of exec shows
// an empty command line for an instant and would be missed by a single look.
void kill_marked(const std::string& marker) {
  for (int look = 0; look < 10; ++look) {
    for (const auto& [pid, line] : marked(marker)) kill(pid, SIGKILL);
    std::this_thread::sleep_for(10ms);
  }
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) result.push_back(line);
  return result;
}

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/dev/fd")) ++n;
  return n;
}

}  // namespace

TEST_CASE("process: exit codes are reported") {
  PosixRunner runner(quick());
  const Outcome zero = runner.run(shell("exit 0"));
  CHECK(zero.started);
  CHECK(zero.error.empty());
  CHECK(zero.exit_code == 0);
  CHECK(zero.signal == 0);
  CHECK(zero.ok());
  const Outcome three = runner.run(shell("echo partial; exit 3"));
  CHECK(three.started);
  CHECK(three.exit_code == 3);
  CHECK(three.signal == 0);
  CHECK(three.out == "partial\n");
  CHECK_FALSE(three.ok());
  CHECK(runner.run(shell("exit 255")).exit_code == 255);
  CHECK(runner.run(shell("no-such-command-for-sink 2>/dev/null")).exit_code == 127);
  // A multi-line script whose last line succeeds: that is sh's business, not the runner's.
  CHECK(runner.run(shell("false\ntrue")).exit_code == 0);
  CHECK(runner.interrupted() == 0);
  CHECK(zero.started_at <= zero.ended_at);
}

TEST_CASE("process: death by a signal is reported") {
  PosixRunner runner(quick());
  const Outcome killed = runner.run(shell("echo before; kill -9 $$; echo after"));
  CHECK(killed.started);
  CHECK(killed.signal == SIGKILL);
  CHECK(killed.exit_code == -1);
  CHECK(killed.out == "before\n");
  CHECK_FALSE(killed.ok());
  CHECK(runner.run(shell("kill -TERM $$")).signal == SIGTERM);
  // A command that kills itself is no interrupt of sink.
  CHECK(runner.run(shell("kill -INT $$")).signal == SIGINT);
  CHECK(runner.interrupted() == 0);
}

TEST_CASE("process: the environment is exactly the command's") {
  setenv("SINK_PROCESS_TEST_LEAK", "inherited", 1);
  PosixRunner runner(quick());
  const std::vector<std::pair<std::string, std::string>> env{
      kPath, {"SINK_A", "1"}, {"SINK_B", "two words"}, {"SINK_EMPTY", ""}, {"SINK_C", "a=b=c"}};
  std::vector<std::string> expected;
  for (const auto& [name, value] : env) expected.push_back(name + "=" + value);

  // What the shell prints with `env`: the given pairs, plus what sh itself exports (PWD;
  // bash as sh, on macOS, adds SHLVL and _ too).
  TempDir dir;
  Command command = shell("env", env);
  command.dir = dir.path.string();
  const Outcome printed = runner.run(command);
  REQUIRE(printed.ok());
  std::vector<std::string> got;
  for (const auto& line : lines(printed.out)) {
    if (line.rfind("PWD=", 0) == 0)
      CHECK(line == "PWD=" + fs::canonical(dir.path).string());
    else if (line.rfind("SHLVL=", 0) != 0 && line.rfind("_=", 0) != 0)
      got.push_back(line);
  }
  auto sorted = expected;
  std::sort(sorted.begin(), sorted.end());
  std::sort(got.begin(), got.end());
  CHECK(got == sorted);
  CHECK(printed.out.find("SINK_PROCESS_TEST_LEAK") == std::string::npos);

#ifdef __linux__
  // What execve gave the shell, in order and nothing else.
  const Outcome exact = runner.run(shell("tr '\\0' '\\n' < /proc/$$/environ", env));
  REQUIRE(exact.ok());
  CHECK(lines(exact.out) == expected);
#endif

  // No environment at all: sh still runs (PATH unset, so builtins only).
  const Outcome bare = runner.run(shell("echo \"[${HOME-unset}]\"", {}));
  CHECK(bare.ok());
  CHECK(bare.out == "[unset]\n");
  unsetenv("SINK_PROCESS_TEST_LEAK");
}

TEST_CASE("process: values in the environment are never executed") {
  PosixRunner runner(quick());
  TempDir dir;
  const std::string nasty =
      "$(touch X1) `touch X2` ' \" ; touch X3\ntouch X4 && touch X5 | touch X6 > X7 $((1+1)) ${HOME} \\ *";
  const std::vector<std::pair<std::string, std::string>> env{kPath, {"V", nasty}};
  Command quoted = shell("printf '%s' \"$V\"", env);
  quoted.dir = dir.path.string();
  const Outcome a = runner.run(quoted);
  CHECK(a.ok());
  CHECK(a.out == nasty);
  Command unquoted = shell("echo $V >/dev/null; test \"$V\" = \"$V\"; X=$V; echo \"$X\" | cat >/dev/null", env);
  unquoted.dir = dir.path.string();
  CHECK(runner.run(unquoted).ok());
  for (const char* name : {"X1", "X2", "X3", "X4", "X5", "X6", "X7"}) {
    INFO(name);
    CHECK_FALSE(fs::exists(dir.path / name));
  }
#ifdef __linux__
  // The secret travels in the environment, not in any process's argument list.
  const Outcome args = runner.run(shell("cat /proc/$$/cmdline | tr '\\0' ' '", {kPath, {"SECRET", "hunter2"}}));
  CHECK(args.ok());
  CHECK(args.out.find("hunter2") == std::string::npos);
#endif
}

TEST_CASE("process: the working folder is applied; a missing one is reported, nothing spawned") {
  PosixRunner runner(quick());
  TempDir dir;
  Command here = shell("pwd -P");
  here.dir = dir.path.string();
  const Outcome pwd = runner.run(here);
  CHECK(pwd.ok());
  CHECK(pwd.out == fs::canonical(dir.path).string() + "\n");

  // The shell enters the folder itself: an odd name, CDPATH and a symlink change nothing,
  // the script has no arguments, and its line numbers are its own.
  const fs::path odd = dir.path / "-odd $(touch X) dir";
  fs::create_directory(odd);
  fs::create_directory_symlink(odd, dir.path / "link");
  Command entered = shell("pwd -P; echo \"$#\"\nfi", {kPath, {"CDPATH", dir.path.string()}});
  entered.dir = (dir.path / "link").string();
  const Outcome in_odd = runner.run(entered);
  CHECK(in_odd.out == fs::canonical(odd).string() + "\n0\n");
  INFO(in_odd.err);  // dash: "sh: 2: Syntax error", bash: "sh: -c: line 2: syntax error"
  CHECK((in_odd.err.find(" 2: ") != std::string::npos || in_odd.err.find("line 2: ") != std::string::npos));
  CHECK_FALSE(fs::exists(dir.path / "X"));
  CHECK_FALSE(fs::exists(odd / "X"));

  const std::string ghost = (dir.path / "missing" / "deeper").string();
  Command missing = shell("touch created");
  missing.dir = ghost;
  const Outcome none = runner.run(missing);
  CHECK_FALSE(none.started);
  CHECK(none.error == "folder " + ghost + " does not exist");
  CHECK_FALSE(none.ok());
  CHECK_FALSE(fs::exists("created"));

  std::ofstream(dir.path / "file") << "x";
  Command file = shell("true");
  file.dir = (dir.path / "file").string();
  const Outcome not_folder = runner.run(file);
  CHECK_FALSE(not_folder.started);
  CHECK(not_folder.error == file.dir + " is not a folder");

  if (geteuid() != 0) {  // root may enter anything
    const fs::path locked = dir.path / "locked";
    fs::create_directory(locked);
    chmod(locked.c_str(), 0);
    Command closed = shell("true");
    closed.dir = locked.string();
    const Outcome denied = runner.run(closed);
    CHECK_FALSE(denied.started);
    CHECK(denied.error.find("folder " + locked.string() + " is not accessible") == 0);
    chmod(locked.c_str(), 0700);
  }

  // Bad environment names are refused, naming the variable but never the value.
  const Outcome bad = runner.run(shell("true", {{"A=B", "secret-value"}}));
  CHECK_FALSE(bad.started);
  CHECK(bad.error.find("A=B") != std::string::npos);
  CHECK(bad.error.find("secret-value") == std::string::npos);
  const Outcome nul = runner.run(shell("true", {{"TOKEN", std::string("se\0cret", 7)}}));
  CHECK_FALSE(nul.started);
  CHECK(nul.error == "the value of environment variable TOKEN contains a NUL byte");
}

TEST_CASE("process: megabytes of output are captured whole, stderr apart") {
  PosixRunner runner(quick());
  const Outcome both = runner.run(shell("echo to-out; echo to-err >&2"));
  CHECK(both.out == "to-out\n");
  CHECK(both.err == "to-err\n");

  // 5 MB on stderr first and then 5 MB on stdout: a runner that read one pipe after the
  // other would deadlock here.
  const std::size_t n = 5'000'000;
  const Outcome big = runner.run(shell("head -c 5000000 /dev/zero | tr '\\0' e >&2; head -c 5000000 /dev/zero | tr '\\0' o"));
  CHECK(big.ok());
  CHECK(big.out.size() == n);
  CHECK(big.err.size() == n);
  CHECK(big.out == std::string(n, 'o'));
  CHECK(big.err == std::string(n, 'e'));

  // Interleaved small writes on both.
  const Outcome mixed = runner.run(shell("i=0; while [ $i -lt 2000 ]; do echo o$i; echo e$i >&2; i=$((i+1)); done"));
  CHECK(lines(mixed.out).size() == 2000);
  CHECK(lines(mixed.err).size() == 2000);
  CHECK(lines(mixed.out).back() == "o1999");
  CHECK(lines(mixed.err).front() == "e0");

  // stdin is /dev/null: cat ends at once instead of waiting for a terminal.
  CHECK(runner.run(shell("cat; echo done")).out == "done\n");
}

TEST_CASE("process: input is fed to stdin, which stays open until the command ends; output arrives live") {
  PosixRunner runner(quick());
  // 3 MB: more than a socket buffer holds, so the runner must write while the command reads.
  Command echo = shell("head -c 3000000 | wc -c; echo read; echo oops >&2");
  echo.input = std::string(3'000'000, 'x');
  std::string live, live_err;
  echo.on_output = [&](bool err, std::string_view text) { (err ? live_err : live) += text; };
  const Outcome o = runner.run(echo);
  CHECK(o.ok());
  CHECK(o.out.empty());  // all of it went to on_output
  CHECK(live == "3000000\nread\n");
  CHECK(live_err == "oops\n");

  // A command that ignores its input and exits: no SIGPIPE for sink.
  Command quits = shell("exit 3");
  quits.input = std::string(1'000'000, 'y');
  CHECK(runner.run(quits).exit_code == 3);

  // No end-of-file while the command runs: `read` waits until the command is stopped.
  Command waits = shell("IFS= read -r line; echo \"got $line\"; IFS= read -r more; echo never");
  waits.input = "first\n";
  std::string seen;
  waits.on_output = [&](bool, std::string_view text) { seen += text; };
  const auto id = runner.start(waits);
  CHECK_FALSE(runner.wait_any_for(500ms).has_value());
  CHECK(seen == "got first\n");
  (void)id;  // still running: the runner's destructor stops it
}

TEST_CASE("process: captured output beyond the limit is read, dropped and noted") {
  CHECK(PosixRunner::Options{}.capture_limit == std::size_t{16} << 20);
  CHECK(PosixRunner::Options{}.grace == 3s);
  PosixRunner::Options options = quick();
  options.capture_limit = 1000;
  PosixRunner runner(options);
  const Outcome o = runner.run(shell("head -c 300000 /dev/zero | tr '\\0' a; echo fine >&2"));
  CHECK(o.ok());  // the writer was never blocked
  CHECK(o.out == std::string(1000, 'a') + "\n[sink: output truncated: kept the first 1000 bytes, dropped 299000 more]\n");
  CHECK(o.err == "fine\n");
}

TEST_CASE("process: the default limit of 16 MiB holds for a larger output") {
  PosixRunner runner(quick());
  const Outcome o = runner.run(shell("head -c 17000000 /dev/zero"));
  CHECK(o.ok());
  const std::size_t limit = std::size_t{16} << 20;
  REQUIRE(o.out.size() > limit);
  CHECK(o.out.find_first_not_of('\0') == limit);
  CHECK(o.out.substr(limit) == "\n[sink: output truncated: kept the first 16777216 bytes, dropped " +
                                   std::to_string(17000000 - limit) + " more]\n");
}

TEST_CASE("process: commands run in parallel, each in its own process group") {
  PosixRunner runner(quick());
  std::map<CommandRunner::Id, Outcome> outcomes;
  for (int i = 0; i < 4; ++i) outcomes[runner.start(shell("sleep 0.3"))];
  REQUIRE(outcomes.size() == 4);
  for (int i = 0; i < 4; ++i) {
    auto [id, outcome] = runner.wait_any();
    REQUIRE(outcomes.count(id) == 1);
    CHECK(outcome.ok());
    outcomes[id] = outcome;
  }
  for (const auto& [a, first] : outcomes)
    for (const auto& [b, second] : outcomes) CHECK(first.started_at < second.ended_at);

  // wait_any returns whichever ends first.
  const auto slow = runner.start(shell("sleep 1"));
  const auto fast = runner.start(shell("echo quick"));
  auto [first_id, first] = runner.wait_any();
  CHECK(first_id == fast);
  CHECK(first.out == "quick\n");
  auto [second_id, second] = runner.wait_any();
  CHECK(second_id == slow);
  CHECK(first.ended_at < second.ended_at);

  // Each command leads its own group: its pid is its group id, not the test's.
  const Outcome group = runner.run(shell("ps -o pgid= -p $$ | tr -d ' '; echo $$"));
  const auto ids = lines(group.out);
  REQUIRE(ids.size() == 2);
  CHECK(ids[0] == ids[1]);
  CHECK(ids[0] != std::to_string(getpgrp()));
}

TEST_CASE("process: a background process holding the pipes does not hold the command, nor outlive it") {
  const std::string marker = new_marker();
  PosixRunner runner(quick());
  const Outcome o = runner.run(shell("sleep 300." + marker + " & echo started"));
  CHECK(o.ok());
  CHECK(o.out == "started\n");
  // A captured command (a fact, a check) leaves nothing running: what it started in the
  // background was stopped before its outcome came back.
  CHECK(all_gone(marker));
  kill_marked(marker);
}

TEST_CASE("process: no descriptors leak, into children or out of the runner; no zombies") {
  std::set<std::string> inheritable{"0", "1", "2"};  // what the test process itself passes on
  for (const auto& entry : fs::directory_iterator("/dev/fd")) {
    const std::string name = entry.path().filename().string();
    const int fd = std::atoi(name.c_str());
    const int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) inheritable.insert(name);
  }
  const std::size_t before = open_fds();
  {
    PosixRunner runner(quick());
    const Outcome o = runner.run(shell("ls /dev/fd/"));
    REQUIRE(o.ok());
    for (const auto& fd : lines(o.out)) {
      INFO("descriptor " << fd);
      // ls's own descriptor on the folder it reads is the only newcomer.
      if (!inheritable.count(fd)) CHECK(fd == lines(o.out).back());
    }
    for (int i = 0; i < 20; ++i) {
      runner.start(shell("echo x; echo y >&2"));
      Command missing = shell("true");
      missing.dir = "/nonexistent-sink-folder";
      runner.start(missing);
    }
    for (int i = 0; i < 40; ++i) runner.wait_any();
  }
  CHECK(open_fds() == before);
  int status = 0;
  CHECK(waitpid(-1, &status, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}

TEST_CASE("process: destroying the runner stops what still runs, stubborn or not") {
  const std::string marker = new_marker();
  {
    PosixRunner runner(quick());
    runner.start(shell("trap '' TERM INT; sleep 300." + marker + "; :"));
    runner.start(shell("sh -c 'trap \"\" TERM; sleep 300." + marker + "; :' & sleep 300." + marker));
    Command live = shell("sleep 300." + marker);
    live.capture = false;
    runner.start(live);
    wait_for_sleeps(marker, 4);
  }
  const bool gone = all_gone(marker);
  CHECK(gone);
  if (!gone) kill_marked(marker);
  int status = 0;
  CHECK(waitpid(-1, &status, WNOHANG) == -1);  // all reaped
}

TEST_CASE("process: the previous signal handlers are restored") {
  struct sigaction before[4] {}, after[4]{};
  const int signals[4] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
  for (int i = 0; i < 4; ++i) sigaction(signals[i], nullptr, &before[i]);
  {
    PosixRunner runner(quick());
    struct sigaction during {};
    sigaction(SIGTERM, nullptr, &during);
    CHECK((during.sa_handler != before[1].sa_handler));
  }
  for (int i = 0; i < 4; ++i) {
    sigaction(signals[i], nullptr, &after[i]);
    CHECK((after[i].sa_handler == before[i].sa_handler));
  }
}

namespace {

// Starts three commands that resist in different ways, sends `sig` to the test process
// while wait_any waits, and checks that every process is gone at the end.
void interrupt_scenario(int sig, int expected) {
  const std::string marker = new_marker();
  PosixRunner runner(quick());
  // A grandchild that ignores TERM and INT under a shell that does not.
  const auto grandchild = runner.start(shell("sh -c 'trap \"\" TERM INT; sleep 300." + marker + "; :' & wait"));
  // A shell that ignores INT, and so its sleep.
  const auto stubborn = runner.start(shell("trap '' INT; sleep 300." + marker + "; :"));
  // A plain command.
  const auto plain = runner.start(shell("sleep 300." + marker));
  wait_for_sleeps(marker, 3);

  std::atomic<Clock::rep> sent{0};
  std::thread killer([&] {
    std::this_thread::sleep_for(200ms);
    sent = Clock::now().time_since_epoch().count();
    kill(getpid(), sig);
  });
  std::map<CommandRunner::Id, Outcome> outcomes;
  const auto give_up = Clock::now() + 20s;
  while (outcomes.size() < 3 && Clock::now() < give_up) {
    auto [id, outcome] = runner.wait_any();
    outcomes[id] = outcome;
  }
  killer.join();
  REQUIRE(outcomes.size() == 3);
  CHECK(runner.interrupted() == expected);
  const Clock::time_point signal_time{Clock::duration{sent.load()}};

  for (const auto& [id, o] : outcomes) {
    CHECK(o.started);
    CHECK_FALSE(o.ok());
    CHECK(o.ended_at > signal_time);
  }
  CHECK(outcomes[plain].signal == expected);
  if (expected == SIGINT) {
    // It ignored the signal: only SIGKILL ended it, after the grace period.
    CHECK(outcomes[stubborn].signal == SIGKILL);
    CHECK(outcomes[stubborn].ended_at - signal_time >= 500ms);
  } else {
    CHECK(outcomes[stubborn].signal == SIGTERM);
  }
  CHECK(outcomes[grandchild].signal == expected);  // the shell itself did not resist
  const bool gone = all_gone(marker);
  if (!gone)
    for (const auto& [pid, line] : marked(marker)) MESSAGE("left behind: " << pid << " " << line);
  CHECK(gone);
  kill_marked(marker);

  // Nothing new starts once interrupted.
  const Outcome refused = runner.run(shell("true"));
  CHECK_FALSE(refused.started);
  CHECK(refused.error.find("interrupted") != std::string::npos);
}

}  // namespace

TEST_CASE("process: SIGTERM reaches every group, and nothing is left") {
  interrupt_scenario(SIGTERM, SIGTERM);
}

TEST_CASE("process: SIGINT reaches every group, and nothing is left") {
  interrupt_scenario(SIGINT, SIGINT);
}

TEST_CASE("process: SIGHUP counts as SIGTERM; a signal with nothing running is still seen") {
  {
    const std::string marker = new_marker();
    PosixRunner runner(quick());
    const auto id = runner.start(shell("sleep 300." + marker));
    wait_for_sleeps(marker, 1);
    kill(getpid(), SIGHUP);
    auto [done, outcome] = runner.wait_any();
    CHECK(done == id);
    CHECK(runner.interrupted() == SIGTERM);
    CHECK(outcome.signal == SIGTERM);
    CHECK(all_gone(marker));
  }
  {
    PosixRunner runner(quick());
    CHECK(runner.run(shell("true")).ok());
    kill(getpid(), SIGINT);  // between commands: sink must still hear about it
    CHECK(runner.interrupted() == SIGINT);
    CHECK_FALSE(runner.run(shell("true")).started);
  }
  {
    // interrupted() has passed the signal on by the time it reports it.
    const std::string marker = new_marker();
    PosixRunner runner(quick());
    const auto id = runner.start(shell("sleep 300." + marker));
    wait_for_sleeps(marker, 1);
    kill(getpid(), SIGTERM);
    CHECK(runner.interrupted() == SIGTERM);
    CHECK(all_gone(marker));  // before any further call
    auto [done, outcome] = runner.wait_any();
    CHECK(done == id);
    CHECK(outcome.signal == SIGTERM);
  }
  {
    // A new runner starts without the old interrupt.
    PosixRunner runner(quick());
    CHECK(runner.interrupted() == 0);
    CHECK(runner.run(shell("true")).ok());
  }
}

#if defined(__linux__)
namespace {

// Runs `body` in a child process that is the leader of a new session whose controlling
// terminal is a fresh pseudo-terminal (its stdin): like sink started from a shell. Returns
// the child's exit status (0: every check in body passed).
template <typename Body>
int with_terminal(Body body) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(master >= 0);
  REQUIRE(grantpt(master) == 0);
  REQUIRE(unlockpt(master) == 0);
  const std::string slave = ptsname(master);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(master);
    if (setsid() < 0) _exit(90);
    const int tty = open(slave.c_str(), O_RDWR);
    if (tty < 0) _exit(91);
    ioctl(tty, TIOCSCTTY, 0);
    dup2(tty, STDIN_FILENO);
    close(tty);
    if (tcgetpgrp(STDIN_FILENO) != getpgrp()) _exit(92);
    _exit(body());
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  close(master);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("process: a live command gets the terminal and gives it back; Ctrl-C in it interrupts") {
  const std::string marker = new_marker();
  const int status = with_terminal([&marker] {
    int failed = 0;
    PosixRunner runner(quick());
    Command live = shell("set -- $(cat /proc/$$/stat); [ \"$5\" = \"$8\" ]");  // pgrp == tpgid
    live.capture = false;
    const Outcome fg = runner.run(live);
    if (!fg.ok()) failed |= 1;
    if (tcgetpgrp(STDIN_FILENO) != getpgrp()) failed |= 2;
    if (runner.interrupted() != 0) failed |= 4;
    // A captured command does not get the terminal.
    Command captured = shell("set -- $(cat /proc/$$/stat); [ \"$5\" != \"$8\" ]");
    if (!runner.run(captured).ok()) failed |= 8;

    // What Ctrl-C does: SIGINT to the foreground group, here sent by the step itself. Its
    // shell dies of it; a grandchild ignoring INT and TERM must still go.
    Command step = shell("sh -c 'trap \"\" INT TERM; sleep 300." + marker + "; :' & sleep 0.2; kill -INT 0; wait");
    step.capture = false;
    const Outcome ctrl_c = runner.run(step);
    if (ctrl_c.signal != SIGINT) failed |= 16;
    if (runner.interrupted() != SIGINT) failed |= 32;
    if (tcgetpgrp(STDIN_FILENO) != getpgrp()) failed |= 64;
    if (!all_gone(marker)) failed |= 128;
    return failed;
  });
  CHECK(status == 0);
  kill_marked(marker);

  const int exit130 = with_terminal([] {
    PosixRunner runner(quick());
    Command step = shell("exit 130");
    step.capture = false;
    const Outcome o = runner.run(step);
    return (o.exit_code == 130 ? 0 : 1) | (runner.interrupted() == SIGINT ? 0 : 2) |
           (tcgetpgrp(STDIN_FILENO) == getpgrp() ? 0 : 4);
  });
  CHECK(exit130 == 0);
}
#endif

#if defined(__linux__)
namespace {

// Signal numbers in a mask line of /proc/PID/status ("SigIgn:\t0000000000001000").
std::set<int> mask_of(const std::string& status, const std::string& field) {
  std::set<int> sigs;
  for (const auto& line : lines(status)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    const unsigned long long bits = std::stoull(line.substr(field.size() + 1), nullptr, 16);
    for (int sig = 1; sig <= 64; ++sig)
      if (bits & (1ULL << (sig - 1))) sigs.insert(sig);
  }
  return sigs;
}

void on_usr2(int) {}

}  // namespace

TEST_CASE("process: a command starts with sink's ignored signals ignored, the others at their defaults, none blocked") {
  // What fork + exec gave the shell, and posix_spawn must too: SIG_IGN survives, a handler
  // becomes SIG_DFL, SIGPIPE and SIGCHLD are reset even if sink ignores them, the mask is empty.
  // Put back at the end, even when a REQUIRE fails.
  struct Restore {
    int changed[5] = {SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};
    struct sigaction saved[5] {};
    sigset_t mask{};
    Restore() {
      for (int i = 0; i < 5; ++i) sigaction(changed[i], nullptr, &saved[i]);
      pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    }
    ~Restore() {
      pthread_sigmask(SIG_SETMASK, &mask, nullptr);
      for (int i = 0; i < 5; ++i) sigaction(changed[i], &saved[i], nullptr);
    }
  } restore;
  struct sigaction ignore {}, handle{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  handle.sa_handler = on_usr2;
  sigemptyset(&handle.sa_mask);
  sigaction(SIGINT, &ignore, nullptr);  // as after `sink apply &` in a script: stays ignored
  sigaction(SIGQUIT, &ignore, nullptr);
  sigaction(SIGUSR1, &ignore, nullptr);
  sigaction(SIGPIPE, &ignore, nullptr);
  sigaction(SIGUSR2, &handle, nullptr);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  sigaddset(&block, SIGWINCH);
  pthread_sigmask(SIG_BLOCK, &block, nullptr);
  {
    PosixRunner runner(quick());
    // exec: the shell's own dispositions and mask, as it started, in a process that reads them.
    const std::string script = "exec grep -E '^Sig(Blk|Ign):' /proc/self/status";
    for (const bool capture : {true, false}) {
      INFO("capture " << capture);
      TempDir dir;
      Command command = shell(script);
      command.capture = capture;
      if (!capture) {
        command.script += " > status";
        command.dir = dir.path.string();
      }
      const Outcome o = runner.run(command);
      REQUIRE(o.ok());
      std::string status = o.out;
      if (!capture) {
        std::ifstream in(dir.path / "status");
        status.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      const std::set<int> ignored = mask_of(status, "SigIgn");
      CHECK(ignored.count(SIGINT) == 1);
      CHECK(ignored.count(SIGQUIT) == 1);
      CHECK(ignored.count(SIGUSR1) == 1);
      CHECK(ignored.count(SIGPIPE) == 0);
      CHECK(ignored.count(SIGUSR2) == 0);
      CHECK(ignored.count(SIGTERM) == 0);  // the runner's handler: default again
      CHECK(mask_of(status, "SigBlk").empty());
      CHECK(status.find("SigBlk:") != std::string::npos);
    }
  }
}

TEST_CASE("process: a shell that cannot be run is reported, and leaves no process or descriptor behind") {
  // In a child of the test with a mount namespace of its own, where an empty tmpfs hides
  // /dev (so /dev/null), then /bin/sh. Needs privileges: skipped without them.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0) _exit(77);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(77);
    int failed = 0;
    const std::size_t fds = open_fds();
    if (mount("tmpfs", "/dev", "tmpfs", 0, nullptr) != 0) _exit(77);
    {
      // A captured command's stdin is /dev/null: without it the shell is not run, and the
      // message names /dev/null. A live command, which needs none, still runs.
      PosixRunner runner(quick());
      const Outcome captured = runner.run(shell("true"));
      if (captured.started ||
          captured.error != "cannot open /dev/null for the command's input: No such file or directory")
        failed |= 64;
      Command live = shell("true");
      live.capture = false;
      if (!runner.run(live).ok()) failed |= 128;
    }
    if (umount("/dev") != 0) _exit(79);
    if (mount("tmpfs", "/bin", "tmpfs", 0, nullptr) != 0) _exit(77);
    if (access("/bin/sh", F_OK) == 0) _exit(78);
    {
      PosixRunner runner(quick());
      const std::string missing = "/nonexistent-sink-folder";
      Command plain = shell("true"), live = shell("true"), in_folder = shell("true"), nowhere = shell("true");
      live.capture = false;
      in_folder.dir = "/tmp";
      nowhere.dir = missing;
      for (const Command* c : {&plain, &live, &in_folder}) {
        const Outcome o = runner.run(*c);
        if (o.started) failed |= 1;
        if (o.error != "cannot run /bin/sh: No such file or directory") failed |= 2;
      }
      // A missing folder is still named as such.
      if (runner.run(nowhere).error != "folder " + missing + " does not exist") failed |= 4;
      if (runner.interrupted() != 0) failed |= 8;
    }
    if (open_fds() != fds) failed |= 16;
    int status = 0;
    if (waitpid(-1, &status, WNOHANG) != -1 || errno != ECHILD) failed |= 32;
    _exit(failed);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    MESSAGE("skipped: no private mount namespace here (not root?)");
    return;
  }
  CHECK(WEXITSTATUS(status) == 0);
}
#endif

TEST_CASE("process: wait_any_for gives up after its timeout and the outcome comes later") {
  PosixRunner runner(quick());
  const auto id = runner.start(shell("sleep 0.6; echo late"));
  const auto before = std::chrono::steady_clock::now();
  CHECK_FALSE(runner.wait_any_for(std::chrono::milliseconds(100)));
  CHECK(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(100));
  std::optional<std::pair<CommandRunner::Id, Outcome>> done;
  for (int i = 0; i < 100 && !done; ++i) done = runner.wait_any_for(std::chrono::milliseconds(100));
  REQUIRE(done);
  CHECK(done->first == id);
  CHECK(done->second.out == "late\n");
}
