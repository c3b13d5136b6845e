#include "cli/check_command.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <limits>
#include <memory>
#include <vector>

#include "check/checker.hpp"
#include "diag/render.hpp"
#include "modules/loader.hpp"
#include "plan/inputs.hpp"

namespace sink {

namespace fs = std::filesystem;

std::optional<std::string> find_sinkfile(const Host& host) {
  fs::path dir = host.cwd();
  fs::path rel;
  for (int up = 0; up < 4096; ++up) {
    if (host.is_file((dir / "Sinkfile").string())) return up == 0 ? std::string("Sinkfile") : (rel / "Sinkfile").string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
    rel /= "..";
  }
  return std::nullopt;
}

Diagnostic no_sinkfile_error(const Host& host, const std::string& command) {
  Diagnostic d;
  d.code = "E003";
  d.message = "no Sinkfile in " + host.cwd() + " or any folder above it";
  d.hint = "create one (see `sink help`), or pass its path: sink " + command + " path/to/Sinkfile";
  d.file = std::numeric_limits<std::uint32_t>::max();
  return d;
}

namespace {

struct Counts {
  std::size_t steps = 0, facts = 0, questions = 0;
};

void count(const ast::List<ast::Item>& items, Counts& c) {
  for (const auto& item : items) {
    if (item.as<ast::Step>()) ++c.steps;
    else if (item.as<ast::Fact>()) ++c.facts;
    else if (item.as<ast::Ask>()) ++c.questions;
    else if (const auto* b = item.as<ast::PlatformBlock>()) count(b->items, c);
  }
}

// --ci: every question must be answerable without a terminal: a default, --set or --vars.
void check_answers(Program& program, const Args& args, Diagnostics& diags) {
  std::map<std::string, std::string, std::less<>> answered;
  for (const auto& kv : args.all("--set")) answered[kv.substr(0, kv.find('='))] = "";
  if (args.has("--vars")) read_toml_values(args.get("--vars", ""), "--vars", program.sources, diags, answered);
  std::function<void(const ast::List<ast::Item>&)> walk = [&](const ast::List<ast::Item>& items) {
    for (const auto& item : items) {
      if (const auto* a = item.as<ast::Ask>(); a && !a->default_value && !answered.count(a->name))
        diags.error("E404", a->name_span, "question `" + a->name + "` has no default and nothing answers it",
                    "without a terminal the run would stop here: give --set " + a->name +
                        "=VALUE, put it in a --vars file, or give it a default");
      else if (const auto* b = item.as<ast::PlatformBlock>()) walk(b->items);
    }
  };
  for (const auto& m : program.modules) walk(m.ast.items);
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

int run_check(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  const bool json = args.get("--format", "text") == "json";
  Diagnostics diags;
  Program program;
  std::string path;
  if (!args.positional.empty()) {
    path = args.positional[0];
  } else if (auto found = find_sinkfile(host)) {
    path = *found;
  } else {
    diags.add(no_sinkfile_error(host, "check"));
  }
  if (!path.empty()) {
    DiskReader reader;
    program = load_program(path, reader, diags);
    if (program.complete) check_program(program, diags);
    if (program.complete && args.has("--ci")) check_answers(program, args, diags);
  }
  diags.sort();
  Renderer renderer(program.sources, color);
  if (json) {
    out << renderer.json(diags.items());
  } else {
    // One write for all of them: stderr is unbuffered, and a generated file can hold
    // tens of thousands of errors.
    std::string text;
    for (const auto& d : diags.items()) text += renderer.text(d) + "\n";
    err << text;
  }
  if (diags.has_errors()) {
    if (!json) err << "sink: " << Renderer::counts(diags) << (path.empty() ? "" : " in " + path) << "\n";
    return 1;
  }
  if (!json) {
    Counts c;
    for (const auto& m : program.modules) count(m.ast.items, c);
    out << "ok: " << path << ": " << plural(c.steps, "step", "steps") << ", " << plural(c.facts, "fact", "facts")
        << ", " << plural(c.questions, "question", "questions");
    if (program.modules.size() > 1) out << ", " << plural(program.modules.size() - 1, "module", "modules");
    if (diags.warning_count() > 0) out << " (" << plural(diags.warning_count(), "warning", "warnings") << ")";
    out << "\n";
  }
  return 0;
}

}  // namespace sink
