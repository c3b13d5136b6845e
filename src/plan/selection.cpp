#include "plan/selection.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "syntax/shell_quote.hpp"
#include "util/suggest.hpp"

namespace sink {

bool selects(const ast::PlatformBlock& block, const Machine& machine) {
  return std::any_of(block.names.begin(), block.names.end(), [&](const auto& n) { return machine.matches(n.name); });
}

std::vector<std::string_view> Selection::needs(std::string_view name) const {
  if (const auto f = facts.find(name); f != facts.end()) return value_needs(*f->second);
  if (const auto a = asks.find(name); a != asks.end()) return value_needs(*a->second);
  return {};
}

std::unordered_set<std::string_view> Selection::needed_by(
    const std::function<bool(const SelectedStep&)>& chosen) const {
  std::vector<std::string_view> todo;
  for (const auto& s : steps) {  // the names a chosen step's fields and env scopes use
    if (!chosen(s)) continue;
    for (const auto& f : s.step->fields) {
      names_in(f.text, todo);
      if (f.expr) names_in(*f.expr, todo);
    }
    for (const auto* e : s.scope_env) names_in(e->value, todo);
  }
  std::unordered_set<std::string_view> needed;
  while (!todo.empty()) {
    const std::string_view name = todo.back();
    todo.pop_back();
    if (!needed.insert(name).second) continue;
    const auto deps = needs(name);
    todo.insert(todo.end(), deps.begin(), deps.end());
  }
  return needed;
}

void Selection::field_needs(const ast::StepField& field, std::vector<std::string_view>& out) const {
  for (const auto& in : field.text.interps) out.push_back(in.name);
  if (!field.is_script()) return;
  for (const auto name : value_refs(field.text.text))
    if (facts.count(name) || asks.count(name)) out.push_back(name);
}

std::size_t Selection::on_platform_count() const { return std::ranges::count(steps, true, &SelectedStep::on_platform); }

void names_in(const ast::Expr& e, std::vector<std::string_view>& out) {
  switch (e.kind) {
    case ast::Expr::Kind::Name: out.push_back(e.name); break;
    case ast::Expr::Kind::String: names_in(*e.str, out); break;
    default:
      if (e.lhs) names_in(*e.lhs, out);
      if (e.rhs) names_in(*e.rhs, out);
  }
}

namespace {

// Adds the steps of `list`, with the env scopes and platform blocks around them, and its
// declarations to `out`.
void walk(const ast::List<ast::Item>& list, const Machine& machine, std::vector<const ast::EnvSet*> env,
          std::vector<const ast::PlatformBlock*> blocks, bool on, Selection& out) {
  for (const auto& item : list)
    if (const auto* e = item.as<ast::EnvSet>()) env.push_back(e);
  for (const auto& item : list) {
    if (const auto* s = item.as<ast::Step>()) {
      out.steps.push_back({s, env, blocks, on});
    } else if (const auto* b = item.as<ast::PlatformBlock>()) {
      auto inner = blocks;
      inner.push_back(b);
      walk(b->items, machine, env, std::move(inner), on && selects(*b, machine), out);
    } else if (const auto* f = item.as<ast::Fact>()) {
      out.facts.emplace(f->name, f);
      out.needed.push_back(f->name);  // every declaration, in order, until select_steps keeps the needed
    } else if (const auto* a = item.as<ast::Ask>()) {
      out.asks.emplace(a->name, a);
      out.needed.push_back(a->name);
    } else if (const auto* h = item.as<ast::Helper>()) {
      out.helpers += h->name + "() {\n" + h->body.text + "\n}\n";
    }
  }
}

bool step_matches(const SelectedStep& s, const std::string& pattern) {
  return s.step->name.text == pattern || fnmatch(pattern.c_str(), std::string(s.step->name.text).c_str(), 0) == 0;
}

// Drops the steps `choice` leaves out; false (with out.error) when one of its names
// matches no step.
bool choose(Selection& out, const StepChoice& choice) {
  const std::vector<std::string> from(choice.from.empty() ? 0 : 1, choice.from);
  using Given = std::pair<const char*, const std::vector<std::string>*>;
  for (const auto& [flag, given] :
       {Given{"--only", &choice.only}, Given{"--skip", &choice.skip}, Given{"--from", &from}})
    for (const std::string& n : *given) {
      if (std::any_of(out.steps.begin(), out.steps.end(), [&](const SelectedStep& s) { return step_matches(s, n); }))
        continue;
      const auto near = suggest(n, out.steps, [](const SelectedStep& s) { return std::string_view(s.step->name.text); });
      out.error = std::string(flag) + " \"" + n + "\": no step is named so" +
                  (near ? "; did you mean \"" + *near + "\"?" : "; `sink plan` lists the steps");
      return false;
    }
  bool started = choice.from.empty();
  out.not_chosen = std::erase_if(out.steps, [&](const SelectedStep& s) {
    started = started || step_matches(s, choice.from);
    auto any = [&](const std::vector<std::string>& list) {
      return std::any_of(list.begin(), list.end(), [&](const std::string& n) { return step_matches(s, n); });
    };
    return !started || (!choice.only.empty() && !any(choice.only)) || any(choice.skip);
  });
  return true;
}

}  // namespace

Selection select_steps(const Program& program, const Machine& machine, const StepChoice& choice) {
  Selection out;
  if (program.modules.empty()) return out;
  std::vector<const ast::EnvSet*> root_env;
  for (const auto& item : program.modules[0].ast.items)
    if (const auto* e = item.as<ast::EnvSet>()) root_env.push_back(e);
  for (const std::size_t m : program.order)  // the root file's top-level env applies to every step; a module's to its own
    walk(program.modules[m].ast.items, machine, m == 0 ? decltype(root_env){} : root_env, {}, true, out);

  if (!choose(out, choice)) return out;

  // What the chosen steps on this platform need, and what that needs.
  const auto needed = out.needed_by([](const SelectedStep& s) { return s.on_platform; });
  std::erase_if(out.needed, [&](std::string_view name) { return !needed.count(name); });  // in declaration order
  return out;
}

}  // namespace sink
