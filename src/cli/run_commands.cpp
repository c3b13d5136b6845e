// `sink plan`, `sink apply` and `sink facts`: load -> check -> select -> resolve -> plan
// (-> apply).
#include "cli/run_commands.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <filesystem>

#include "check/checker.hpp"
#include "cli/check_command.hpp"
#include "cli/hosts.hpp"
#include "diag/render.hpp"
#include "export/script.hpp"
#include "plan/inputs.hpp"
#include "plan/planner.hpp"
#include "run/apply.hpp"
#include "util/utf8.hpp"

namespace sink {

namespace fs = std::filesystem;

void print_diags(Run& r, std::ostream& err, bool color) {
  r.diags.sort();
  Renderer renderer(r.program.sources, color);
  for (const auto& d : r.diags.items()) err << renderer.text(d) << "\n";
}

namespace {

// A usage error about a value given on the command line.
int usage(std::ostream& err, const std::string& message, const std::string& command) {
  err << "error: " << message << "\n\nUsage: sink " << command << " [FLAGS] [FILE]\nRun `sink help " << command
      << "` for more.\n";
  return 2;
}

}  // namespace

// Loads and checks FILE, then reads --platform, --set, --vars and --facts. Returns an
// exit status to stop with, or -1 to go on.
int load(const Args& args, const Host& host, std::ostream& err, bool color, Run& r) {
  if (!args.positional.empty()) {
    r.path = args.positional[0];
  } else if (auto found = find_sinkfile(host)) {
    r.path = *found;
  } else {
    Sources none;
    err << Renderer(none, color).text(no_sinkfile_error(host, args.command));
    return 1;
  }
  DiskReader reader;
  r.program = load_and_check(r.path, reader, r.diags);
  if (r.diags.has_errors()) {
    print_diags(r, err, color);
    err << "sink: " << Renderer::counts(r.diags) << " in " << r.path << "; nothing was run\n";
    return 1;
  }
  r.machine = host.machine();
  if (args.has("--platform"))
    if (const std::string why = override_platform(r.machine, args.get("--platform", "")); !why.empty())
      return usage(err, why, args.command);
  const bool usable = read_inputs(r.program, input_flags(args), r.program.sources, r.machine, r.inputs, r.diags);
  if (!r.diags.items().empty()) print_diags(r, err, color);  // the check's warnings too
  return !usable ? 2 : r.diags.has_errors() ? 1 : -1;
}

StepChoice step_choice(const Args& args) { return {args.all("--only"), args.all("--skip"), args.get("--from", "")}; }

namespace {

std::string base_dir(const std::string& path) {
  std::error_code ec;
  return fs::absolute(path, ec).parent_path().lexically_normal().string();
}

// Writes `text` to a temporary file beside `path` (mode 0755) and renames it over `path`,
// so that `path` is never half written. Returns "" or why it failed.
std::string write_script(const std::string& path, const std::string& text) {
  const fs::path target(path);
  std::string temp = (target.has_parent_path() ? target.parent_path() : fs::path(".")) / ("." + target.filename().string() + ".sink-XXXXXX");
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return std::strerror(errno);
  bool ok = ::fchmod(fd, 0755) == 0;
  for (std::size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const std::string why = ok ? "" : std::strerror(errno);
  if (::close(fd) != 0 && ok) ok = false;
  if (ok && ::rename(temp.c_str(), path.c_str()) == 0) return "";
  const std::string err = why.empty() ? std::strerror(errno) : why;
  ::unlink(temp.c_str());
  return err;
}

std::string json_str(const std::string& s) { return "\"" + json_escape(s) + "\""; }

bool live_terminal(const Host& host) {
  return host.is_terminal(STDERR_FILENO) && host.env("TERM").value_or("") != "dumb";
}

// Shows, on standard error, which facts are still being gathered.
void watch(Resolver& resolver, FactProgress& progress) { resolver.watch([&progress](const auto& names) { progress(names); }); }

// The facts that --facts pinned and [checks] (as "check STEP"), or those unknown here for
// another platform.
std::vector<std::string> values_from(const Selection& sel, const Resolver& resolver, bool unknown) {
  std::vector<std::string> out;
  if (unknown) {
    for (const auto name : sel.needed)
      if (const Resolved* r = resolver.result(name); r && r->unknown) out.emplace_back(name);
    return out;
  }
  for (const auto& [name, value] : resolver.inputs().pinned) out.push_back(name);
  for (const auto& [step, result] : resolver.inputs().checks) out.push_back("check \"" + step + "\" = " + (result ? "true" : "false"));
  return out;
}

void print_plan(const Run& r, const Selection& sel, const std::vector<StepPlan>& plans, const std::size_t (&counts)[6],
                const Resolver& resolver, bool json, std::ostream& out) {
  if (json) {
    out << "{\n  \"file\": " << json_str(r.path) << ",\n  \"platform\": {\"os\": " << json_str(r.machine.os)
        << ", \"distro\": " << json_str(r.machine.distro) << ", \"distro_version\": " << json_str(r.machine.distro_version)
        << ", \"arch\": " << json_str(r.machine.arch) << "},\n  \"steps\": [";
    for (std::size_t i = 0; i < plans.size(); ++i) {
      const auto& p = plans[i];
      out << (i ? ",\n" : "\n") << "    {\"name\": " << json_str(p.step->step->name.text)
          << ", \"file\": " << json_str(r.program.sources.get(p.step->step->span.file).path)
          << ", \"line\": " << p.step->step->span.line << ", \"verdict\": " << json_str(std::string(verdict_name(p.verdict)))
          << ", \"reason\": " << json_str(resolver.redact(p.reason)) << "}";
    }
    out << (plans.empty() ? "" : "\n  ") << "],\n  \"summary\": {\"run\": " << counts[0] << ", \"done\": " << counts[1]
        << ", \"not_applicable\": " << counts[2] << ", \"other_platform\": " << counts[3] << ", \"blocked\": " << counts[4]
        << ", \"unknown\": " << counts[5] << ", \"not_chosen\": " << sel.not_chosen << "},\n  \"pinned\": [";
    const auto pinned = values_from(sel, resolver, false), unknown = values_from(sel, resolver, true);
    for (std::size_t i = 0; i < pinned.size(); ++i) out << (i ? ", " : "") << json_str(pinned[i]);
    out << "],\n  \"unknown\": [";
    for (std::size_t i = 0; i < unknown.size(); ++i) out << (i ? ", " : "") << json_str(unknown[i]);
    out << "]\n}\n";
    return;
  }
  out << utf8::printable(r.path) << " on " << r.machine.describe() << ":\n";
  static const char* labels[] = {"will run", "already done", "not applicable", "other platform", "blocked", "unknown"};
  for (const auto& p : plans) {
    std::string label = labels[static_cast<int>(p.verdict)];
    label.resize(16, ' ');
    out << "  " << label << utf8::printable(p.step->step->name.text)
        << (p.reason.empty() ? "" : ": " + utf8::printable(resolver.redact(p.reason))) << "\n";
  }
  out << plans.size() << (plans.size() == 1 ? " step: " : " steps: ") << counts[0] << " will run, " << counts[1] << " already done, " << counts[2]
      << " not applicable, " << counts[3] << " on another platform";
  if (counts[4]) out << ", " << counts[4] << " blocked";
  if (counts[5]) out << ", " << counts[5] << " unknown";
  if (sel.not_chosen) out << "; " << sel.not_chosen << " left out by --only/--skip/--from";
  out << "\n";
  for (const bool unknown : {false, true}) {
    const auto names = values_from(sel, resolver, unknown);
    if (names.empty()) continue;
    out << (unknown ? "unknown here (pin them in --facts): " : "pinned by --facts: ");
    for (std::size_t i = 0; i < names.size(); ++i) out << (i ? ", " : "") << names[i];
    out << "\n";
  }
}

void print_facts(const Run& r, const Selection& sel, const Resolver& resolver, bool json, std::ostream& out) {
  std::size_t failed = 0;
  if (json) out << "[";
  bool first = true;
  if (!json) out << "facts of " << r.path << " on " << r.machine.describe() << ":\n";
  for (const auto name : sel.needed) {
    const auto f = sel.facts.find(name);
    if (f == sel.facts.end()) continue;
    const ast::Fact& fact = *f->second;
    const Resolved* res = resolver.result(name);
    const std::string type = fact.type_name.value_or("string");
    const bool ok = res && res->value && res->problem.empty();
    if (!ok) ++failed;
    const std::string value =
        res && res->value ? resolver.redact(json && !res->value->secret ? res->value->text : res->value->shown()) : "";
    const double ms = res ? res->seconds * 1000 : 0;
    const std::string source = res ? res->source : "";
    const std::string problem = res ? resolver.redact(res->problem) : "not gathered";
    if (json) {
      out << (first ? "\n" : ",\n") << "  {\"name\": " << json_str(fact.name) << ", \"type\": " << json_str(type)
          << ", \"value\": " << (res && res->value ? json_str(value) : "null") << ", \"secret\": "
          << (res && res->value && res->value->secret ? "true" : "false") << ", \"source\": " << json_str(source)
          << ", \"ms\": " << static_cast<long long>(ms + 0.5) << ", \"ok\": " << (ok ? "true" : "false")
          << ", \"problem\": " << json_str(problem) << "}";
    } else {
      std::string n = fact.name, t = type;
      n.resize(std::max<std::size_t>(n.size() + 1, 18), ' ');
      t.resize(9, ' ');
      char took[32];
      std::snprintf(took, sizeof took, "%6.0f ms", ms);
      out << "  " << n << t << (res && res->ran ? took : "         ") << "  "
          << (res && res->value ? utf8::printable(value) : std::string("(no value)"));
      if (!problem.empty()) out << "  [" << (res && res->value ? "default: " : "failed: ") << utf8::printable(problem) << "]";
      out << "\n";
    }
    first = false;
  }
  if (json) out << (first ? "]\n" : "\n]\n");
  else if (first) out << "  (none: no step on this platform needs a fact)\n";
  if (!json && failed) out << failed << (failed == 1 ? " fact" : " facts") << " failed or used a default\n";
}

// load, then the steps that --only/--skip/--from choose. An exit status to stop with, or -1.
int load_selected(const Args& args, const Host& host, std::ostream& err, bool color, Run& r, Selection& sel) {
  if (const int status = load(args, host, err, color, r); status >= 0) return status;
  sel = select_steps(r.program, r.machine, step_choice(args));
  return sel.error.empty() ? -1 : usage(err, sel.error, args.command);
}

}  // namespace

int run_plan(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  if (wants_hosts(args)) return run_on_hosts(args, host, out, err, color);
  Run r;
  Selection sel;
  if (const int status = load_selected(args, host, err, color, r, sel); status >= 0) return status;
  const auto runner = host.runner();  // catches Ctrl-C from now on
  Resolver resolver(r.program, sel, r.machine, *runner, r.inputs, nullptr, base_dir(r.path));
  FactProgress progress(err, live_terminal(host), [&host] { return host.now(); });
  watch(resolver, progress);
  if (!resolver.run()) return 128 + runner->interrupted();
  Planner planner(r.program, sel, r.machine, resolver, *runner);
  std::vector<StepPlan> plans;
  std::size_t counts[6] = {};
  for (const auto& step : sel.steps) {
    plans.push_back(planner.decide(step, true));
    ++counts[static_cast<int>(plans.back().verdict)];
    if (runner->interrupted()) return 128 + runner->interrupted();
  }
  const bool blocked = report_blockers(sel, resolver, nullptr, r.diags);
  print_plan(r, sel, plans, counts, resolver, args.get("--format", "text") == "json", out);
  // 1 when apply, given the same values and no terminal, would stop or fail.
  if (blocked) {
    print_diags(r, err, color);
    err << "sink: apply would stop before the first step\n";
    return 1;
  }
  if (counts[static_cast<int>(Verdict::Blocked)]) {
    err << "sink: apply would fail at a blocked step: it needs a value that is missing\n";
    return 1;
  }
  return args.has("--detailed-exitcode") && counts[0] + counts[5] > 0 ? 2 : 0;
}

int run_apply(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  if (wants_hosts(args)) return run_on_hosts(args, host, out, err, color);
  Run r;
  Selection sel;
  if (const int status = load_selected(args, host, err, color, r, sel); status >= 0) return status;
  const auto runner = host.runner();
  const auto prompter = host.prompter(err, [&runner] { return runner->interrupted() != 0; });
  const std::size_t here = sel.on_platform_count();
  err << "sink: " << r.path << " on " << r.machine.describe() << ": " << here << (here == 1 ? " step" : " steps");
  if (sel.steps.size() > here) err << " (" << sel.steps.size() - here << " on other platforms)";
  if (sel.not_chosen) err << "; " << sel.not_chosen << " left out by --only/--skip/--from";
  err << "\n";
  Resolver resolver(r.program, sel, r.machine, *runner, r.inputs, prompter.get(), base_dir(r.path));
  FactProgress progress(err, live_terminal(host), [&host] { return host.now(); });
  watch(resolver, progress);
  if (!resolver.run()) {
    err << "sink: interrupted while gathering facts; no step was run\n";
    return 128 + runner->interrupted();
  }
  // Only the questions that the steps which will run need are asked, up front.
  Planner planner(r.program, sel, r.machine, resolver, *runner);
  const auto needed = sel.needed_by(planner.will_run());
  if (!resolver.ask(needed)) {
    err << "sink: interrupted while asking; no step was run\n";
    return 128 + runner->interrupted();
  }
  if (report_blockers(sel, resolver, &needed, r.diags)) {
    print_diags(r, err, color);
    err << "sink: stopped before the first step: " << Renderer::counts(r.diags) << "\n";
    return 1;
  }
  return apply_steps(r.program, sel, planner, *runner, err, ApplyStyle{color, live_terminal(host)});
}

int run_export(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  Run r;
  if (const int status = load(args, host, err, color, r); status >= 0) return status;
  ExportOptions o{r.path, args.get("--platform", ""), r.inputs.vars, args.all("--only"), args.all("--skip"),
                  args.get("--from", "")};
  for (const auto& [name, value] : r.inputs.set) o.answers[name] = value;
  std::string error;
  const std::string script = export_script(r.program, o, error);
  if (!error.empty()) return usage(err, error, args.command);
  if (!args.has("--output")) {
    out << script << std::flush;
    return 0;
  }
  const std::string target = args.get("--output", "");
  if (const std::string why = write_script(target, script); !why.empty()) {
    err << "error: cannot write " << target << ": " << why << "\n";
    return 1;
  }
  return 0;
}

int run_facts(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  if (wants_hosts(args)) return run_on_hosts(args, host, out, err, color);
  Run r;
  Selection sel;
  if (const int status = load_selected(args, host, err, color, r, sel); status >= 0) return status;
  const auto runner = host.runner();
  Resolver resolver(r.program, sel, r.machine, *runner, r.inputs, nullptr, base_dir(r.path));
  FactProgress progress(err, live_terminal(host), [&host] { return host.now(); });
  watch(resolver, progress);
  if (!resolver.run()) return 128 + runner->interrupted();
  print_facts(r, sel, resolver, args.get("--format", "text") == "json", out);
  return 0;
}

}  // namespace sink
