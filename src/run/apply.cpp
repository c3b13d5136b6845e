#include "run/apply.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include "diag/paint.hpp"
#include "plan/shell.hpp"
#include "util/utf8.hpp"

namespace sink {
namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.2fs" : "%.1fs", s);
  return buf;
}

// The longest single argument Linux passes to a program (MAX_ARG_STRLEN).
constexpr std::size_t kMaxArgument = 128 * 1024;

std::string describe_exit(const Outcome& o) {
  if (!o.started) return "could not start: " + o.error;
  if (o.signal) {
    const char* name = sigabbrev_np(o.signal);
    return "killed by signal " + std::to_string(o.signal) + (name ? std::string(" (SIG") + name + ")" : "");
  }
  return "exit status " + std::to_string(o.exit_code);
}

// Runs a step; on a terminal, shows its elapsed time in the title while it runs long.
Outcome run_live(CommandRunner& runner, const Command& command, std::ostream& err, const ApplyStyle& style,
                 const std::string& title) {
  if (!style.live) return runner.run(command);
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
  if (!start_) start_ = now;
  if (running.empty()) {
    if (drawn_) err_ << "\r\x1b[K" << std::flush;
    drawn_ = false;
    return;
  }
  if (!live_) {
    for (const auto name : running) {
      const auto since = since_.try_emplace(std::string(name), now).first->second;
      if (now - since >= 2s && told_.emplace(name).second)
        err_ << "sink: fact `" << name << "` is still running after " << seconds(std::chrono::duration<double>(now - since).count())
             << "\n";
    }
    return;
  }
  if (now - *start_ < 500ms) return;
  std::vector<std::string> names(running.begin(), running.end());
  std::sort(names.begin(), names.end());
  std::string list;
  std::size_t shown = 0;
  for (; shown < names.size() && list.size() + names[shown].size() < 50; ++shown) list += (shown ? ", " : "") + names[shown];
  if (shown < names.size()) list += (shown ? " and " : "") + std::to_string(names.size() - shown) + " more";
  // One line, rewritten in place: kept short so that it never wraps.
  err_ << "\r\x1b[Ksink: gathering facts: " << list << " (" << seconds(std::chrono::duration<double>(now - *start_).count())
       << ")" << std::flush;
  drawn_ = true;
}

int apply_steps(const Program& program, const Selection& selection, Planner& planner, CommandRunner& runner,
                std::ostream& err, const ApplyStyle& style) {
  const Painter paint(style.color);
  const auto begin = std::chrono::steady_clock::now();
  const std::size_t total = selection.on_platform_count();
  std::size_t index = 0, ran = 0, done = 0, not_applicable = 0, left_out = 0, failed = 0;
  int status = 0;
  // A script the system cannot pass to /bin/sh would fail when its turn comes, after the
  // steps before it ran: say so before any step. Values travel in the environment, so the
  // limits are one argument (Linux: 128 KiB) and arguments plus environment (ARG_MAX).
  for (const auto& s : selection.steps) {
    const auto* run = s.on_platform ? s.step->field(ast::StepField::Kind::Run) : nullptr;
    if (!run) continue;
    const Command c = planner.command(s, run->text, false);
    std::size_t total = c.script.size() + 64;
    for (const auto& [k, v] : c.env) total += k.size() + v.size() + 2 + sizeof(char*);
    const long arg_max = sysconf(_SC_ARG_MAX);
    std::string why;
    if (c.script.size() >= kMaxArgument)
      why = "its script is " + std::to_string(c.script.size()) + " bytes; one argument may hold " + std::to_string(kMaxArgument - 1);
    else if (arg_max > 0 && total > static_cast<std::size_t>(arg_max))
      why = "its script and environment (values included) are " + std::to_string(total) + " bytes, more than this system's " +
            std::to_string(arg_max) + " (ARG_MAX)";
    if (why.empty()) continue;
    err << paint(kRed, "sink: step \"" + utf8::printable(s.step->name.text) + "\" cannot start: " + why) << "\n  --> "
        << utf8::printable(program.sources.get(s.step->span.file).path) << ":" << s.step->span.line
        << "\n  = hint: move long code into a script file the step runs, and long values into files\nsink: no step was run\n";
    return 1;
  }
  for (const auto& s : selection.steps) {
    if (!s.on_platform) {
      ++left_out;
      continue;
    }
    ++index;
    const std::string name = utf8::printable(s.step->name.text);
    err << paint(kBold, "[" + std::to_string(index) + "/" + std::to_string(total) + "] " + name) << "\n" << std::flush;
    const StepPlan p = planner.decide_asking(s);
    if (runner.interrupted()) {
      status = 128 + runner.interrupted();
      break;
    }
    if (p.verdict == Verdict::AlreadyDone) {
      ++done;
      err << paint(kDim, "  already done: " + utf8::printable(planner.redact(p.reason))) << "\n";
      continue;
    }
    if (p.verdict == Verdict::NotApplicable) {
      ++not_applicable;
      err << paint(kDim, "  not applicable: " + utf8::printable(planner.redact(p.reason))) << "\n";
      continue;
    }
    const auto* error_field = s.step->field(ast::StepField::Kind::Error);
    const std::string where = program.sources.get(s.step->span.file).path + ":" + std::to_string(s.step->span.line);
    auto report_failure = [&](const std::string& what) {
      ++failed;
      err << paint(kRed, "  failed: " + utf8::printable(what)) << "\n";
      if (error_field) err << "  error: " << utf8::printable(planner.redact(to_plain(error_field->text, planner.lookup(), true))) << "\n";
      err << "  --> " << utf8::printable(where) << "\n";
    };
    if (p.verdict == Verdict::Blocked) {
      report_failure(planner.redact(p.reason));
      status = 1;
      break;
    }
    const auto* run = s.step->field(ast::StepField::Kind::Run);
    const Outcome o = run_live(runner, planner.command(s, run->text, false), err, style,
                               "sink [" + std::to_string(index) + "/" + std::to_string(total) + "] " + name);
    const double took = std::chrono::duration<double>(o.ended_at - o.started_at).count();
    if (runner.interrupted()) {
      err << paint(kRed, "  interrupted after " + seconds(took)) << "\n";
      status = 128 + runner.interrupted();
      break;
    }
    if (o.ok()) {
      ++ran;
      err << paint(kGreen, "  done in " + seconds(took)) << "\n";
      continue;
    }
    report_failure(describe_exit(o) + " after " + seconds(took));
    status = 1;
    break;
  }
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  err << "sink: " << ran << " ran, " << done << " already done, " << not_applicable << " not applicable, " << left_out
      << " not on this platform, " << failed << " failed";
  if (status > 128) err << ", interrupted";
  err << " (" << seconds(total_s) << ")\n";
  return status;
}

}  // namespace sink
