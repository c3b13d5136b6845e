#include "plan/planner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "plan/eval.hpp"

namespace sink {

std::string_view verdict_name(Verdict v) {
  static constexpr std::string_view names[] = {"run", "done", "n/a", "other platform", "blocked", "unknown"};
  return names[static_cast<int>(v)];
}

StepSetup Planner::setup(const SelectedStep& s) const {
  StepSetup out{{}, resolver.base_dir, {}};
  const Lookup lookup = resolver.lookup();
  for (const auto* e : s.scope_env) {
    if (out.missing.empty()) out.missing = missing_in(e->value, lookup);
    set_var(out.env, e->name, to_plain(e->value, lookup));
  }
  for (const auto& f : s.step->fields) {
    // The step cannot run without the values its text needs; its error message can.
    if (f.kind != ast::StepField::Kind::Error && out.missing.empty()) out.missing = missing(f);
    if (f.kind == ast::StepField::Kind::Env) set_var(out.env, f.name, to_plain(f.text, lookup));
    if (f.kind == ast::StepField::Kind::Dir) {
      const std::filesystem::path d = to_plain(f.text, lookup);
      out.dir = d.is_absolute() ? d.string() : (std::filesystem::path(resolver.base_dir) / d).lexically_normal().string();
    }
  }
  return out;
}

std::string Planner::missing(const ast::StepField& field) const {
  std::vector<std::string_view> names;
  resolver.selection.field_needs(field, names);
  for (const auto name : names)
    if (!resolver.value(name)) return std::string(name);
  return "";
}

Command Planner::command(const SelectedStep& s, const ast::Text& script, bool capture) const {
  StepSetup st = setup(s);
  // `set -e`: a run of many lines stops at its first failing command.
  return resolver.command(script, st.env, std::move(st.dir), capture, "set -e; ");
}

StepPlan Planner::decide(const SelectedStep& s) {
  if (!s.on_platform) {
    // Name the outermost block that does not match.
    const auto* b = *std::find_if_not(s.blocks.begin(), s.blocks.end(),
                                      [&](const auto* b) { return selects(*b, resolver.machine); });
    return {&s, Verdict::LeftOut, fmt::format("`platform {}` (line {})", names_of(*b), b->span.line)};
  }
  StepPlan p{&s, Verdict::Run, ""};
  auto decided = [&](Verdict verdict, std::string reason) {
    p.verdict = verdict;
    p.reason = std::move(reason);
    return true;
  };
  const StepSetup st = setup(s);
  const Lookup lookup = resolver.lookup();
  auto blocked = [&](std::string_view name) {
    const Resolved* r = resolver.result(name);
    if (!r || !r->unknown) return decided(Verdict::Blocked, resolver.no_value(name));
    return decided(Verdict::Unknown,
                   "rests on `" + std::string(name) + "`, which is unknown for another platform (pin it in --facts)");
  };
  // A guard: `when` (false: not applicable) or `skip if` (true: already done). Returns
  // whether it decided the step.
  auto guard = [&](const ast::StepField* f, bool when) {
    if (!f) return false;
    const std::string key = when ? "when" : "skip if";
    const Verdict verdict = when ? Verdict::NotApplicable : Verdict::AlreadyDone;
    if (f->expr) {
      const Evaluated t = evaluate(*f->expr, lookup);
      if (!t.value) return blocked(t.missing);
      const std::string shown = key + " " + explain(*f->expr, lookup, sources);
      if (t.value->boolean != when) return decided(verdict, shown + (when ? " is false" : " is true"));
      if (!when) p.reason = shown + " is false";
      return false;
    }
    if (const std::string m = missing(*f); !m.empty()) return blocked(m);
    const std::string shown = "`" + to_plain(f->text, lookup, true) + "`";
    const auto pinned = resolver.inputs.checks.find(std::string(s.step->name.text));
    if (pinned != resolver.inputs.checks.end()) {
      if (pinned->second == when) return false;
      return decided(verdict, key + " sh " + shown + (when ? " is pinned false" : " is pinned true"));
    }
    if (resolver.machine.foreign)  // its command would run here, not on that machine
      return decided(Verdict::Unknown, "rests on " + key + " sh " + shown +
                                           ", which does not run here for another platform (pin \"" +
                                           std::string(s.step->name.text) + "\" under [checks] in --facts)");
    // The check runs where the step runs: when that folder does not exist (yet), the
    // runner cannot start it, and a check that did not run never says "done".
    const Outcome o = resolver.runner.run(command(s, f->text, true));
    const std::string failed = o.started ? " failed (exit " + std::to_string(o.signal ? 128 + o.signal : o.exit_code) + ")"
                                         : " could not run: " + o.error;
    if (o.ok() != when) return decided(verdict, key + " sh " + shown + (when ? failed : " succeeded"));
    if (!when) p.reason = "check " + shown + failed;
    return false;
  };
  if (!guard(s.step->when(), true) && !guard(s.step->skip_if(), false) && !st.missing.empty())
    blocked(st.missing);
  return p;
}

StepPlan Planner::decide_asking(const SelectedStep& s) {
  StepPlan p = decide(s);
  const auto this_one = [&s](const SelectedStep& other) { return &other == &s; };
  if (p.verdict == Verdict::Blocked && resolver.waiting_any() && resolver.ask(resolver.selection.needed_by(this_one)))
    p = decide(s);
  return p;
}

bool Planner::will_run(const SelectedStep& s) {
  if (!s.on_platform || resolver.runner.interrupted()) return false;
  const Verdict v = decide(s).verdict;
  return v == Verdict::Run || v == Verdict::Blocked;
}

}  // namespace sink
