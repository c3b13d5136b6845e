#include "export/script.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "plan/eval.hpp"
#include "plan/machine.hpp"
#include "plan/resolver.hpp"
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

bool is_env(std::string_view name) { return name.substr(0, lex::env_prefix.size()) == lex::env_prefix; }


std::string join(const std::vector<std::string_view>& names) {
  std::string out;
  for (const auto n : names) out += (out.empty() ? "" : " ") + std::string(n);
  return out;
}

struct Writer {
  const Program& program;
  const ExportOptions& options;
  Selection sel;
  std::vector<std::string_view> order;  // built-ins, then facts and questions in declaration order
  std::set<std::string> env_names;      // env.NAME read anywhere
  std::string out, error;
  int temp = 0;

  lex::Type type_of(std::string_view name) const {
    if (const auto* b = lex::find_builtin(name)) return b->type;
    if (const auto f = sel.facts.find(name); f != sel.facts.end() && f->second->type_name)
      return lex::type_from_name(*f->second->type_name).value_or(lex::Type::String);
    return lex::Type::String;
  }
  std::vector<std::string_view> deps(std::string_view name) const {
    if (const auto f = sel.facts.find(name); f != sel.facts.end()) return dependencies(*f->second);
    if (const auto a = sel.asks.find(name); a != sel.asks.end()) return dependencies(*a->second);
    return {};
  }
  bool declared(std::string_view n) const { return sel.facts.count(n) || sel.asks.count(n); }

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
    static const Value placeholder;
    std::optional<Value> raw;
    const ShellScript s = to_shell(text, [&](std::string_view name) -> const Value* {
      for (const auto& in : text.interps)
        if (in.raw && in.name == name) {
          const auto a = options.answers.find(name);
          if (a == options.answers.end()) {
            error = "`{{raw " + std::string(name) + "}}` at " + program.sources.get(in.span.file).path + ":" +
                    std::to_string(in.span.line) + " inserts a value known only when the script runs; answer `" +
                    std::string(name) + "` with --set to export it";
            return &placeholder;
          }
          raw = Value::of_string(a->second);
          return &*raw;
        }
      return &placeholder;
    });
    for (const auto& in : text.interps) var(in.name);
    for (const auto& [v, value] : s.vars) exports += " " + v;
    return s.script;
  }

  // Code that leaves 0 (true), 1 (false) or 2 (a name has no value) in sink_eN; returns N.
  int condition(const ast::Expr& e, std::string& code) {
    using K = ast::Expr::Kind;
    const int n = ++temp;
    const std::string t = "sink_e" + std::to_string(n);
    // Each operand: its value as a shell word, and the tests that it has one.
    auto operand = [&](const ast::Expr& o, std::string& pre, std::string& tests) -> std::string {
      auto has = [&](std::string_view name) {
        if (!is_env(name)) tests += std::string(tests.empty() ? "" : " && ") + "sink_has " + std::string(name);
      };
      switch (o.kind) {
        case K::Name: has(o.name); return "\"${" + var(o.name) + "}\"";
        case K::String:
          for (const auto& in : o.str->interps) has(in.name);
          return dq(*o.str);
        case K::Int: return shell_word(std::to_string(o.int_value));
        case K::Bool: return o.bool_value ? "true" : "false";
        default: {
          const std::string k = "\"$sink_e" + std::to_string(condition(o, pre)) + "\"";
          tests += std::string(tests.empty() ? "" : " && ") + "[ " + k + " != 2 ]";
          pre += "sink_b" + std::to_string(n) + "=false; [ " + k + " = 0 ] && sink_b" + std::to_string(n) + "=true\n";
          return "\"$sink_b" + std::to_string(n) + "\"";
        }
      }
    };
    switch (e.kind) {
      case K::Not: {
        const int a = condition(*e.lhs, code);
        code += "sink_not \"$sink_e" + std::to_string(a) + "\"; " + t + "=$?; sink_m" + std::to_string(n) + "=$sink_m" +
                std::to_string(a) + "\n";
        break;
      }
      case K::And:
      case K::Or: {
        const int a = condition(*e.lhs, code), b = condition(*e.rhs, code);
        const std::string A = std::to_string(a), B = std::to_string(b);
        code += std::string(e.kind == K::And ? "sink_and" : "sink_or") + " \"$sink_e" + A + "\" \"$sink_e" + B + "\" \"$sink_m" +
                A + "\" \"$sink_m" + B + "\"; " + t + "=$?; sink_m" + std::to_string(n) + "=$sink_m\n";
        break;
      }
      case K::Compare: {
        std::string pre, tests;
        const std::string l = operand(*e.lhs, pre, tests), r = operand(*e.rhs, pre, tests);
        auto type = [&](const ast::Expr& o) {
          return o.kind == K::Name ? type_of(o.name) : o.kind == K::Int ? lex::Type::Int
                                                     : o.kind == K::String ? lex::Type::String : lex::Type::Bool;
        };
        const lex::Type a = type(*e.lhs), b = type(*e.rhs);
        const char* cmp = a == lex::Type::Version || b == lex::Type::Version ? "version"
                          : a == lex::Type::Int || b == lex::Type::Int       ? "int" : "text";
        static const char* ops[] = {"eq", "ne", "le", "ge", "lt", "gt"};  // lex::CmpOp's order
        code += pre + "sink_missing=''\n" + t + "=2\nif " + (tests.empty() ? ":" : tests) + "; then sink_a=" + l + " sink_b=" + r +
                "; sink_cmp " + cmp + " " + ops[static_cast<int>(e.op)] + "; " + t + "=$?; fi\nsink_m" + std::to_string(n) +
                "=$sink_missing\n";
        break;
      }
      default: {
        std::string pre, tests;
        const std::string v = operand(e, pre, tests);
        code += pre + "sink_missing=''\n" + t + "=2\nif " + (tests.empty() ? ":" : tests) + "; then [ " + v + " = true ]; " + t +
                "=$?; fi\nsink_m" + std::to_string(n) + "=$sink_missing\n";
      }
    }
    return n;
  }

  void guard(const char* fn, std::size_t i, const ast::StepField& f, std::string& kind) {
    const std::string id = std::to_string(i);
    if (f.expr) {
      kind = "expr";
      std::string code;
      std::vector<std::string_view> names;
      names_in(*f.expr, names);
      temp = 0;
      const int r = condition(*f.expr, code);
      out += std::string(fn) + id + "() {\n  sink_src=" + shell_word(source_text(program.sources, f.expr->span)) +
             " sink_names=" + shell_word(join(names)) + "\n" + code + "sink_missing=$sink_m" + std::to_string(r) + "\nreturn \"$sink_e" + std::to_string(r) + "\"\n}\n";
      return;
    }
    kind = "sh";
    std::vector<std::string_view> names;
    names_in(f.text, names);
    std::string checks, exports;
    for (const auto n : names)
      if (!is_env(n)) checks += "  sink_has " + std::string(n) + " || return 2\n";
    const std::string body = shell(f.text, exports);
    out += std::string(fn) + id + "() {\n" + checks + "  sink_run_check " + fn + "sh_" + id + " " + dq(f.text, true) +
           "\n}\n" + fn + "sh_" + id + "() {\n  :" + (exports.empty() ? "" : "; export" + exports) + "\n" + body + "\n}\n";
  }

  void step(std::size_t i, const SelectedStep& s) {
    const std::string id = std::to_string(i);
    const ast::Step& st = *s.step;
    // What it needs (with what that needs), and the names its texts use.
    std::vector<std::string_view> uses, todo = names_of_step(s), needs;
    for (const auto* e : s.scope_env) names_in(e->value, uses);
    for (const auto& f : st.fields)
      if (f.kind != ast::StepField::Kind::Error && !f.expr) names_in(f.text, uses);
    std::set<std::string_view> seen;
    while (!todo.empty()) {
      const auto n = todo.back();
      todo.pop_back();
      if (is_env(n) || !seen.insert(n).second) continue;
      const auto d = deps(n);
      todo.insert(todo.end(), d.begin(), d.end());
    }
    for (const auto n : order)
      if (seen.count(n)) needs.push_back(n);
    std::vector<std::string_view> used;
    for (const auto n : uses)
      if (!is_env(n) && std::find(used.begin(), used.end(), n) == used.end()) used.push_back(n);

    std::string when, skip, exports, env, dir = "sink_dir=$sink_base";
    if (const auto* f = st.when()) guard("sink_when_", i, *f, when);
    if (const auto* f = st.skip_if()) guard("sink_skip_", i, *f, skip);
    const auto* err = st.field(ast::StepField::Kind::Error);
    if (err) out += "sink_error_" + id + "() { sink_out=" + dq(err->text, true) + "; }\n";
    for (const auto* e : s.scope_env) env += "  " + e->name + "=" + dq(e->value) + "; export " + e->name + "\n";
    for (const auto& f : st.fields) {
      if (f.kind == ast::StepField::Kind::Env) env += "  " + f.name + "=" + dq(f.text) + "; export " + f.name + "\n";
      if (f.kind == ast::StepField::Kind::Dir) dir = "sink_folder " + dq(f.text);
    }
    const auto* run = st.field(ast::StepField::Kind::Run);
    const std::string body = run ? shell(run->text, exports) : ":";
    out += "sink_dir_" + id + "() { " + dir + "; }\nsink_env_" + id + "() {\n  cd -- \"$sink_dir\" || exit 1\n" + env + "}\n";
    out += "sink_run_" + id + "() {\n  :" + (exports.empty() ? "" : "; export" + exports) + "\n" + body + "\n}\n";
    std::string plat;
    for (const auto* b : s.blocks) {
      std::string names, list;
      for (const auto& n : b->names) {
        names += " " + n.name;
        list += (list.empty() ? "" : ", ") + n.name;
      }
      plat += "  sink_on" + names + " || { sink_why=" + shell_word("`platform " + list + "` (line " + std::to_string(b->span.line) + ")") +
              "; return 1; }\n";
    }
    out += "sink_plat_" + id + "() {\n  :\n" + plat + "}\n";
    out += "sink_step_" + id + "() {\n  sink_name=" + shell_word(st.name.text) + " sink_where=" +
           shell_word(program.sources.get(st.span.file).path + ":" + std::to_string(st.span.line)) + "\n  sink_when=" + shell_word(when) +
           " sink_skip_if=" + shell_word(skip) + " sink_error=" + shell_word(err ? "1" : "") + " sink_needs=" + shell_word(join(needs)) +
           " sink_uses=" + shell_word(join(used)) + "\n}\n";
  }

  void fact(const ast::Fact& f) {
    const std::string name = f.name;
    const std::string type = f.type_name ? std::string(*f.type_name) : "string";
    const std::string flags = std::string(f.default_value ? "d" : "") + (f.required ? "r" : "") + (f.secret ? "s" : "");
    const char* kind = f.source == ast::FactSource::Sh ? "sh" : f.source == ast::FactSource::Env ? "env" : "value";
    const std::string shown = dq(f.value, true);
    std::string body = "  sink_fact " + name + " " + type + " " + shell_word(flags) + " " + kind + " \"\\`" +
                       shown.substr(1, shown.size() - 2) + "\\`\"\n";
    std::vector<std::string_view> declared_deps;
    for (const auto d : dependencies(f)) {
      if (is_env(d)) continue;
      body += "  sink_r " + std::string(d) + "\n";
      if (declared(d)) declared_deps.push_back(d);
    }
    if (!declared_deps.empty()) body += "  sink_deps " + join(declared_deps) + " || return 0\n";
    std::string exports;
    if (f.source == ast::FactSource::Sh) {
      const std::string cmd = shell(f.value, exports);
      body += "  sink_out=$(\n  {" + (exports.empty() ? "" : " export" + exports + ";") + "\n" + cmd + "\n  } </dev/null 2>/dev/null\n  )\n  sink_got $?\n";
    } else if (f.source == ast::FactSource::Env) {
      const std::string var = f.value.text;
      const bool ok = !var.empty() && !std::isdigit(static_cast<unsigned char>(var[0])) &&
                      std::all_of(var.begin(), var.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
      body += ok ? "  sink_env_fact " + var + "\n" : "  sink_failed " + shell_word("environment variable " + var + " is not set") + "\n";
    } else {
      body += "  sink_out=" + dq(f.value) + "\n  sink_got 0\n";
    }
    out += "sink_f_" + name + "() {\n" + body + "}\n";
    if (f.default_value) {
      const ast::Literal& d = *f.default_value;
      out += "sink_default_" + name + "() { sink_out=" +
             (d.kind == ast::Literal::Kind::String ? dq(d.str) : d.kind == ast::Literal::Kind::Int ? shell_word(std::to_string(d.int_value))
                                                                 : std::string(d.bool_value ? "true" : "false")) + "; }\n";
    }
  }

  void ask(const ast::Ask& a) {
    out += "sink_f_" + a.name + "() {\n";
    for (const auto d : dependencies(a))
      if (!is_env(d)) out += "  sink_r " + std::string(d) + "\n";
    out += "  sink_ask " + a.name + " " + answer_var(a.name) + " " + dq(a.prompt, true) + " " + (a.default_value ? "1 " + dq(*a.default_value) : "0 ''") +
           (a.secret ? " 1" : " 0");
    for (const auto& c : a.choices) out += " " + shell_word(c.text);
    out += "\n}\n";
  }
};

}  // namespace

std::string export_script(const Program& program, const ExportOptions& options, std::string& error) {
  Machine machine;
  if (!options.platform.empty())
    if (std::string why = override_platform(machine, options.platform); !why.empty()) {
      error = why;
      return "";
    }
  Writer w{program, options, select_steps(program, machine, {options.only, options.skip, options.from}), {}, {}, {}, {}};
  if (!w.sel.error.empty()) {
    error = w.sel.error;
    return "";
  }
  for (const auto& [name, value] : options.answers)
    if (const auto a = w.sel.asks.find(name); a != w.sel.asks.end() && a->second->secret) {
      error = "`" + name + "` is a secret, and sink export never writes a secret into a script; give it when the script runs, in " +
              answer_var(name) + " or on the terminal";
      return "";
    }
  for (const auto& b : lex::builtins) w.order.push_back(b.name);
  // Declarations in run order: a module's uses before the module, each once.
  std::vector<bool> seen(program.modules.size(), false);
  std::vector<std::string_view> facts;
  std::function<void(const ast::List<ast::Item>&)> walk = [&](const ast::List<ast::Item>& items) {
    for (const auto& item : items) {
      if (const auto* f = item.as<ast::Fact>()) {
        w.order.push_back(f->name);
        facts.push_back(f->name);
        w.fact(*f);
      } else if (const auto* a = item.as<ast::Ask>()) {
        w.order.push_back(a->name);
        w.ask(*a);
      } else if (const auto* b = item.as<ast::PlatformBlock>()) {
        walk(b->items);
      }
    }
  };
  std::function<void(std::size_t)> visit = [&](std::size_t m) {
    if (seen[m]) return;
    seen[m] = true;
    for (const std::size_t u : program.modules[m].uses) visit(u);
    walk(program.modules[m].ast.items);
  };
  if (!program.modules.empty()) visit(0);
  for (std::size_t i = 0; i < w.sel.steps.size(); ++i) w.step(i + 1, w.sel.steps[i]);
  if (!w.error.empty()) {
    error = w.error;
    return "";
  }
  std::string init = "sink_init() {\n  sink_file=" + shell_word(options.path) + " sink_steps=" + std::to_string(w.sel.steps.size()) +
                     "\n  sink_order=" + shell_word(join(w.order)) + "\n  sink_facts_list=" + shell_word(join(facts)) + "\n";
  for (const auto f : facts) init += "  sink_type_" + std::string(f) + "=" + std::string(lex::type_name(w.type_of(f))) + "\n";
  init += "  sink_os=" + shell_word(options.platform.empty() ? "" : machine.os) + " sink_distro=" +
          shell_word(options.platform.empty() ? "" : machine.distro) + " sink_distro_version='' sink_arch=" +
          shell_word(options.platform.find('/') == std::string::npos ? "" : machine.arch) + "\n";
  auto lines = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : "\n") + x;
    return s;
  };
  init += "  sink_only=" + shell_word(lines(options.only)) + " sink_skip=" + shell_word(lines(options.skip)) + " sink_from=" + shell_word(options.from) + "\n";
  for (const auto& [name, value] : options.answers)
    init += "  [ -n \"${" + answer_var(name) + "+x}\" ] || " + answer_var(name) + "=" + shell_word(value) + "\n";
  for (const auto& e : w.env_names) init += "  SINKENV_" + e + "=${" + e + "-}\n";
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
