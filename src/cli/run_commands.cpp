// `sink plan`, `sink apply` and `sink facts`: load -> check -> select -> resolve -> plan
// (-> apply).
#include "cli/commands.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <filesystem>

#include "cli/render.hpp"
#include "export/script.hpp"
#include "plan/inputs.hpp"
#include "plan/planner.hpp"
#include "run/apply.hpp"
#include "util/json.hpp"
#include "util/utf8.hpp"

namespace sink {

namespace fs = std::filesystem;

int print_diags(Run& r, std::ostream& err, bool color, const std::string& then) {
  r.diags.sort();
  Renderer renderer(r.program.sources, color);
  // One write for all of them: stderr is unbuffered, and a generated file can hold tens of
  // thousands of errors.
  std::string text;
  for (const auto& d : r.diags.items()) text += renderer.text(d) + "\n";
  err << text << (then.empty() ? "" : then + "\n");
  return 1;
}

// A usage error about a value given on the command line.
int usage(std::ostream& err, const std::string& message, const Args& args) {
  return usage_error(err, message, args.command,
                     wants_hosts(args) ? "--host DEST [--host DEST]... [--hosts FILE] [--jobs N] [FILE]" : "");
}

int load(const Args& args, const Host& host, std::ostream& err, bool color, Run& r) {
  load_sinkfile(args, host, r);
  if (r.diags.has_errors())
    return print_diags(r, err, color, "sink: " + Renderer::counts(r.diags) + (r.path.empty() ? "" : " in " + r.path) +
                                          "; nothing was run");
  r.machine = host.machine();
  if (const auto platform = args.get("--platform"))
    if (const std::string why = override_platform(r.machine, *platform); !why.empty())
      return usage(err, why, args);
  const bool usable = read_inputs(r.program, input_flags(args), r.program.sources, r.machine, r.inputs, r.diags);
  if (!r.diags.items().empty()) print_diags(r, err, color);  // the check's warnings too
  if (!usable || r.diags.has_errors()) return usable ? 1 : 2;
  r.choice = {args.all("--only"), args.all("--skip"), args.get("--from").value_or("")};
  r.sel = select_steps(r.program, r.machine, r.choice);
  return r.sel.error.empty() ? -1 : usage(err, r.sel.error, args);
}

namespace {

std::string base_dir(const std::string& path) {
  std::error_code ec;
  return fs::absolute(path, ec).parent_path().lexically_normal().string();
}

void print_plan(const Run& r, const std::vector<StepPlan>& plans, const std::size_t (&counts)[6],
                const Resolver& resolver, bool json, std::ostream& out) {
  // What --facts pinned, facts and [checks] ("check STEP = ..."); the facts unknown here
  // (planning for another platform).
  std::vector<std::string> pinned, unknown;
  for (const auto& [name, value] : resolver.inputs.pinned) pinned.push_back(name);
  for (const auto& [step, result] : resolver.inputs.checks)
    pinned.push_back(fmt::format("check \"{}\" = {}", step, result));
  for (const auto name : r.sel.needed)
    if (const Resolved* res = resolver.result(name); res && res->unknown) unknown.emplace_back(name);
  if (json) {
    std::vector<json::Value> steps;
    for (const auto& p : plans) {
      const ast::Step& s = *p.step->step;
      steps.push_back(json::object({{"name", s.name.text}, {"file", r.program.sources.get(s.span.file).path},
                                    {"line", s.span.line}, {"verdict", verdict_name(p.verdict)},
                                    {"reason", resolver.redact(p.reason)}}));
    }
    const Machine& m = r.machine;
    out << json::lines({{"file", r.path},
                        {"platform", json::object({{"os", m.os}, {"distro", m.distro},
                                                   {"distro_version", m.distro_version}, {"arch", m.arch}})},
                        {"steps", json::lines(steps, "  ")},
                        {"summary", json::object({{"run", counts[0]}, {"done", counts[1]},
                                                  {"not_applicable", counts[2]}, {"other_platform", counts[3]},
                                                  {"blocked", counts[4]}, {"unknown", counts[5]},
                                                  {"not_chosen", r.sel.not_chosen}})},
                        {"pinned", json::array({pinned.begin(), pinned.end()})},
                        {"unknown", json::array({unknown.begin(), unknown.end()})}})
               .text
        << "\n";
    return;
  }
  fmt::print(out, "{} on {}:\n", utf8::printable(r.path), r.machine.describe());
  static const char* labels[] = {"will run", "already done", "not applicable", "other platform", "blocked", "unknown"};
  for (const auto& p : plans)
    fmt::print(out, "  {:<16}{}{}\n", labels[static_cast<int>(p.verdict)], utf8::printable(p.step->step->name.text),
               p.reason.empty() ? "" : ": " + utf8::printable(resolver.redact(p.reason)));
  fmt::print(out, "{}: {} will run, {} already done, {} not applicable, {} on another platform",
             plural(plans.size(), "step"), counts[0], counts[1], counts[2], counts[3]);
  if (counts[4]) fmt::print(out, ", {} blocked", counts[4]);
  if (counts[5]) fmt::print(out, ", {} unknown", counts[5]);
  if (r.sel.not_chosen) fmt::print(out, "; {} left out by --only/--skip/--from", r.sel.not_chosen);
  out << "\n";
  if (!pinned.empty()) fmt::print(out, "pinned by --facts: {}\n", fmt::join(pinned, ", "));
  if (!unknown.empty()) fmt::print(out, "unknown here (pin them in --facts): {}\n", fmt::join(unknown, ", "));
}

void print_facts(const Run& r, const Resolver& resolver, bool json, std::ostream& out) {
  std::size_t shown = 0, failed = 0;
  std::vector<json::Value> items;
  if (!json) fmt::print(out, "facts of {} on {}:\n", r.path, r.machine.describe());
  for (const auto name : r.sel.needed) {
    const auto f = r.sel.facts.find(name);
    if (f == r.sel.facts.end()) continue;
    ++shown;
    const Resolved* res = resolver.result(name);
    const std::string type = f->second->type_name.value_or("string");
    const bool has = res && res->value, ok = has && res->problem.empty();
    failed += !ok;
    const std::string value =
        has ? resolver.redact(json && !res->value->secret ? res->value->text : res->value->shown()) : "";
    const auto took = res ? res->outcome.ended_at - res->outcome.started_at : std::chrono::steady_clock::duration{};
    const double ms = std::chrono::duration<double, std::milli>(took).count();
    const std::string problem = res ? resolver.redact(res->problem) : "not gathered";
    if (json) {
      items.push_back(json::object({{"name", name}, {"type", type}, {"value", has ? json::Value(value) : nullptr},
                                    {"secret", has && res->value->secret}, {"source", res ? res->source : ""},
                                    {"ms", static_cast<long long>(ms + 0.5)}, {"ok", ok}, {"problem", problem}}));
      continue;
    }
    fmt::print(out, "  {:<17} {:<9}{:>9}  {}", name, type, res && res->ran ? fmt::format("{:6.0f} ms", ms) : "",
               has ? utf8::printable(value) : "(no value)");
    if (!problem.empty()) fmt::print(out, "  [{}{}]", has ? "default: " : "failed: ", utf8::printable(problem));
    out << "\n";
  }
  if (json) out << json::lines(items).text << "\n";
  else if (!shown) out << "  (none: no step on this platform needs a fact)\n";
  if (!json && failed) fmt::print(out, "{} failed or used a default\n", plural(failed, "fact"));
}

}  // namespace

int run_plan(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {  // and facts
  Run r;
  if (const int status = load(args, host, err, color, r); status >= 0) return status;
  const auto runner = host.runner();  // catches Ctrl-C from now on
  Resolver resolver(r.sel, r.machine, *runner, r.inputs, nullptr, base_dir(r.path));
  resolver.watch(FactProgress(err, host.live_terminal(), [] { return std::chrono::steady_clock::now(); }));
  if (!resolver.run()) return 128 + runner->interrupted();
  if (args.command == "facts") {
    print_facts(r, resolver, args.get("--format") == "json", out);
    return 0;
  }
  Planner planner{r.program.sources, resolver};
  std::vector<StepPlan> plans;
  std::size_t counts[6] = {};
  for (const auto& step : r.sel.steps) {
    plans.push_back(planner.decide(step));
    ++counts[static_cast<int>(plans.back().verdict)];
    if (runner->interrupted()) return 128 + runner->interrupted();
  }
  const bool blocked = resolver.report_blockers(nullptr, r.diags);
  print_plan(r, plans, counts, resolver, args.get("--format") == "json", out);
  // 1 when apply, given the same values and no terminal, would stop or fail.
  if (blocked) return print_diags(r, err, color, "sink: apply would stop before the first step");
  if (counts[static_cast<int>(Verdict::Blocked)]) {
    err << "sink: apply would fail at a blocked step: it needs a value that is missing\n";
    return 1;
  }
  return args.has("--detailed-exitcode") && counts[0] + counts[5] > 0 ? 2 : 0;
}

int run_apply(const Args& args, const Host& host, std::ostream& err, bool color) {
  Run r;
  if (const int status = load(args, host, err, color, r); status >= 0) return status;
  const auto runner = host.runner();
  const auto prompter = host.prompter(err, [&runner] { return runner->interrupted() != 0; });
  const std::size_t here = r.sel.on_platform_count();
  fmt::print(err, "sink: {} on {}: {}", r.path, r.machine.describe(), plural(here, "step"));
  if (r.sel.steps.size() > here) fmt::print(err, " ({} on other platforms)", r.sel.steps.size() - here);
  if (r.sel.not_chosen) fmt::print(err, "; {} left out by --only/--skip/--from", r.sel.not_chosen);
  err << "\n";
  Resolver resolver(r.sel, r.machine, *runner, r.inputs, prompter.get(), base_dir(r.path));
  resolver.watch(FactProgress(err, host.live_terminal(), [] { return std::chrono::steady_clock::now(); }));
  if (!resolver.run()) {
    err << "sink: interrupted while gathering facts; no step was run\n";
    return 128 + runner->interrupted();
  }
  // Only the questions that the steps which will run need are asked, up front.
  Planner planner{r.program.sources, resolver};
  const auto needed = r.sel.needed_by([&](const SelectedStep& s) { return planner.will_run(s); });
  if (!resolver.ask(needed)) {
    err << "sink: interrupted while asking; no step was run\n";
    return 128 + runner->interrupted();
  }
  if (resolver.report_blockers(&needed, r.diags))
    return print_diags(r, err, color, "sink: stopped before the first step: " + Renderer::counts(r.diags));
  return apply_steps(planner, err, color, host.live_terminal());
}

int run_export(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  Run r;
  if (const int status = load(args, host, err, color, r); status >= 0) return status;
  ExportOptions o{r.path, args.get("--platform").value_or(""), r.inputs.vars, r.choice};
  for (const auto& [name, value] : r.inputs.set) o.answers[name] = value;
  std::string error;
  const std::string script = export_script(r.program, o, error);
  if (!error.empty()) return usage(err, error, args);
  const auto target = args.get("--output");
  if (!target) {
    out << script << std::flush;
    return 0;
  }
  if (WriteProblem problem; !write_atomically(*target, script, problem)) {
    err << "error: cannot write " << *target << ": " << problem.why << "\n";
    return 1;
  }
  return 0;
}

}  // namespace sink
