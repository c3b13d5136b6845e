#include "cli/commands.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "check/checker.hpp"
#include "cli/render.hpp"

namespace sink {

namespace fs = std::filesystem;

std::optional<std::string> find_sinkfile(const Host& host) {
  for (fs::path dir = host.cwd(), rel = "Sinkfile";; dir = dir.parent_path(), rel = fs::path("..") / rel) {
    if (host.is_file((dir / "Sinkfile").string())) return rel.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
  }
}

Diagnostic no_sinkfile_error(const Host& host, const std::string& command) {
  return {E003, "no Sinkfile in " + host.cwd() + " or any folder above it",
          {.file = kNoFile},
          "create one (see `sink help`), or pass its path: sink " + command + " path/to/Sinkfile"};
}

InputFlags input_flags(const Args& args) {
  return {args.all("--set"), args.get("--vars"), args.get("--facts")};
}

void load_sinkfile(const Args& args, const Host& host, Run& r) {
  if (const auto found = args.positional.empty() ? find_sinkfile(host) : args.positional[0]) r.path = *found;
  else return r.diags.add(no_sinkfile_error(host, args.command));
  DiskReader reader;
  r.program = load_program(r.path, reader, r.diags);
  if (r.program.complete) check_program(r.program, r.diags);  // only what loaded whole is checked
}

int run_check(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  const bool json = args.get("--format") == "json";
  Run r;
  load_sinkfile(args, host, r);
  if (r.program.complete && args.has("--ci")) check_answers(r.program, input_flags(args), r.program.sources, r.diags);
  if (json) {
    r.diags.sort();
    out << Renderer(r.program.sources, color).json(r.diags.items());
    return r.diags.has_errors() ? 1 : 0;
  }
  if (r.diags.has_errors())
    return print_diags(r, err, color, "sink: " + Renderer::counts(r.diags) + (r.path.empty() ? "" : " in " + r.path));
  print_diags(r, err, color);  // the warnings
  std::size_t steps = 0, facts = 0, questions = 0;
  for_each<ast::Step>(r.program, [&](const ast::Step&) { ++steps; });
  for_each<ast::Fact>(r.program, [&](const ast::Fact&) { ++facts; });
  for_each<ast::Ask>(r.program, [&](const ast::Ask&) { ++questions; });
  out << fmt::format("ok: {}: {}, {}, {}", r.path, plural(steps, "step"), plural(facts, "fact"),
                     plural(questions, "question"));
  if (r.program.modules.size() > 1) out << ", " << plural(r.program.modules.size() - 1, "module");
  if (r.diags.warning_count() > 0) out << " (" << plural(r.diags.warning_count(), "warning") << ")";
  out << "\n";
  return 0;
}

}  // namespace sink
