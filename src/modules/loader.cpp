#include "modules/loader.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "util/suggest.hpp"

namespace sink {

namespace fs = std::filesystem;

namespace {

// The git repository holding `root` (the nearest folder with a `.git`), else its folder.
fs::path project_of(const std::string& root) {
  std::error_code ec;
  const fs::path folder = fs::canonical(fs::absolute(root, ec).parent_path(), ec);
  for (fs::path p = folder; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p;
    if (p == p.parent_path()) break;
  }
  return folder;
}

}  // namespace

FileReader::Status DiskReader::read_module(const std::string& root, const std::string& path, std::string& out,
                                           std::string& error) {
  std::error_code ec;
  const fs::path real = fs::canonical(path, ec);
  if (ec) {
    error = ec == std::errc::no_such_file_or_directory ? "no such file" : ec.message();
    return ec == std::errc::no_such_file_or_directory ? Status::NotFound : Status::Unreadable;
  }
  const fs::path project = project_of(root);
  const auto rel = real.lexically_relative(project);
  if (rel.empty() || *rel.begin() == "..") {
    error = "it is outside " + project.string() + (real.string() != fs::absolute(path, ec).lexically_normal().string() ? " (through a symlink)" : "");
    return Status::Refused;
  }
  return read_file(real.string(), out, error, true);
}

std::string DiskReader::identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return path;
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

namespace {

// Deeper chains of `use` are E254, so that no walk over the modules (here, in the
// checker, in the selection) nests deeper than this.
constexpr std::size_t kMaxUseDepth = 100;

struct Loader {
  FileReader& reader;
  Diagnostics& diags;
  const ParseLimits& limits;
  Program program;
  std::string root;
  std::unordered_map<std::string, std::size_t> by_id;  // module indices by FileReader::identity (std/: the name)
  std::vector<std::size_t> active;                     // the modules being loaded: the root first

  // `key`: the path that the module's own `use`s are relative to; `id`: what tells two
  // modules apart.
  std::optional<std::size_t> load(const std::string& key, const std::string& id, const std::string& display,
                                   bool is_std, std::string text) {
    const std::uint32_t file_id = program.sources.add(display, std::move(text));
    auto parsed = parse_file(program.sources, file_id, diags, limits);
    if (!parsed) {
      program.complete = false;
      return std::nullopt;
    }
    const std::size_t index = program.modules.size();
    by_id[id] = index;
    Module& module = program.modules.emplace_back(Module{display, is_std, std::move(*parsed), {}});
    active.push_back(index);
    for (const auto& item : module.ast.items)
      if (const auto* u = item.as<ast::Use>())
        if (const auto child = resolve(key, u->path, u->span)) module.uses.push_back(*child);
    active.pop_back();
    program.order.push_back(index);  // after its uses, each loaded (and ordered) before it
    return index;
  }

  std::optional<std::size_t> resolve(const std::string& from_key, const ast::Text& path, Span span) {
    if (path.has_interp())
      return fail(E263, path.span, "a module path cannot interpolate values",
                  "write the path as it is: modules are loaded before any fact is known");
    const std::string p = path.literal();
    const bool is_std = p.starts_with("std/");
    if (!is_std && !p.starts_with("./") && !p.starts_with("../"))
      return fail(E250, path.span, "module path `" + p + "` must start with `std/`, `./` or `../`",
                  !p.empty() && p[0] == '/'
                      ? "a module path is relative to the file that uses it, so that the repo works wherever it is "
                        "cloned"
                      : "use \"std/NAME\" for the standard library, or \"./" + p + "\" for a file next to this one");
    if (!is_std && fs::path(p).extension() != ".sink")
      return fail(E250, path.span, "module path `" + p + "` does not name a `.sink` file",
                  "a module is a `.sink` file: name it so, e.g. `" + p + ".sink`");
    const std::string key = is_std ? p : (fs::path(from_key).parent_path() / p).lexically_normal().string();
    const std::string id = is_std ? key : reader.identity(key);
    if (const auto it = by_id.find(id); it != by_id.end()) {
      const auto at = std::find(active.begin(), active.end(), it->second);
      if (at == active.end()) return it->second;
      std::string cycle;
      for (auto m = at; m != active.end(); ++m) cycle += program.modules[*m].name + " -> ";
      return fail(E251, span, "import cycle: " + cycle + program.modules[it->second].name,
                  "modules cannot use each other in a circle; move what they share into a third module");
    }
    if (active.size() > kMaxUseDepth)
      return fail(E254, path.span,
                  fmt::format("modules used through more than {} levels, from {} to `{}`", kMaxUseDepth,
                              program.modules[0].name, p),
                  "a chain this deep is almost certainly generated: let one file use the modules side by side");
    std::string text;
    if (is_std) {
      const auto& all = stdlib_modules();
      const auto m = std::find_if(all.begin(), all.end(), [&](const StdModule& s) { return s.name == key; });
      if (m == all.end()) {
        std::vector<std::string> names;
        for (const auto& s : all) names.emplace_back(s.name);
        const std::string stem = fs::path(key).replace_extension().string();  // "std/wait.sink" means std/wait
        const bool is_stem = fs::path(key).extension() == ".sink" && std::count(names.begin(), names.end(), stem);
        const auto near = is_stem ? std::optional(stem) : suggest(key, names);
        return fail(E250, path.span, "there is no standard module `" + key + "`",
                    near ? "did you mean `" + *near + "`?"
                         : fmt::format("the standard modules are: {}", fmt::join(names, ", ")));
      }
      text = std::string(m->text);
    } else {
      std::string why;
      if (const auto status = reader.read_module(root, key, text, why); status != ReadStatus::Ok)
        return fail(E250, path.span, "cannot load module `" + p + "`: " + key + ": " + why,
                    status == ReadStatus::Refused
                        ? "a module is a regular `.sink` file inside the git repository that holds the root Sinkfile (outside a repository: inside its folder)"
                        : "a module path is relative to the file that uses it");
    }
    return load(key, id, key, is_std, std::move(text));
  }

  // Reports a `use` that cannot be loaded: the program is incomplete.
  std::nullopt_t fail(Code code, Span span, std::string message, std::string hint) {
    diags.add(code, span, std::move(message), std::move(hint));
    program.complete = false;
    return std::nullopt;
  }
};

}  // namespace

Program load_program(const std::string& path, FileReader& reader, Diagnostics& diags, const ParseLimits& limits) {
  std::string text, why;
  const auto status = reader.read(path, text, why);
  if (status == ReadStatus::Ok) return load_program_text(path, std::move(text), reader, diags, limits);
  Program program;
  const bool folder = status == ReadStatus::IsDirectory;
  diags.add({folder ? E002 : E001, "cannot read `" + path + "`: " + why, {.file = program.sources.add(path, "")},
             folder ? "pass the Sinkfile itself, e.g. " + (fs::path(path) / "Sinkfile").string()
             : status == ReadStatus::NotFound
                 ? "check the path; without FILE, sink looks for `Sinkfile` here and in the parent folders"
                 : "check the file's permissions"});
  return program;
}

Program load_program_text(const std::string& display_name, std::string text, FileReader& reader,
                          Diagnostics& diags, const ParseLimits& limits) {
  Loader loader{reader, diags, limits, {}, fs::path(display_name).lexically_normal().string(), {}, {}};
  loader.program.complete = true;
  loader.load(loader.root, reader.identity(loader.root), display_name, false, std::move(text));
  return std::move(loader.program);
}

}  // namespace sink
