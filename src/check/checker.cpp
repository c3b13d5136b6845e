// Declarations, steps, platform blocks, cycles and unused names.
#include "check/checker.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "check/checker_impl.hpp"
#include "syntax/shell_quote.hpp"
#include "util/suggest.hpp"

namespace sink {

void check_program(const Program& program, Diagnostics& diags) { check::Checker(program, diags).run(); }

void check_repeats(Diagnostics& diags, const ast::List<ast::RepeatedOption>& repeated) {
  for (const auto& r : repeated)
    diags.add(E265, r.span, "`" + r.option + "` is given twice", "write each option once");
}

bool check_unknown_field(Diagnostics& diags, const ast::StepField& f) {
  const auto near = suggest(f.name, lex::step_field_keywords);
  diags.add(E206, f.keyword_span(), "unknown step field `" + f.name + "`",
            near ? "did you mean `" + *near + "`?" : "a step's fields are run, skip if, when, error, env and dir");
  return near && *near == lex::kw_run;
}

namespace check {
namespace {

bool is_blank(const ast::Text& t) { return !t.has_interp() && t.text.find_first_not_of(" \t\r\n") == std::string::npos; }

// By ast::StepField::Kind, but for Unknown. skip if sh and skip if CONDITION are one field;
// so are when sh and when CONDITION.
constexpr std::string_view kFieldNames[] = {"run", "skip if", "skip if", "when", "when", "error", "env", "dir"};

// The variables a scope sets, with the line that sets each.
using EnvScope = std::unordered_map<std::string_view, std::uint32_t>;

void set_env(Diagnostics& diags, EnvScope& scope, std::string_view name, Span name_span, std::uint32_t line) {
  if (auto [first, fresh] = scope.try_emplace(name, line); !fresh)
    diags.add(E212, name_span, fmt::format("`{}` is already set in this scope at line {}", name, first->second),
              "set each variable once per scope; an inner scope (platform block, step) may override it");
}

// The machines a platform block selects (known names only), for nesting and overlap checks.
MachineSet machines_of(const ast::List<ast::PlatformName>& names) {
  MachineSet s;
  for (const auto& n : names)
    if (const lex::Platform* p = lex::find_platform(n.name))
      for (std::size_t i = 0; i < lex::platforms.size(); ++i)
        if (lex::platforms[i].name == p->name || (p->is_os && lex::platforms[i].os == p->name)) s.set(i);
  return s;
}

void check_platform(Diagnostics& diags, const ast::PlatformBlock& b,
                    const std::vector<const ast::PlatformBlock*>& outer) {
  std::unordered_set<std::string> seen;
  for (const auto& n : b.names) {
    if (!seen.insert(n.name).second)
      diags.add(W304, n.span, "platform `" + n.name + "` is listed twice", "remove the repeated name");
    if (!lex::find_platform(n.name)) {
      const auto near = lex::platform_meant(n.name);
      diags.add(E203, n.span, "unknown platform `" + n.name + "`",
                   near ? "did you mean `" + std::string(*near) + "`?"
                        : "a platform is an OS (linux, darwin, freebsd, ...) or a distribution "
                          "(debian, ubuntu, fedora, arch, alpine, ...)");
      continue;
    }
    const auto never = std::find_if(outer.begin(), outer.end(), [&](const ast::PlatformBlock* o) {
      return (machines_of(o->names) & machines_of({n})).none() &&
             std::all_of(o->names.begin(), o->names.end(), [](const auto& on) { return lex::find_platform(on.name); });
    });
    if (never != outer.end())
      diags.add(E204, n.span, fmt::format("platform `{}` can never match inside `platform {}` (line {})", n.name,
                                          names_of(**never), (*never)->span.line),
                "a machine is one OS and one distribution; move this block out of the outer one");
  }
}

// A value made from a value made from ... more than kMaxChain levels deep (E268).
void report_chain(Diagnostics& diags, const Decl& top) {
  std::string path = top.name();  // the chain is top.chain values long
  std::uint32_t i = 1;
  for (const Decl* d = top.chain_next; d; d = d->chain_next, ++i) {
    if (i == 3 && top.chain > 5) {
      path += " -> ... (" + std::to_string(top.chain - 4) + " more)";
      while (d->chain_next) d = d->chain_next;
    }
    path += " -> " + d->name();
  }
  diags.add(E268, top.name_span(),
            fmt::format("`{}` is made from a chain of {} values, more than the limit of {}: {}", top.name(), top.chain,
                        kMaxChain, path),
            "make it from the values it needs directly, not through a long chain of facts");
}

}  // namespace

void Checker::run() {
  compute_visibility();
  for (std::size_t m = 0; m < program_.modules.size(); ++m)
    collect(program_.modules[m].ast.items, m, MachineSet().set(), nullptr);
  collect_std_helpers();
  check_cycles();  // also works out which facts are made from secrets
  for (module_ = 0; module_ < program_.modules.size(); ++module_)
    check_items(program_.modules[module_].ast.items, MachineSet().set());
  report_unused();
}

void Checker::compute_visibility() {
  const std::size_t n = program_.modules.size();
  sees_.assign(n, std::vector<bool>(n, false));
  for (const std::size_t m : program_.order) {  // each module after those it uses: theirs are known
    sees_[m][m] = true;
    for (const std::size_t u : program_.modules[m].uses)
      for (std::size_t x = 0; x < n; ++x)
        if (sees_[u][x]) sees_[m][x] = true;
  }
}

// Facts, questions and helpers of every module, with duplicate and clash checks; the
// variables that env statements and env facts name.
void Checker::collect(const ast::List<ast::Item>& items, std::size_t module, MachineSet where,
                      const ast::PlatformBlock* block) {
  for (const auto& item : items) {
    // Variables that `{{env.NAME}}` may name besides the well-known ones: those an `env`
    // statement sets, and those an env fact reads.
    if (const auto* e = item.as<ast::EnvSet>()) env_names_.insert(e->name);
    if (const auto* s = item.as<ast::Step>())
      for (const auto& field : s->fields)
        if (field.kind == ast::StepField::Kind::Env) env_names_.insert(field.name);
    if (const auto* f = item.as<ast::Fact>(); f && f->source == ast::FactSource::Env && !f->value.has_interp()) {
      env_names_.insert(f->value.text);
      if (f->secret) secret_env_.insert(f->value.text);
    }
    if (const auto* b = item.as<ast::PlatformBlock>()) {
      collect(b->items, module, where & machines_of(b->names), b);
      continue;
    }
    if (const auto* h = item.as<ast::Helper>()) {
      auto [it, fresh] = helpers_.try_emplace(h->name, h, module);
      if (!fresh)
        diags_.add(it->second.second == module ? E210 : E252, h->name_span,
                   "helper `" + h->name + "` is already defined at " + where_text(program_, it->second.first->name_span),
                   "give one of them another name");
      continue;
    }
    Decl d{.fact = item.as<ast::Fact>(), .ask = item.as<ast::Ask>(), .module = module, .block = block, .where = where};
    if (!d.fact && !d.ask) continue;
    const ast::Str& name = d.name();
    const char* what = d.fact ? "fact" : "question";
    if (lex::find_builtin(name)) {
      diags_.add(E213, d.name_span(), std::string(what) + " `" + name + "` has the name of a built-in value",
                 "`" + name + "` is always available; choose another name, such as `my_" + name + "`");
      continue;
    }
    d.deps = d.fact ? value_needs(*d.fact) : value_needs(*d.ask);
    auto [it, fresh] = decls_.try_emplace(name, std::move(d));
    if (!fresh) {
      const Decl& first = it->second;
      const bool same_module = first.module == module;
      if (!same_module) it->second.clash = true;
      diags_.add(same_module ? E210 : E252, d.name_span(),
                 same_module ? "`" + name + "` is already defined at " + where_text(program_, first.name_span())
                             : "name clash: `" + name + "` is defined in both " + program_.modules[first.module].name +
                                   " and " + program_.modules[module].name,
                 "facts and questions share one namespace; rename one of them");
      continue;
    }
    decl_order_.push_back(&it->second);
  }
}

void Checker::check_items(const ast::List<ast::Item>& items, MachineSet where) {
  EnvScope envs;
  for (const auto& item : items) {
    where_ = where;
    if (const auto* u = item.as<ast::Use>(); u && !outer_.empty()) {
      diags_.add(E253, u->span, "`use` cannot stand inside a platform block",
                 "move it to the top of the file; a module's steps can have platform blocks of their own");
    } else if (const auto* f = item.as<ast::Fact>()) {
      check_fact(*f);
    } else if (const auto* a = item.as<ast::Ask>()) {
      check_ask(*a);
    } else if (const auto* e = item.as<ast::EnvSet>()) {
      check_text(e->value, TextUse::Value);
      set_env(diags_, envs, e->name, e->name_span, e->span.line);
    } else if (const auto* h = item.as<ast::Helper>(); h && h->body.has_interp()) {
      diags_.add(E263, h->body.span, "a helper's code cannot interpolate values",
                 "pass values to the helper as arguments from the step: " + h->name + " \"{{name}}\"");
    } else if (const auto* s = item.as<ast::Step>()) {
      check_step(*s);
    } else if (const auto* b = item.as<ast::PlatformBlock>()) {
      check_platform(diags_, *b, outer_);
      outer_.push_back(b);
      check_items(b->items, where & machines_of(b->names));
      outer_.pop_back();
    }
  }
}

void Checker::check_fact(const ast::Fact& f) {
  check_repeats(diags_, f.repeated);
  const VType type = fact_type(f);
  if (type == VType::Unknown) {
    const auto near = suggest(*f.type_name, lex::types, &lex::TypeName::name);
    diags_.add(E205, f.type_span, "unknown type `" + *f.type_name + "`",
               near ? "did you mean `" + *near + "`?" : "the types are string, bool, int and version");
  }
  switch (f.source) {
    case ast::FactSource::Sh:
      check_text(f.value, TextUse::Shell);
      if (is_blank(f.value))
        diags_.add(E242, f.value.span, "fact `" + f.name + "` has an empty command", "write the command to run: sh \"...\"");
      break;
    case ast::FactSource::Env:
      if (f.value.has_interp() || !is_shell_name(f.value.literal()))
        diags_.add(E264, f.value.span, "`" + f.value.literal() + "` is not an environment variable name",
                   "write the variable's name as it is, e.g. env \"GITHUB_TOKEN\"");
      break;
    case ast::FactSource::Value:
      check_text(f.value, TextUse::Value);
      check_value(f, type);
      break;
  }
  if (f.required && f.default_value)
    diags_.add(E260, f.default_value->span, "fact `" + f.name + "` is both `required` and has a `default`",
               "`required` stops the run when the fact fails; `default` stands in for it: keep one");
  if (f.required && f.source == ast::FactSource::Value)
    diags_.add(E260, *f.required, "a fact built from other values cannot be `required`",
               "mark the facts it is built from as required instead");
  if (f.default_value) check_default(f, type);
}

void Checker::check_ask(const ast::Ask& a) {
  check_repeats(diags_, a.repeated);
  check_text(a.prompt, TextUse::Printed, "a question");
  if (a.default_value) check_text(*a.default_value, a.secret ? TextUse::Value : TextUse::Printed, "a default answer");
  std::unordered_set<std::string> seen;
  for (const auto& c : a.choices) {
    if (c.has_interp())
      diags_.add(E262, c.span, "a choice cannot interpolate values", "write each choice as it is");
    else if (!seen.insert(c.literal()).second)
      diags_.add(E262, c.span, "choice \"" + c.literal() + "\" is listed twice", "remove the repeated choice");
  }
  if (!a.choices.empty() && a.default_value && !a.default_value->has_interp() &&
      !seen.count(a.default_value->literal()))
    diags_.add(E262, a.default_value->span,
               "the default \"" + a.default_value->literal() + "\" is not one of the choices",
               "make the default one of the choices, or add it to them");
}

void Checker::check_step(const ast::Step& s) {
  if (s.name.has_interp())
    diags_.add(E263, s.name.span, "a step's name cannot interpolate values",
               "step names are shown before facts are known; put the value in the run command");
  else if (is_blank(s.name))
    diags_.add(E242, s.name.span, "a step needs a name", "step \"Install tools\" { ... }");

  auto& same_name = steps_[s.name.text];  // the latest that overlaps is named
  const auto other = std::find_if(same_name.rbegin(), same_name.rend(),
                                  [&](const auto& o) { return (o.second & where_).any(); });
  if (other != same_name.rend())
    diags_.add(E211, s.name.span,
               "a step named \"" + s.name.literal() + "\" already exists at " +
                   where_text(program_, other->first->span),
               "step names must differ where their platforms overlap");
  same_name.emplace_back(&s, where_);

  EnvScope envs;
  bool meant_run = false;  // an unknown field that is a misspelled `run`: E206 says it all
  // The first field of each name, at the name's first place in kFieldNames: one look-up a
  // field and no allocation, so a step of many fields stays linear and a file of many steps cheap.
  const ast::StepField* first_of[std::size(kFieldNames)] = {};
  for (const auto& f : s.fields) {
    using K = ast::StepField::Kind;
    if (f.kind == K::Unknown) {
      meant_run = check_unknown_field(diags_, f) || meant_run;
      continue;
    }
    const std::string_view key = kFieldNames[static_cast<int>(f.kind)];
    const ast::StepField*& first = first_of[std::ranges::find(kFieldNames, key) - std::begin(kFieldNames)];
    if (!first) first = &f;
    else if (f.kind != K::Env)
      diags_.add(E241, f.keyword_span(),
                 fmt::format("`{}` appears twice in this step (first at line {})", key, first->span.line),
                 key == "run" ? "join the commands into one run with a \"\"\"...\"\"\" block"
                 : key == "when" || key == "skip if" ? "combine the conditions with `and` / `or`"
                                                      : "keep one");
    const bool shell = f.is_script();
    if (f.expr) expect_bool(*f.expr, key);
    else if (shell) check_text(f.text, TextUse::Shell);
    else if (f.kind == K::Env) check_text(f.text, TextUse::Value);
    else check_text(f.text, TextUse::Printed, f.kind == K::Error ? "an error message" : "a dir");
    if (shell && is_blank(f.text))
      diags_.add(E242, f.text.span, fmt::format("`{}{}` has an empty command", key, f.kind == K::Run ? "" : " sh"),
                 f.kind == K::Run ? "write the command to run" : "write the check to run");
    if (f.kind == K::Env) set_env(diags_, envs, f.name, f.name_span, f.span.line);
  }
  if (!s.field(ast::StepField::Kind::Run) && !meant_run)
    diags_.add(E240, s.name.span, "step \"" + s.name.literal() + "\" has no `run`",
               "add the command it runs: run \"...\"");
}

void Checker::check_cycles() {
  // Depth-first search over "the value of X needs Y", in declaration order, with an
  // explicit stack so that a long chain of facts cannot exhaust the call stack. When a
  // fact is done, so are the values it needs: a fact made from a secret is a secret.
  using Mark = Decl::Mark;
  bool chain_reported = false;  // once: a generated chain would otherwise be reported at each link
  std::vector<Decl*> stack;     // reused from root to root
  for (Decl* root : decl_order_) {
    if (root->mark != Mark::None) continue;
    root->mark = Mark::Active;
    stack.assign(1, root);
    while (!stack.empty()) {
      Decl* top = stack.back();
      if (top->next_dep < top->deps.size()) {
        Decl* dep = lookup(top->deps[top->next_dep++]);
        if (dep && dep->mark == Mark::None) {
          dep->mark = Mark::Active;
          stack.push_back(dep);
        } else if (dep && dep->mark == Mark::Active) {
          std::string cycle;
          for (auto d = std::find(stack.begin(), stack.end(), dep); d != stack.end(); ++d)
            cycle += (*d)->name() + " -> ";
          diags_.add(E220, dep->name_span(), "`" + dep->name() + "` depends on itself: " + cycle + dep->name(),
                     "a fact or question cannot need its own value; break the cycle");
          dep->mark = Mark::Done;  // report each cycle once
          chain_reported = true;   // a chain through a cycle has no length: E220 says what is wrong
        }
        continue;
      }
      top->mark = Mark::Done;
      for (const auto name : top->deps) {
        const Decl* d = lookup(name);
        if (top->fact && (secret_env(name) || (d && d->secret()))) top->derived_secret = true;
        if (d && d->mark == Mark::Done && d->chain >= top->chain) {
          top->chain = d->chain + 1;
          top->chain_next = d;
        }
      }
      if (top->chain > kMaxChain && !chain_reported) {
        report_chain(diags_, *top);
        chain_reported = true;
      }
      stack.pop_back();
    }
  }
}

void Checker::report_unused() {
  for (const Decl* d : decl_order_) {
    if (program_.modules[d->module].is_std || d->used) continue;
    const std::string& name = d->name();
    diags_.add(d->fact ? W301 : W302, d->name_span(), (d->fact ? "fact `" : "question `") + name + "` is never used",
               (d->fact ? "use it in a step (`when`, `skip if`, {{" : "use its answer in a step ({{") + name +
                   "}}) or remove it");
  }
}

}  // namespace check
}  // namespace sink
