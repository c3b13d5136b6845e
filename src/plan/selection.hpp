// Which steps a machine runs, in which order, and which facts and questions they need.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "check/checker.hpp"
#include "plan/machine.hpp"

namespace sink {

struct SelectedStep {
  const ast::Step* step = nullptr;
  std::vector<const ast::EnvSet*> scope_env;      // outermost first: root file, module, blocks
  std::vector<const ast::PlatformBlock*> blocks;  // the platform blocks around it, outermost first
  bool on_platform = true;                        // every enclosing block matches the machine
};

// The steps chosen on the command line: `--only` and `--skip` (each a step's name or a
// glob, repeatable) and `--from` (the first step to run, by name or glob).
struct StepChoice {
  std::vector<std::string> only, skip;
  std::string from;
};

struct Selection {
  std::vector<SelectedStep> steps;  // the chosen steps, in run order (other platforms' too)
  std::size_t not_chosen = 0;       // steps left out by the StepChoice
  std::string error;                // a name of the StepChoice that matches no step
  std::string helpers;              // the helpers as shell functions, put before every script
  // Declarations by name.
  std::unordered_map<std::string_view, const ast::Fact*> facts;
  std::unordered_map<std::string_view, const ast::Ask*> asks;
  // Facts and questions that the steps on this platform need, with what those need, in
  // declaration order. Only these are gathered or asked.
  std::vector<std::string_view> needed;
  std::size_t on_platform_count() const;
  // The names the fact or question `name` needs before it can be resolved (none for
  // anything else).
  std::vector<std::string_view> needs(std::string_view name) const;
  // The names that the steps `chosen` picks need (facts, questions, built-ins, env.NAME),
  // with what those need.
  std::unordered_set<std::string_view> needed_by(const std::function<bool(const SelectedStep&)>& chosen) const;
  // Adds the names a step field's text needs a value of: its interpolations' and, in a script,
  // the facts and questions it refers to as $SINK_name, whose values sink passes too (other
  // $SINK_ words are the shell's).
  void field_needs(const ast::StepField& field, std::vector<std::string_view>& out) const;
};

// Steps run module by module: a used module's steps before the using file's (each module
// once, in the order of the `use`s), then the file's own, in file order. Steps that
// `choice` leaves out are dropped, and what only they need is not `needed`.
Selection select_steps(const Program& program, const Machine& machine, const StepChoice& choice = {});

// Whether `platform A, B` selects the machine.
bool selects(const ast::PlatformBlock& block, const Machine& machine);
// The names a condition uses (a text's: check/checker.hpp).
void names_in(const ast::Expr& expr, std::vector<std::string_view>& out);

}  // namespace sink
