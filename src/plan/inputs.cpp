#include "plan/inputs.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "util/files.hpp"
#include "util/suggest.hpp"

namespace sink {

namespace {

// Reads `NAME = value` pairs from a TOML file. Strings, whole numbers and booleans are
// taken as text. The file is added to `sources` so that errors (E410-E412) point into it.
// `at`, when given, receives where each name stands in the file; `checks` the [checks] table.
void read_toml_values(const std::string& path, const char* flag, Sources& sources, Diagnostics& diags,
                      std::map<std::string, std::string, std::less<>>& out,
                      std::map<std::string, Span, std::less<>>* at = nullptr,
                      std::map<std::string, bool, std::less<>>* checks = nullptr) {
  std::string content, why;
  const bool read = read_file(path, content, why) == ReadStatus::Ok;
  if (!read || content.size() > kMaxFileBytes) {
    const std::string hint = read ? "give " + std::string(flag) + " a TOML file of answers or facts"
                                  : "check the path given to " + std::string(flag);
    diags.add({E410, std::string("cannot read the ") + flag + " file `" + path + "`: " +
                         (read ? "it is larger than 64 MiB" : why),
               {.file = sources.add(path, "")}, hint});
    return;
  }
  // The file holds answers, secrets among them: no message quotes a line of it (it is kept
  // without its text, so errors name the line and column only), and toml++'s description
  // loses what it quotes.
  const std::uint32_t file = sources.add(path, "");
  auto where = [&](const toml::source_position& p, std::size_t length = 1) {
    const auto line = static_cast<std::uint32_t>(p.line), col = static_cast<std::uint32_t>(p.column);
    return Span{file, line, col, line, static_cast<std::uint32_t>(col + length)};
  };
  toml::table table;
  try {
    table = toml::parse(content, path);
  } catch (const toml::parse_error& e) {
    std::string why(e.description());
    for (auto open = why.find('\''); open != std::string::npos; open = why.find('\'', open + 3)) {
      const auto close = why.find('\'', open + 1);
      if (close == std::string::npos) break;
      why.replace(open, close - open + 1, "'...'");
    }
    diags.add(E411, where(e.source().begin), std::string(flag) + " file is not valid TOML: " + why, "write one `NAME = \"value\"` per line");
    return;
  }
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    if (at) (*at)[name] = where(key.source().begin, name.size());
    if (const auto* t = node.as_table(); t && checks && name == "checks") {
      // [checks] "STEP NAME" = true: that step's `skip if sh` / `when sh` check succeeds.
      for (const auto& [step, result] : *t) {
        if (const auto* b = result.as_boolean()) (*checks)[std::string(step.str())] = b->get();
        else diags.add(E412, where(result.source().begin),
                       "check `" + std::string(step.str()) + "` in [checks] is not true or false",
                       "write \"STEP NAME\" = true when the step's sh check succeeds, false when it fails");
      }
    } else if (const auto* s = node.as_string()) out[name] = s->get();
    else if (const auto* i = node.as_integer()) out[name] = std::to_string(i->get());
    else if (const auto* b = node.as_boolean()) out[name] = b->get() ? "true" : "false";
    else diags.add(E412, where(node.source().begin),
                   "`" + name + "` in the " + std::string(flag) + " file is not a string, number or boolean",
                   "write it as NAME = \"value\"");
  }
}

// A mistake in a flag: no place in a file to point at.
void flag_error(Diagnostics& diags, Code code, std::string message, std::string hint) {
  diags.add(code, {.file = kNoFile}, std::move(message), std::move(hint));
}

// Unless `name` is among `names`, a usage error: "`given` is not `what`; did you mean ...?".
void known(Diagnostics& diags, Code code, const std::string& name, const std::vector<std::string>& names,
           const std::string& given, const std::string& what, std::string hint) {
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  const auto near = suggest(name, names);
  flag_error(diags, code, given + " is not " + what + (near ? "; did you mean `" + *near + "`?" : ""), std::move(hint));
}

}  // namespace

bool read_inputs(const Program& program, const InputFlags& flags, Sources& sources, Machine& machine,
                 Inputs& inputs, Diagnostics& diags) {
  const std::size_t before = diags.items().size();
  for (const auto& kv : flags.set) {
    const auto eq = kv.find('=');
    if (eq != std::string::npos && eq != 0) inputs.set[kv.substr(0, eq)] = kv.substr(eq + 1);
    else flag_error(diags, E413, "`--set " + kv + "`: write --set NAME=VALUE",
                    "for example --set git_name=\"Ann Lee\"");
  }
  if (flags.vars) read_toml_values(*flags.vars, "--vars", sources, diags, inputs.vars, &inputs.vars_at);
  if (flags.facts) read_toml_values(*flags.facts, "--facts", sources, diags, inputs.pinned, nullptr, &inputs.checks);
  const std::string& path = program.modules.front().name;
  std::vector<std::string> questions, facts, steps;  // the names each flag may give, in declaration order
  for_each<ast::Item>(program, [&](const ast::Item& item) {
    if (const auto* a = item.as<ast::Ask>()) questions.push_back(a->name);
    else if (const auto* f = item.as<ast::Fact>()) facts.push_back(f->name);
    else if (const auto* s = item.as<ast::Step>()) steps.push_back(s->name.text);
  });
  for (const auto* given : {&inputs.set, &inputs.vars}) {
    const std::string from = given == &inputs.set ? "--set" : "--vars " + flags.vars.value_or("");
    for (const auto& [name, value] : *given) {
      if (given == &inputs.vars && std::find(questions.begin(), questions.end(), name) == questions.end()) {
        const auto near = suggest(name, questions);
        diags.add(W410, inputs.vars_at[name],
                  "`" + name + "` in the --vars file is not a question of " + path + "; it is ignored",
                  near ? "did you mean `" + *near + "`?" : "");
        continue;
      }
      known(diags, E414, name, questions, from + ": `" + name + "`", "a question of " + path,
            "`sink plan` lists what a run asks; answer only those");
      const ast::Ask* ask = nullptr;
      for_each<ast::Ask>(program, [&, &name = name](const ast::Ask& a) { if (a.name == name) ask = &a; });
      if (!ask) continue;
      if (given == &inputs.set && ask->secret)
        flag_error(diags, W411,
                   "--set " + name +
                       ": a secret on the command line is visible to other users (ps) and kept in shell history",
                   "put it in a --vars file only you can read, answer it at the prompt, or read it with a secret env fact");
      const auto is_value = [&, &value = value](const ast::Text& c) { return c.text == value; };
      if (ask->choices.empty() || std::any_of(ask->choices.begin(), ask->choices.end(), is_value))
        continue;
      std::vector<std::string_view> choices;
      for (const auto& c : ask->choices) choices.push_back(c.text);
      flag_error(diags, E415,
                 from + ": \"" + (ask->secret ? std::string("••••••") : value) + "\" is not a choice of `" + name +
                     "`: " + fmt::format("{}", fmt::join(choices, ", ")),
                 "give one of the choices");
    }
  }
  for (std::size_t i = 0; i < lex::builtins.size(); ++i)
    if (const auto it = inputs.pinned.find(lex::builtins[i].name); it != inputs.pinned.end())
      machine.*kBuiltinTexts[i] = it->second;
  for (const auto& b : lex::builtins) facts.emplace_back(b.name);
  for (const auto& [name, value] : inputs.pinned)
    known(diags, E416, name, facts, "--facts: `" + name + "`", "a fact or built-in of " + path,
          "a --facts file pins facts and built-ins (os, distro, arch, ...) by name");
  for (const auto& [name, result] : inputs.checks)
    known(diags, E416, name, steps, "--facts: [checks] \"" + name + "\"", "a step of " + path,
          "[checks] pins a step's `skip if sh` / `when sh` check by the step's name");
  // A misused flag (E413-E416) has no place in a file: a usage error.
  return std::none_of(diags.items().begin() + static_cast<std::ptrdiff_t>(before), diags.items().end(),
                      [](const Diagnostic& d) { return d.span.file == kNoFile && d.severity() == Severity::Error; });
}

void check_answers(const Program& program, const InputFlags& flags, Sources& sources, Diagnostics& diags) {
  Machine machine;
  Inputs inputs;
  read_inputs(program, flags, sources, machine, inputs, diags);  // as plan and apply do
  for_each<ast::Ask>(program, [&](const ast::Ask& a) {
    if (!a.default_value && !inputs.set.count(a.name) && !inputs.vars.count(a.name))
      diags.add(E404, a.name_span, "question `" + a.name + "` has no default and nothing answers it",
                "without a terminal the run would stop here: give --set " + a.name +
                    "=VALUE, put it in a --vars file, or give it a default");
  });
}

}  // namespace sink
