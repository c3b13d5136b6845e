#include "run/apply.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/ostream.h>
#include <unistd.h>

#include "diag/paint.hpp"
#include "plan/shell.hpp"
#include "util/utf8.hpp"

namespace sink {
namespace {

std::string seconds(std::chrono::duration<double> d) {
  return fmt::format("{:.{}f}s", d.count(), d.count() < 10 ? 2 : 1);
}

std::string describe_exit(const Outcome& o) {
  if (!o.started) return "could not start: " + o.error;
  if (!o.signal) return fmt::format("exit status {}", o.exit_code);
  const char* name = sigabbrev_np(o.signal);
  return fmt::format("killed by signal {}{}", o.signal, name ? fmt::format(" (SIG{})", name) : "");
}

// Why the system could not pass `c` to /bin/sh, or "". Values travel in the environment,
// so the limits are one argument (Linux: MAX_ARG_STRLEN, 128 KiB) and arguments plus
// environment (ARG_MAX).
std::string too_big(const Command& c) {
  constexpr std::size_t kMaxArgument = 128 * 1024;
  std::size_t total = c.script.size() + 64;
  for (const auto& [k, v] : c.env) total += k.size() + v.size() + 2 + sizeof(char*);
  const long arg_max = sysconf(_SC_ARG_MAX);
  if (c.script.size() >= kMaxArgument)
    return fmt::format("its script is {} bytes; one argument may hold {}", c.script.size(), kMaxArgument - 1);
  if (arg_max > 0 && total > static_cast<std::size_t>(arg_max))
    return fmt::format("its script and environment (values included) are {} bytes, more than this system's {} "
                       "(ARG_MAX)", total, arg_max);
  return "";
}

// Runs a step; on a terminal, shows its elapsed time in the title while it runs long.
Outcome run_live(CommandRunner& runner, const Command& command, std::ostream& err, bool live,
                 const std::string& title) {
  if (!live) return runner.run(command);
  const auto id = runner.start(command);
  const auto begin = std::chrono::steady_clock::now();
  bool titled = false;
  while (true) {
    if (auto done = runner.wait_any_for(std::chrono::seconds(1)); done && done->first == id) {
      if (titled) err << "\x1b[23;2t" << std::flush;  // the title as it was
      return done->second;
    }
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - begin).count();
    if (secs < 3) continue;
    if (!titled) err << "\x1b[22;2t";  // keep the title to restore
    titled = true;
    err << "\x1b]2;" << title << " (" << secs << "s)\x07" << std::flush;
  }
}

}  // namespace

void FactProgress::operator()(const std::vector<std::string_view>& running) {
  using namespace std::chrono_literals;
  const auto now = now_();
  if (running.empty()) {
    if (drawn_) err_ << "\r\x1b[K" << std::flush;
    drawn_ = false;
    return;
  }
  if (!live_) {
    for (const auto name : running) {
      auto& since = since_.try_emplace(std::string(name), now).first->second;
      if (now - since < 2s) continue;
      fmt::print(err_, "sink: fact `{}` is still running after {}\n", name, seconds(now - since));
      since = std::chrono::steady_clock::time_point::max();  // told once
    }
    return;
  }
  if (now - start_ < 500ms) return;
  std::vector<std::string> names(running.begin(), running.end());
  std::sort(names.begin(), names.end());
  std::string list;
  std::size_t shown = 0;
  for (; shown < names.size() && list.size() + names[shown].size() < 50; ++shown) list += (shown ? ", " : "") + names[shown];
  if (shown < names.size()) list += (shown ? " and " : "") + std::to_string(names.size() - shown) + " more";
  // One line, rewritten in place: kept short so that it never wraps.
  fmt::print(err_, "\r\x1b[Ksink: gathering facts: {} ({})", list, seconds(now - start_));
  err_ << std::flush;
  drawn_ = true;
}

int apply_steps(Planner& planner, std::ostream& err, bool color, bool live) {
  const Selection& selection = planner.resolver.selection;
  CommandRunner& runner = planner.resolver.runner;
  const Painter paint{color};
  const auto where = [&](const ast::Step& step) {
    return utf8::printable(fmt::format("{}:{}", planner.sources.get(step.span.file).path, step.span.line));
  };
  // A script the system cannot pass to /bin/sh would fail when its turn comes, after the
  // steps before it ran: say so before any step.
  for (const auto& s : selection.steps) {
    const auto* run = s.on_platform ? s.step->field(ast::StepField::Kind::Run) : nullptr;
    const std::string why = run ? too_big(planner.command(s, run->text, false)) : "";
    if (why.empty()) continue;
    err << paint(kRed, "sink: step \"" + utf8::printable(s.step->name.text) + "\" cannot start: " + why)
        << "\n  --> " << where(*s.step)
        << "\n  = hint: move long code into a script file the step runs, and long values into files"
        << "\nsink: no step was run\n";
    return 1;
  }
  const auto begin = std::chrono::steady_clock::now();
  const std::size_t total = selection.on_platform_count();
  std::size_t index = 0, ran = 0, done = 0, not_applicable = 0;
  int status = 0;
  for (const auto& s : selection.steps) {
    if (!s.on_platform) continue;
    const std::string title = fmt::format("[{}/{}] {}", ++index, total, utf8::printable(s.step->name.text));
    err << paint(kBold, title) << "\n" << std::flush;
    const StepPlan p = planner.decide_asking(s);
    if (runner.interrupted()) {
      status = 128 + runner.interrupted();
      break;
    }
    if (p.verdict == Verdict::AlreadyDone || p.verdict == Verdict::NotApplicable) {
      ++(p.verdict == Verdict::AlreadyDone ? done : not_applicable);
      err << paint(kDim, fmt::format("  {}: {}", p.verdict == Verdict::AlreadyDone ? "already done" : "not applicable",
                                     utf8::printable(planner.resolver.redact(p.reason))))
          << "\n";
      continue;
    }
    std::string failure = planner.resolver.redact(p.reason);
    if (p.verdict != Verdict::Blocked) {
      const auto* run = s.step->field(ast::StepField::Kind::Run);
      const Outcome o = run_live(runner, planner.command(s, run->text, false), err, live, "sink " + title);
      const std::string took = seconds(o.ended_at - o.started_at);
      if (runner.interrupted()) {
        err << paint(kRed, "  interrupted after " + took) << "\n";
        status = 128 + runner.interrupted();
        break;
      }
      if (o.ok()) {
        ++ran;
        err << paint(kGreen, "  done in " + took) << "\n";
        continue;
      }
      failure = describe_exit(o) + " after " + took;
    }
    err << paint(kRed, "  failed: " + utf8::printable(failure)) << "\n";
    if (const auto* error = s.step->field(ast::StepField::Kind::Error))
      err << "  error: "
          << utf8::printable(planner.resolver.redact(to_plain(error->text, planner.resolver.lookup(), true))) << "\n";
    err << "  --> " << where(*s.step) << "\n";
    status = 1;
    break;
  }
  fmt::print(err, "sink: {} ran, {} already done, {} not applicable, {} not on this platform, {:d} failed{} ({})\n",
             ran, done, not_applicable, selection.steps.size() - total, status == 1,
             status > 128 ? ", interrupted" : "", seconds(std::chrono::steady_clock::now() - begin));
  return status;
}

}  // namespace sink
