#include "plan/resolver.hpp"

#include <algorithm>

#include "util/mask.hpp"

namespace sink {

constexpr std::size_t kFactsAtOnce = 64;
constexpr const char* kHelpersVar = "SINKHELPERS";  // carries the helpers; no fact's SINK_name can be it

static_assert(std::size(kBuiltinTexts) == lex::builtins.size(), "one text per built-in, in lex::builtins' order");

Resolver::Resolver(const Selection& selection, const Machine& machine, CommandRunner& runner, const Inputs& inputs,
                   Prompter* prompter, std::string base_dir)
    : selection(selection), machine(machine), runner(runner), inputs(inputs), base_dir(std::move(base_dir)),
      prompter_(prompter),
      pending_(selection.needed) {
  for (const auto& [name, f] : selection.facts)
    if (f->source == ast::FactSource::Env && f->secret && !f->value.has_interp()) secret_env_.insert(f->value.text);
  std::string why;
  for (std::size_t i = 0; i < lex::builtins.size(); ++i)  // an empty version or int is no value
    results_[lex::builtins[i].name].value = parse_value(lex::builtins[i].type, machine.*kBuiltinTexts[i], why);
}

const Value* Resolver::value(std::string_view name) const {
  if (const auto r = results_.find(name); r != results_.end()) return r->second.value ? &*r->second.value : nullptr;
  if (!name.starts_with(lex::env_prefix)) return nullptr;
  // env.NAME: the variable as sink found it; unset reads as empty.
  const std::string var(name.substr(lex::env_prefix.size()));
  auto [it, fresh] = env_values_.try_emplace(var);
  if (fresh) it->second = Value::of_string(machine.env(var).value_or(""), secret_env_.count(var) > 0);
  return &it->second;
}

const Resolved* Resolver::result(std::string_view name) const {
  const auto r = results_.find(name);
  return r == results_.end() ? nullptr : &r->second;
}

std::string Resolver::no_value(std::string_view name) const {
  const Resolved* r = result(name);
  return "needs `" + std::string(name) + "`, which has no value" + (r && !r->problem.empty() ? ": " + r->problem : "");
}

Command Resolver::command(const ast::Text& text, const Env& env, std::string dir, bool capture,
                          std::string_view before) const {
  const ShellScript sh = to_shell(text, lookup());
  Command c{.script = std::string(before), .env = machine.environment, .dir = std::move(dir), .capture = capture};
  for (const auto* vars : {&env, &sh.vars})
    for (const auto& [k, v] : *vars) {
      set_var(c.env, k, v);
      // A step given a secret has every secret masked in its output.
      if (!capture && redact(v) != v) c.secrets = secrets();
    }
  if (!selection.helpers.empty()) {
    // Defined on the script's first line, so that the shell's line numbers in error
    // messages are those of the Sinkfile's text.
    c.script += std::string("eval \"$") + kHelpersVar + "\"; ";
    set_var(c.env, kHelpersVar, selection.helpers);
  }
  c.script += sh.script;
  return c;
}

std::vector<std::string> Resolver::secrets() const {
  std::vector<std::string> out;
  for (const auto& [name, r] : results_)
    if (r.value && r.value->secret && r.value->type != lex::Type::Bool) out.push_back(r.value->text);
  for (const auto var : secret_env_)
    if (auto v = machine.env(std::string(var))) out.push_back(*v);
  return mask_order(std::move(out));
}

std::string Resolver::redact(std::string text) const { return mask_secrets(std::move(text), secrets()); }

namespace {

// The first line of a command's stderr, at most 200 bytes, saying how much was left out.
std::string first_line(const std::string& s) {
  const std::string t = trim(s);
  const auto nl = t.find('\n');
  if (nl == std::string::npos) return preview(t, 200);
  return preview(t.substr(0, nl), 200) + " ... (" + std::to_string(t.size() - nl) + " more bytes)";
}

}  // namespace

void Resolver::settle_fact(const ast::Fact& f, Resolved& r, std::optional<std::string> text, const std::string& failure) {
  r.done = true;
  const lex::Type type = f.type();
  const auto deps = selection.needs(f.name);
  const bool secret = f.secret || std::any_of(deps.begin(), deps.end(), [&](std::string_view d) {
                        const Value* v = value(d);
                        return v && v->secret;
                      });
  std::string why;
  std::optional<Value> v;
  if (text) {
    v = parse_value(type, *text, why);
    if (!v) {
      r.problem = "got \"" + (secret ? std::string("••••••") : preview(redact(*text))) + "\", which " + why + " (" +
                  (type == lex::Type::Int ? "an " : "a ") + std::string(lex::type_name(type)) + " fact)";
      r.invalid = true;  // a value of the wrong kind stops the run, whatever the options
      return;
    }
  } else {
    r.problem = failure;
    if (!f.default_value) {
      if (!f.required && type == lex::Type::Bool) r.value = Value::of_bool(false);  // a required one stops the run
      return;
    }
    const ast::Expr& d = *f.default_value;
    if (d.kind == ast::Expr::Kind::Bool) v = Value::of_bool(d.bool_value);
    else if (d.kind == ast::Expr::Kind::Int) v = parse_value(type, std::to_string(d.int_value), why);
    else v = parse_value(type, to_plain(*d.str, lookup()), why);
    if (v) r.source = "default";
  }
  if (v) v->secret = secret;
  r.value = std::move(v);
}

void Resolver::start_fact(const ast::Fact& f) {
  Resolved& r = results_[f.name];
  if (const auto pinned = inputs.pinned.find(f.name); pinned != inputs.pinned.end()) {
    r.source = "pinned";
    return settle_fact(f, r, pinned->second, "");
  }
  auto unknown = [&](std::string why) {
    r.done = r.unknown = true;
    r.source = "unknown";
    r.problem = "unknown: " + why;
  };
  if (machine.foreign && f.source == ast::FactSource::Sh)
    return unknown("its command does not run here for another platform; pin it in a --facts file");
  for (const auto d : selection.needs(f.name)) {
    if ((selection.facts.count(d) || selection.asks.count(d)) && !value(d)) {
      const Resolved* dr = result(d);
      if (dr && dr->unknown) return unknown("it needs `" + std::string(d) + "`, which is unknown for another platform");
      return settle_fact(f, r, std::nullopt, no_value(d));
    }
  }
  if (f.source != ast::FactSource::Sh) {
    const bool env = f.source == ast::FactSource::Env;
    r.source = env ? "env" : "value";
    return settle_fact(f, r, env ? machine.env(f.value.text) : to_plain(f.value, lookup()),
                       "environment variable " + f.value.text + " is not set");
  }
  r.source = "sh";
  r.ran = true;
  running_[runner.start(command(f.value, {}, base_dir, true))] = &f;
}

void Resolver::answer(const ast::Ask& a, bool now) {
  Resolved& r = results_[a.name];
  if (prompter_ && !now && !inputs.set.count(a.name) && !inputs.vars.count(a.name)) {
    waiting_.push_back(&a);  // asked by ask(), if a step that will run needs it
    r.problem = "not asked: no step that runs needs it";
    return;
  }
  r.done = true;
  const bool secret = a.secret.has_value();
  auto take = [&](const std::string& text, const char* source) {
    std::string why;
    if (!parse_value(lex::Type::String, text, why)) {
      r.problem = std::string("the answer from ") + source + " " + why;
      r.invalid = true;  // stops apply before its first step
      return;
    }
    r.value = Value::of_string(text, secret);
    r.source = source;
  };
  if (const auto s = inputs.set.find(a.name); s != inputs.set.end()) return take(s->second, "--set");
  if (const auto v = inputs.vars.find(a.name); v != inputs.vars.end()) return take(v->second, "--vars");
  std::optional<std::string> def;
  if (a.default_value) def = to_plain(*a.default_value, lookup());
  if (prompter_) {
    AskRequest q{a.name, to_plain(a.prompt, lookup(), true), def, secret, {}};
    for (const auto& c : a.choices) q.choices.push_back(c.text);
    if (const auto answer = prompter_->ask(q)) return take(*answer, "terminal");
    r.problem = "the terminal input ended before an answer";
    return;
  }
  if (def) return take(*def, "default");
  r.problem = "not answered: give it with --set " + a.name + "=VALUE or in a --vars file";
}

bool Resolver::ask(const std::unordered_set<std::string_view>& names) {
  std::erase_if(waiting_, [&](const ast::Ask* a) {  // in order, each once
    if (runner.interrupted() || !names.count(a->name)) return false;
    answer(*a, true);  // never waits again
    return true;
  });
  return run();
}

bool Resolver::run() {
  // Whether the facts and questions `name` needs are settled (built-ins and env.NAME are).
  const auto ready = [&](std::string_view name) {
    const auto deps = selection.needs(name);
    return std::all_of(deps.begin(), deps.end(), [&](std::string_view d) {
      const Resolved* r = result(d);
      return (r && r->done) || (!selection.facts.count(d) && !selection.asks.count(d));
    });
  };
  while (true) {
    bool progress = false;
    std::erase_if(pending_, [&](std::string_view name) {  // in order, each once
      const auto f = selection.facts.find(name);
      const bool is_fact = f != selection.facts.end();
      // At most kFactsAtOnce commands at a time: each holds two pipes and a process.
      if (runner.interrupted() || !ready(name) || (is_fact && running_.size() >= kFactsAtOnce)) return false;
      if (is_fact) start_fact(*f->second);
      else answer(*selection.asks.at(name), false);
      progress = true;
      return true;
    });
    if (running_.empty()) {
      // Without progress, what is left waits for questions not asked yet.
      if (pending_.empty() || runner.interrupted() || !progress) break;
      continue;
    }
    std::vector<std::string_view> names;
    for (const auto& [id, fact] : running_) names.push_back(fact->name);
    watcher_(names);
    const auto next = runner.wait_any_for(std::chrono::milliseconds(100));
    if (!next) continue;
    auto [id, outcome] = *next;
    const auto done = running_.find(id);
    if (done == running_.end()) continue;
    const ast::Fact& fact = *done->second;
    running_.erase(done);
    Resolved& r = results_[fact.name];
    r.outcome = outcome;
    const std::string command = "`" + to_plain(fact.value, lookup(), true) + "`";
    std::optional<std::string> text;
    std::string failure;
    if (!outcome.started) failure = command + " could not start: " + outcome.error;
    else if (outcome.signal != 0) failure = command + " was killed by signal " + std::to_string(outcome.signal);
    else if (fact.type() == lex::Type::Bool) text = outcome.exit_code == 0 ? "true" : "false";
    else if (outcome.exit_code != 0) {
      failure = command + " exited with status " + std::to_string(outcome.exit_code);
      if (!trim(outcome.err).empty()) failure += ": " + first_line(redact(outcome.err));
    } else if (trim(outcome.out).empty() && fact.type() != lex::Type::String) failure = command + " printed nothing";
    else text = trim(outcome.out);
    settle_fact(fact, r, text, failure);
  }
  watcher_({});
  return !runner.interrupted();
}

bool Resolver::report_blockers(const std::unordered_set<std::string_view>* answers_for, Diagnostics& diags) const {
  const std::size_t before = diags.items().size();
  for (const auto name : selection.needed) {
    const Resolved* res = result(name);
    if (!res) continue;
    // A fact stops the run when its value is invalid, or when it is required (so it has no
    // default: E260) and got none; unknown for another platform, it does not stop a plan.
    const auto f = selection.facts.find(name);
    if (f != selection.facts.end() && (res->invalid || (f->second->required && !res->value && !res->unknown))) {
      const ast::Fact& fact = *f->second;
      std::string why = res->problem;
      if (res->outcome.started && !res->outcome.signal) {
        // Masked before it is trimmed or cut: a secret may span lines or start with blanks.
        const std::string err_text = trim(redact(res->outcome.err));
        if (err_text.find('\n') != std::string::npos) why += "; stderr: " + preview(err_text, 500);
      }
      if (res->invalid)
        diags.add(E402, fact.name_span, "fact `" + fact.name + "` " + why,
                  "make the command print a value of the fact's type, or change the type");
      else
        diags.add(E401, fact.name_span, "required fact `" + fact.name + "` failed: " + why,
                  "fix what it needs, or drop `required` and give it a `default`");
    } else if (const auto a = selection.asks.find(name);
               answers_for && answers_for->count(name) && a != selection.asks.end() && !res->value) {
      // The hint says how to answer; the message adds only what the terminal said.
      const bool asked = res->problem == "the terminal input ended before an answer" || res->invalid;
      diags.add(E403, a->second->name_span,
                "question `" + a->second->name + "` has no answer" + (asked ? ": " + res->problem : ""),
                "answer it with --set " + a->second->name + "=VALUE, in a --vars file, or run on a terminal");
    }
  }
  return diags.items().size() > before;
}

}  // namespace sink
