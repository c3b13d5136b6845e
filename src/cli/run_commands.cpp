// `sink plan`, `sink apply` and `sink facts`: load and check, then gather, decide, run.
#include "cli/run_commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "check/checker.hpp"
#include "cli/check_command.hpp"
#include "diag/render.hpp"
#include "plan/inputs.hpp"
#include "plan/planner.hpp"
#include "run/apply.hpp"
#include "util/suggest.hpp"

namespace sink {

namespace fs = std::filesystem;

namespace {

// Everything a run shares: the checked program, the machine, the values given.
struct Session {
  Program* program = nullptr;
  std::string path;
  Machine machine;
  Inputs inputs;
  Diagnostics diags;
  Selection selection;
  std::unique_ptr<CommandRunner> runner;
  std::unique_ptr<Resolver> resolver;

  // Makes the runner (which catches Ctrl-C from now).
  void prepare(const Host& host) { runner = host.runner(); }
  // Gathers the facts and answers the steps need; false when interrupted.
  bool gather(Prompter* prompter);
  int interrupted_status() const { return 128 + runner->interrupted(); }
};

void print_diags(Session& s, std::ostream& err, bool color) {
  s.diags.sort();
  Renderer r(s.program->sources, color);
  for (const auto& d : s.diags.items()) err << r.text(d) << "\n";
}

// Declarations by name, across modules.
template <typename T>
const T* find_decl(const Program& p, std::string_view name) {
  const T* found = nullptr;
  std::function<void(const ast::List<ast::Item>&)> walk = [&](const ast::List<ast::Item>& items) {
    for (const auto& item : items) {
      if (const auto* d = item.as<T>(); d && d->name == name) found = d;
      else if (const auto* b = item.as<ast::PlatformBlock>()) walk(b->items);
    }
  };
  for (const auto& m : p.modules) walk(m.ast.items);
  return found;
}

template <typename T>
std::vector<std::string> names_of(const Program& p) {
  std::vector<std::string> names;
  std::function<void(const ast::List<ast::Item>&)> walk = [&](const ast::List<ast::Item>& items) {
    for (const auto& item : items) {
      if (const auto* d = item.as<T>()) names.push_back(d->name);
      else if (const auto* b = item.as<ast::PlatformBlock>()) walk(b->items);
    }
  };
  for (const auto& m : p.modules) walk(m.ast.items);
  return names;
}

// A usage error about a value given on the command line.
int usage(std::ostream& err, const std::string& message, const std::string& command) {
  err << "error: " << message << "\n\nUsage: sink " << command << " [FLAGS] [FILE]\nRun `sink help " << command
      << "` for more.\n";
  return 2;
}

// Loads FILE, checks it, reads --platform, --set, --vars and --facts. Returns an exit
// status to stop with, or -1 to go on.
int open_session(const Args& args, const Host& host, std::ostream& err, bool color, Session& s) {
  static auto* kept = new std::vector<std::unique_ptr<Program>>();  // see check_command.cpp
  s.program = kept->emplace_back(std::make_unique<Program>()).get();
  if (!args.positional.empty()) {
    s.path = args.positional[0];
  } else if (auto found = find_sinkfile(host)) {
    s.path = *found;
  } else {
    Sources none;
    err << Renderer(none, color).text(no_sinkfile_error(host, args.command));
    return 1;
  }
  DiskReader reader;
  *s.program = load_program(s.path, reader, s.diags);
  if (s.program->complete) check_program(*s.program, s.diags);
  if (s.diags.has_errors()) {
    print_diags(s, err, color);
    err << "sink: " << Renderer::counts(s.diags) << " in " << s.path << "; nothing was run\n";
    return 1;
  }
  s.machine = host.machine();
  if (args.has("--platform"))
    if (const std::string why = override_platform(s.machine, args.get("--platform", "")); !why.empty())
      return usage(err, why, args.command);

  // Answers: every name must be a question, every choice one of its choices.
  for (const auto& kv : args.all("--set")) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return usage(err, "`--set " + kv + "`: write --set NAME=VALUE", args.command);
    s.inputs.set[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (args.has("--vars")) {
    s.inputs.vars_file = args.get("--vars", "");
    read_toml_values(s.inputs.vars_file, "--vars", s.program->sources, s.diags, s.inputs.vars, &s.inputs.vars_at);
  }
  if (args.has("--facts")) read_toml_values(args.get("--facts", ""), "--facts", s.program->sources, s.diags, s.inputs.pinned);
  if (s.diags.has_errors()) {
    print_diags(s, err, color);
    return 1;
  }
  const auto questions = names_of<ast::Ask>(*s.program);
  for (const auto* given : {&s.inputs.set, &s.inputs.vars}) {
    const std::string from = given == &s.inputs.set ? "--set" : "--vars " + s.inputs.vars_file;
    for (const auto& [name, value] : *given) {
      const ast::Ask* a = find_decl<ast::Ask>(*s.program, name);
      if (!a && given == &s.inputs.vars) {  // one answers file may serve many Sinkfiles
        const auto near = suggest(name, questions);
        s.diags.warning("W410", s.inputs.vars_at[name], "`" + name + "` in the --vars file is not a question of " + s.path + "; it is ignored",
                        near ? "did you mean `" + *near + "`?" : "");
        continue;
      }
      if (!a) {
        const auto near = suggest(name, questions);
        return usage(err, from + ": `" + name + "` is not a question of " + s.path +
                              (near ? "; did you mean `" + *near + "`?" : ""),
                     args.command);
      }
      if (!a->choices.empty() &&
          std::none_of(a->choices.begin(), a->choices.end(), [&value = value](const ast::Text& c) { return c.text == value; })) {
        std::string list;
        for (const auto& c : a->choices) list += (list.empty() ? "" : ", ") + c.text;
        return usage(err, from + ": \"" + (a->secret ? std::string("••••••") : value) + "\" is not a choice of `" +
                              name + "`: " + list,
                     args.command);
      }
    }
  }
  // Pinned built-ins describe the machine too.
  for (const auto& [name, field] : std::initializer_list<std::pair<const char*, std::string Machine::*>>{
           {"os", &Machine::os}, {"distro", &Machine::distro}, {"distro_version", &Machine::distro_version},
           {"arch", &Machine::arch}, {"hostname", &Machine::hostname}, {"user", &Machine::user}, {"home", &Machine::home}})
    if (const auto it = s.inputs.pinned.find(name); it != s.inputs.pinned.end()) s.machine.*field = it->second;
  auto facts = names_of<ast::Fact>(*s.program);
  for (const auto& b : lex::builtins) facts.emplace_back(b.name);
  for (const auto& [name, value] : s.inputs.pinned) {
    if (std::find(facts.begin(), facts.end(), name) != facts.end()) continue;
    const auto near = suggest(name, facts);
    return usage(err, "--facts: `" + name + "` is not a fact or built-in of " + s.path +
                          (near ? "; did you mean `" + *near + "`?" : ""),
                 args.command);
  }
  // Warnings of the check are worth seeing before a run.
  if (!s.diags.items().empty()) print_diags(s, err, color);
  const StepChoice choice{args.all("--only"), args.all("--skip"), args.get("--from", "")};
  s.selection = select_steps(*s.program, s.machine, choice);
  if (!s.selection.error.empty()) return usage(err, s.selection.error, args.command);
  return -1;
}

std::string base_dir(const std::string& path) {
  std::error_code ec;
  return fs::absolute(path, ec).parent_path().lexically_normal().string();
}

// Problems that stop a run before any step: failed required facts, values of the wrong
// kind, unanswered questions. Each is reported at its declaration.
bool report_blockers(Session& s, const Selection& sel, const Resolver& r, bool need_answers) {
  bool any = false;
  for (const auto name : sel.needed) {
    const Resolved* res = r.result(name);
    if (!res) continue;
    if (const auto f = sel.facts.find(name); f != sel.facts.end() && res->required_failed) {
      const ast::Fact& fact = *f->second;
      std::string why = res->problem;
      if (res->ran && res->outcome.started && !res->outcome.signal) {
        const std::string err_text = trim(res->outcome.err);
        if (!err_text.empty() && res->problem.find(err_text.substr(0, 20)) == std::string::npos)
          why += "; stderr: " + r.redact(err_text).substr(0, 500);
      }
      if (res->invalid)
        s.diags.error("E402", fact.name_span, "fact `" + fact.name + "` " + why,
                      "make the command print a value of the fact's type, or change the type");
      else
        s.diags.error("E401", fact.name_span, "required fact `" + fact.name + "` failed: " + why,
                      "fix what it needs, or drop `required` and give it a `default`");
      any = true;
    } else if (const auto a = sel.asks.find(name); need_answers && a != sel.asks.end() && !res->value) {
      // The hint says how to answer; the message adds only what the terminal said.
      const bool asked = res->problem == "the terminal input ended before an answer";
      s.diags.error("E403", a->second->name_span,
                    "question `" + a->second->name + "` has no answer" + (asked ? ": " + res->problem : ""),
                    "answer it with --set " + a->second->name + "=VALUE, in a --vars file, or run on a terminal");
      any = true;
    }
  }
  return any;
}

std::string json_str(const std::string& s) { return "\"" + json_escape(s) + "\""; }

bool Session::gather(Prompter* prompter) {
  resolver = std::make_unique<Resolver>(*program, selection, machine, *runner, inputs, prompter, base_dir(path));
  return resolver->run();
}

}  // namespace

int run_plan(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  Session s;
  if (const int status = open_session(args, host, err, color, s); status >= 0) return status;
  s.prepare(host);
  if (!s.gather(nullptr)) return s.interrupted_status();
  const Selection& sel = s.selection;
  CommandRunner* runner = s.runner.get();
  Resolver& resolver = *s.resolver;
  Planner planner(*s.program, sel, s.machine, resolver, *runner);
  std::vector<StepPlan> plans;
  for (const auto& step : sel.steps) {
    plans.push_back(planner.decide(step, true));
    if (runner->interrupted()) return 128 + runner->interrupted();
  }
  const bool blocked = report_blockers(s, sel, resolver, false);
  std::size_t counts[5] = {};
  for (const auto& p : plans) ++counts[static_cast<int>(p.verdict)];
  const bool json = args.get("--format", "text") == "json";
  if (json) {
    out << "{\n  \"file\": " << json_str(s.path) << ",\n  \"platform\": {\"os\": " << json_str(s.machine.os)
        << ", \"distro\": " << json_str(s.machine.distro) << ", \"distro_version\": " << json_str(s.machine.distro_version)
        << ", \"arch\": " << json_str(s.machine.arch) << "},\n  \"steps\": [";
    for (std::size_t i = 0; i < plans.size(); ++i) {
      const auto& p = plans[i];
      out << (i ? ",\n" : "\n") << "    {\"name\": " << json_str(p.step->step->name.text)
          << ", \"file\": " << json_str(s.program->sources.get(p.step->step->span.file).path)
          << ", \"line\": " << p.step->step->span.line << ", \"verdict\": " << json_str(std::string(verdict_name(p.verdict)))
          << ", \"reason\": " << json_str(resolver.redact(p.reason)) << "}";
    }
    out << (plans.empty() ? "" : "\n  ") << "],\n  \"summary\": {\"run\": " << counts[0] << ", \"done\": " << counts[1]
        << ", \"not_applicable\": " << counts[2] << ", \"other_platform\": " << counts[3] << ", \"blocked\": " << counts[4]
        << ", \"not_chosen\": " << sel.not_chosen << "}\n}\n";
  } else {
    out << s.path << " on " << s.machine.describe() << ":\n";
    static const char* labels[] = {"will run", "already done", "not applicable", "other platform", "blocked"};
    for (const auto& p : plans) {
      std::string label = labels[static_cast<int>(p.verdict)];
      label.resize(16, ' ');
      out << "  " << label << p.step->step->name.text << (p.reason.empty() ? "" : ": " + resolver.redact(p.reason)) << "\n";
    }
    out << plans.size() << (plans.size() == 1 ? " step: " : " steps: ") << counts[0] << " will run, " << counts[1] << " already done, " << counts[2]
        << " not applicable, " << counts[3] << " on another platform";
    if (counts[4]) out << ", " << counts[4] << " blocked";
    if (sel.not_chosen) out << "; " << sel.not_chosen << " left out by --only/--skip/--from";
    out << "\n";
  }
  if (blocked) {
    print_diags(s, err, color);
    err << "sink: apply would stop before the first step\n";
    return 1;
  }
  if (args.has("--detailed-exitcode") && counts[0] + counts[4] > 0) return 2;
  return 0;
}

int run_apply(const Args& args, const Host& host, std::ostream& /*out*/, std::ostream& err, bool color) {
  Session s;
  if (const int status = open_session(args, host, err, color, s); status >= 0) return status;
  s.prepare(host);
  const Selection& sel = s.selection;
  CommandRunner* runner = s.runner.get();
  auto prompter = host.prompter(err, [runner] { return runner->interrupted() != 0; });
  const std::size_t here = sel.on_platform_count();
  err << "sink: " << s.path << " on " << s.machine.describe() << ": " << here << (here == 1 ? " step" : " steps");
  if (sel.steps.size() > here) err << " (" << sel.steps.size() - here << " on other platforms)";
  if (sel.not_chosen) err << "; " << sel.not_chosen << " left out by --only/--skip/--from";
  err << "\n";
  if (!s.gather(prompter.get())) {
    err << "sink: interrupted while gathering facts; no step was run\n";
    return s.interrupted_status();
  }
  Resolver& resolver = *s.resolver;
  if (report_blockers(s, sel, resolver, true)) {
    print_diags(s, err, color);
    err << "sink: stopped before the first step: " << Renderer::counts(s.diags) << "\n";
    return 1;
  }
  Planner planner(*s.program, sel, s.machine, resolver, *runner);
  const bool live = host.is_terminal(STDERR_FILENO) && host.env("TERM").value_or("") != "dumb";
  return apply_steps(*s.program, sel, planner, *runner, err, ApplyStyle{color, live});
}

int run_facts(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  Session s;
  if (const int status = open_session(args, host, err, color, s); status >= 0) return status;
  s.prepare(host);
  if (!s.gather(nullptr)) return s.interrupted_status();
  const Selection& sel = s.selection;
  const Resolver& resolver = *s.resolver;
  const bool json = args.get("--format", "text") == "json";
  std::size_t failed = 0;
  if (json) out << "[";
  bool first = true;
  if (!json) out << "facts of " << s.path << " on " << s.machine.describe() << ":\n";
  for (const auto name : sel.needed) {
    const auto f = sel.facts.find(name);
    if (f == sel.facts.end()) continue;
    const ast::Fact& fact = *f->second;
    const Resolved* r = resolver.result(name);
    const std::string type = fact.type_name.value_or("string");
    const bool ok = r && r->value && r->problem.empty();
    if (!ok) ++failed;
    const std::string value =
        r && r->value ? resolver.redact(json && !r->value->secret ? r->value->text : r->value->shown()) : "";
    const double ms = r ? r->seconds * 1000 : 0;
    const std::string source = r ? r->source : "";
    const std::string problem = r ? resolver.redact(r->problem) : "not gathered";
    if (json) {
      out << (first ? "\n" : ",\n") << "  {\"name\": " << json_str(fact.name) << ", \"type\": " << json_str(type)
          << ", \"value\": " << (r && r->value ? json_str(value) : "null") << ", \"secret\": "
          << (r && r->value && r->value->secret ? "true" : "false") << ", \"source\": " << json_str(source)
          << ", \"ms\": " << static_cast<long long>(ms + 0.5) << ", \"ok\": " << (ok ? "true" : "false")
          << ", \"problem\": " << json_str(problem) << "}";
    } else {
      std::string n = fact.name, t = type;
      n.resize(std::max<std::size_t>(n.size() + 1, 18), ' ');
      t.resize(9, ' ');
      char took[32];
      std::snprintf(took, sizeof took, "%6.0f ms", ms);
      out << "  " << n << t << (r && r->ran ? took : "         ") << "  "
          << (r && r->value ? value : std::string("(no value)"));
      if (!problem.empty()) out << "  [" << (r && r->value ? "default: " : "failed: ") << problem << "]";
      out << "\n";
    }
    first = false;
  }
  if (json) out << (first ? "]\n" : "\n]\n");
  else if (first) out << "  (none: no step on this platform needs a fact)\n";
  if (!json && failed) out << failed << (failed == 1 ? " fact" : " facts") << " failed or used a default\n";
  return 0;
}

}  // namespace sink
