#include "export/script.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "plan/eval.hpp"
#include "plan/machine.hpp"
#include "plan/shell.hpp"
#include "syntax/shell_quote.hpp"

namespace sink {

std::string shell_word(std::string_view s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string answer_var(std::string_view name) {
  std::string var = "SINK_ANSWER_" + std::string(name);
  std::transform(var.begin(), var.end(), var.begin(), [](unsigned char c) { return std::toupper(c); });
  return var;
}

namespace {

bool is_env(std::string_view name) { return name.starts_with(lex::env_prefix); }

std::string join(const std::vector<std::string_view>& names) { return fmt::format("{}", fmt::join(names, " ")); }

struct Writer {
  const Program& program;
  const std::map<std::string, std::string, std::less<>>& answers;  // given now (ExportOptions)
  Selection sel;
  std::vector<std::string_view> order;  // built-ins, then facts and questions in declaration order
  std::set<std::string> env_names;      // env.NAME read anywhere
  std::string out, error;
  int temp = 0;

  lex::Type type_of(std::string_view name) const {
    if (const auto* b = lex::find_builtin(name)) return b->type;
    if (const auto f = sel.facts.find(name); f != sel.facts.end()) return f->second->type();
    return lex::Type::String;
  }

  // "text" with each {{name}} as ${SINK_name} (or, `shown`, the value as shown: secrets masked).
  std::string dq(const ast::Text& text, bool shown = false) {
    std::string out = "\"";
    text.visit(
        [&](std::string_view lit) {
          for (const char c : lit) {
            if (c == '\\' || c == '"' || c == '$' || c == '`') out += '\\';
            out += c;
          }
        },
        [&](const ast::Interp& in) { out += "${" + var(in.name, shown) + "}"; });
    return out + "\"";
  }
  std::string var(std::string_view name, bool shown = false) {
    if (is_env(name)) env_names.insert(std::string(name.substr(lex::env_prefix.size())));
    return shown && !is_env(name) ? "sink_z_" + std::string(name) : shell_var(name);
  }

  // The command text, quoted by sink's own rules; `{{raw x}}` only with an answer given now.
  std::string shell(const ast::Text& text, std::string& exports) {
    Value found;  // an answer given now, else a name known when the script runs, of its type (for arithmetic)
    for (const auto& in : text.interps)
      if (in.raw && !answers.count(in.name) && error.empty())
        error = fmt::format("`{{{{raw {0}}}}}` at {1}:{2} inserts a value known only when the script runs; answer "
                            "`{0}` with --set to export it",
                            in.name, program.sources.get(in.span.file).path, in.span.line);
    const ShellScript s = to_shell(text, [&](std::string_view name) {
      const auto a = answers.find(name);
      found = a == answers.end() ? Value() : Value::of_string(a->second);
      found.type = type_of(name);  // a question's is string
      return &found;
    });
    for (const auto& in : text.interps) var(in.name);
    for (const auto& [v, value] : s.vars) exports += " " + v;
    return s.script;
  }

  // Code that leaves 0 (true), 1 (false) or 2 (a name has no value) in sink_eN; returns N.
  int condition(const ast::Expr& e, std::string& code) {
    using K = ast::Expr::Kind;
    const int n = ++temp;
    if (e.kind == K::Not) {
      const int a = condition(*e.lhs, code);
      code += fmt::format("sink_not \"$sink_e{1}\"; sink_e{0}=$?; sink_m{0}=$sink_m{1}\n", n, a);
      return n;
    }
    if (e.kind == K::And || e.kind == K::Or) {
      const int a = condition(*e.lhs, code), b = condition(*e.rhs, code);
      code += fmt::format("sink_{} \"$sink_e{}\" \"$sink_e{}\" \"$sink_m{}\" \"$sink_m{}\"; sink_e{}=$?; "
                          "sink_m{}=$sink_m\n", e.kind == K::And ? "and" : "or", a, b, a, b, n, n);
      return n;
    }
    // A comparison or a value: each operand as a shell word, and the tests that it has one.
    std::string pre, tests;
    auto operand = [&](const ast::Expr& o) -> std::string {
      auto has = [&](std::string_view name) {
        if (!is_env(name)) tests += fmt::format("{}sink_has {}", tests.empty() ? "" : " && ", name);
      };
      switch (o.kind) {
        case K::Name: has(o.name); return "\"${" + var(o.name) + "}\"";
        case K::String:
          for (const auto& in : o.str->interps) has(in.name);
          return dq(*o.str);
        case K::Int: return shell_word(std::to_string(o.int_value));
        case K::Bool: return o.bool_value ? "true" : "false";
        default: {
          const int k = condition(o, pre);
          tests += fmt::format("{}[ \"$sink_e{}\" != 2 ]", tests.empty() ? "" : " && ", k);
          pre += fmt::format("sink_b{0}=false; [ \"$sink_e{0}\" = 0 ] && sink_b{0}=true\n", k);  // one per operand
          return fmt::format("\"$sink_b{}\"", k);
        }
      }
    };
    std::string test;
    if (e.kind == K::Compare) {
      const std::string l = operand(*e.lhs), r = operand(*e.rhs);
      auto type = [&](const ast::Expr& o) {
        return o.kind == K::Name ? type_of(o.name) : o.kind == K::Int ? lex::Type::Int
                                                   : o.kind == K::String ? lex::Type::String : lex::Type::Bool;
      };
      const lex::Type a = type(*e.lhs), b = type(*e.rhs);
      const char* cmp = a == lex::Type::Version || b == lex::Type::Version ? "version"
                        : a == lex::Type::Int || b == lex::Type::Int       ? "int" : "text";
      static const char* ops[] = {"eq", "ne", "le", "ge", "lt", "gt"};  // lex::CmpOp's order
      test = fmt::format("sink_a={} sink_b={}; sink_cmp {} {}", l, r, cmp, ops[static_cast<int>(e.op)]);
    } else {
      test = fmt::format("[ {} = true ]", operand(e));
    }
    code += fmt::format("{0}sink_missing=''\nsink_e{1}=2\nif {2}; then {3}; sink_e{1}=$?; fi\n"
                        "sink_m{1}=$sink_missing\n", pre, n, tests.empty() ? ":" : tests, test);
    return n;
  }

  // `name`() runs `text` (nothing when null), the values it reads exported.
  std::string command_fn(const std::string& name, const ast::Text* text) {
    std::string exports;
    const std::string body = text ? shell(*text, exports) : ":";
    return fmt::format("{}() {{\n  :{}\n{}\n}}\n", name, exports.empty() ? "" : "; export" + exports, body);
  }

  // `when` or `skip if`: PREFIX_ID() says whether it holds; `kind` becomes expr or sh.
  void guard(const std::string& prefix, const std::string& id, const ast::StepField& f, std::string& kind) {
    std::vector<std::string_view> names;
    if (f.expr) {
      kind = "expr";
      std::string code;
      names_in(*f.expr, names);
      temp = 0;
      const int r = condition(*f.expr, code);
      out += fmt::format("{}() {{\n  sink_src={} sink_names={}\n{}sink_missing=$sink_m{}\nreturn \"$sink_e{}\"\n}}\n",
                         prefix + id, shell_word(source_text(program.sources, f.expr->span)), shell_word(join(names)),
                         code, r, r);
      return;
    }
    kind = "sh";
    sel.field_needs(f, names);
    std::string checks;
    for (const auto n : names)
      if (!is_env(n)) checks += fmt::format("  sink_has {} || return 2\n", n);
    out += fmt::format("{0}{1}() {{\n{2}  sink_run_check {0}sh_{1} {3}\n}}\n", prefix, id, checks, dq(f.text, true));
    out += command_fn(prefix + "sh_" + id, &f.text);
  }

  void step(std::size_t i, const SelectedStep& s) {
    const std::string id = std::to_string(i);
    const ast::Step& st = *s.step;
    // What it needs (with what that needs), and the names its texts use.
    std::vector<std::string_view> uses, needs;
    for (const auto* e : s.scope_env)
      for (const auto& in : e->value.interps) uses.push_back(in.name);
    for (const auto& f : st.fields)
      if (f.kind != ast::StepField::Kind::Error && !f.expr) sel.field_needs(f, uses);
    const auto reached = sel.needed_by([&s](const SelectedStep& other) { return &other == &s; });
    for (const auto n : order)
      if (reached.count(n)) needs.push_back(n);
    std::vector<std::string_view> used;
    for (const auto n : uses)
      if (!is_env(n) && std::find(used.begin(), used.end(), n) == used.end()) used.push_back(n);

    std::string when, skip, env, dir = "sink_dir=$sink_base";
    if (const auto* f = st.when()) guard("sink_when_", id, *f, when);
    if (const auto* f = st.skip_if()) guard("sink_skip_", id, *f, skip);
    const auto* err = st.field(ast::StepField::Kind::Error);
    if (err) out += fmt::format("sink_error_{}() {{ sink_out={}; }}\n", id, dq(err->text, true));
    for (const auto* e : s.scope_env) env += fmt::format("  {0}={1}; export {0}\n", e->name, dq(e->value));
    for (const auto& f : st.fields) {
      if (f.kind == ast::StepField::Kind::Env) env += fmt::format("  {0}={1}; export {0}\n", f.name, dq(f.text));
      if (f.kind == ast::StepField::Kind::Dir) dir = "sink_folder " + dq(f.text);
    }
    const auto* run = st.field(ast::StepField::Kind::Run);
    const std::string run_fn = command_fn("sink_run_" + id, run ? &run->text : nullptr);
    out += fmt::format("sink_dir_{0}() {{ {1}; }}\nsink_env_{0}() {{\n  cd -- \"$sink_dir\" || exit 1\n{2}}}\n{3}",
                       id, dir, env, run_fn);
    std::string plat;
    for (const auto* b : s.blocks) {
      std::vector<std::string_view> names;
      for (const auto& n : b->names) names.push_back(n.name);
      plat += fmt::format("  sink_on {} || {{ sink_why={}; return 1; }}\n", join(names),
                          shell_word(fmt::format("`platform {}` (line {})", fmt::join(names, ", "), b->span.line)));
    }
    out += fmt::format("sink_plat_{}() {{\n  :\n{}}}\n", id, plat);
    out += fmt::format("sink_step_{}() {{\n  sink_name={} sink_where={}\n  sink_when={} sink_skip_if={} sink_error={} "
                       "sink_needs={} sink_uses={}\n}}\n", id, shell_word(st.name.text),
                       shell_word(fmt::format("{}:{}", program.sources.get(st.span.file).path, st.span.line)),
                       shell_word(when), shell_word(skip), shell_word(err ? "1" : ""), shell_word(join(needs)),
                       shell_word(join(used)));
  }

  // sink_f_NAME() resolves what NAME needs first, then runs `body`: a fact's sink_fact line
  // comes after, so that a dependency's own sink_fact cannot overwrite it.
  void resolve_fn(std::string_view name, const std::string& body) {
    out += fmt::format("sink_f_{}() {{\n", name);
    for (const auto d : sel.needs(name))
      if (!is_env(d)) out += fmt::format("  sink_r {}\n", d);
    out += body + "}\n";
  }

  void fact(const ast::Fact& f) {
    const std::string flags = std::string(f.default_value ? "d" : "") + (f.required ? "r" : "") + (f.secret ? "s" : "");
    const char* kind = f.source == ast::FactSource::Sh ? "sh" : f.source == ast::FactSource::Env ? "env" : "value";
    const std::string shown = dq(f.value, true);
    std::string body = fmt::format("  sink_fact {} {} {} {} \"\\`{}\\`\"\n", f.name, f.type_name.value_or("string"),
                                   shell_word(flags), kind, shown.substr(1, shown.size() - 2));
    std::vector<std::string_view> declared_deps;
    for (const auto d : sel.needs(f.name))
      if (sel.facts.count(d) || sel.asks.count(d)) declared_deps.push_back(d);
    if (!declared_deps.empty()) body += fmt::format("  sink_deps {} || return 0\n", join(declared_deps));
    if (f.source == ast::FactSource::Sh) {
      std::string exports;
      const std::string cmd = shell(f.value, exports);
      body += fmt::format("  sink_out=$(\n  {{{}\n{}\n  }} </dev/null 2>/dev/null\n  )\n  sink_got $?\n",
                          exports.empty() ? "" : " export" + exports + ";", cmd);
    } else if (f.source == ast::FactSource::Env) {
      body += "  sink_env_fact " + f.value.text + "\n";  // a variable's name: the checker refuses others (E264)
    } else {
      body += "  sink_out=" + dq(f.value) + "\n  sink_got 0\n";
    }
    resolve_fn(f.name, body);
    if (const ast::Expr* d = f.default_value.get())
      out += fmt::format("sink_default_{}() {{ sink_out={}; }}\n", f.name,
                         d->kind == ast::Expr::Kind::String ? dq(*d->str)
                         : d->kind == ast::Expr::Kind::Int  ? shell_word(std::to_string(d->int_value))
                         : d->bool_value                       ? "true" : "false");
  }

  void ask(const ast::Ask& a) {
    std::string body = fmt::format("  sink_ask {} {} {} {} {}", a.name, answer_var(a.name), dq(a.prompt, true),
                                   a.default_value ? "1 " + dq(*a.default_value) : "0 ''", a.secret ? 1 : 0);
    for (const auto& c : a.choices) body += " " + shell_word(c.text);
    resolve_fn(a.name, body + "\n");
  }
};

}  // namespace

std::string export_script(const Program& program, const ExportOptions& options, std::string& error) {
  Machine machine;
  if (!options.platform.empty()) override_platform(machine, options.platform);  // valid: the CLI checked it
  Writer w{program, options.answers, select_steps(program, machine, options.steps), {}, {}, {}, {}};
  w.error = w.sel.error;  // the first error found is the one reported; the script is then not written
  for (const auto& [name, value] : options.answers)
    if (const auto a = w.sel.asks.find(name); a != w.sel.asks.end() && a->second->secret && w.error.empty())
      w.error = "`" + name + "` is a secret, and sink export never writes a secret into a script; give it when the "
                "script runs, in " + answer_var(name) + " or on the terminal";
  for (const auto& b : lex::builtins) w.order.push_back(b.name);
  std::vector<std::string_view> facts;
  for (const std::size_t m : program.order)  // declarations in run order
    ast::for_each<ast::Item>(program.modules[m].ast.items, [&](const ast::Item& item) {
      if (const auto* f = item.as<ast::Fact>()) {
        w.order.push_back(f->name);
        facts.push_back(f->name);
        w.fact(*f);
      } else if (const auto* a = item.as<ast::Ask>()) {
        w.order.push_back(a->name);
        w.ask(*a);
      }
    });
  for (std::size_t i = 0; i < w.sel.steps.size(); ++i) w.step(i + 1, w.sel.steps[i]);
  if (!w.error.empty()) {
    error = w.error;
    return "";
  }
  std::string init = fmt::format("sink_init() {{\n  sink_file={} sink_steps={}\n  sink_order={}\n"
                                 "  sink_facts_list={}\n",
                                 shell_word(options.path), w.sel.steps.size(), shell_word(join(w.order)),
                                 shell_word(join(facts)));
  for (const auto f : facts) init += fmt::format("  sink_type_{}={}\n", f, lex::type_name(w.type_of(f)));
  // Without --platform (and its /ARCH) they are "": detected when the script runs.
  init += fmt::format("  sink_os={} sink_distro={} sink_distro_version='' sink_arch={}\n", shell_word(machine.os),
                      shell_word(machine.distro), shell_word(machine.arch));
  const auto lines = [](const auto& v) { return shell_word(fmt::format("{}", fmt::join(v, "\n"))); };
  init += fmt::format("  sink_only={} sink_skip={} sink_from={}\n", lines(options.steps.only),
                      lines(options.steps.skip), shell_word(options.steps.from));
  for (const auto& [name, value] : options.answers)
    init += fmt::format("  [ -n \"${{{0}+x}}\" ] || {0}={1}\n", answer_var(name), shell_word(value));
  for (const auto& e : w.env_names) init += fmt::format("  SINKENV_{0}=${{{0}-}}\n", e);
  init += "}\n";
  std::string helpers;
  if (!w.sel.helpers.empty()) helpers = "\n# ---- helpers ----\n" + w.sel.helpers;
  return "#!/bin/sh\n# " + options.path + " as one script, written by `sink export`.\n" +
         "# Run it where the Sinkfile would be applied: sh THIS_FILE [--plan | --facts] [--report]\n" +
         "# [--only NAME]... [--skip NAME]... [--from NAME]. Answers: SINK_ANSWER_<NAME> or the terminal.\n" +
         "# Steps and helpers are functions, their variables set through eval:\n# shellcheck disable=SC1091,SC2015,SC2016,SC2034,SC2119,SC2120,SC2154,SC2317,SC3028\n\n" + std::string(export_runtime()) +
         "\n# ---- " + options.path + " ----\n" + init + helpers + w.out + "\nsink_main \"$@\"\n";
}

}  // namespace sink
