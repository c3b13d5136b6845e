#include "modules/loader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "modules/stdlib.hpp"
#include "util/heap.hpp"
#include "util/suggest.hpp"

namespace sink {

namespace fs = std::filesystem;

FileReader::Status DiskReader::read(const std::string& path, std::string& out, std::string& error) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    error = "no such file";
    return Status::NotFound;
  }
  if (fs::is_directory(st)) {
    error = "it is a directory";
    return Status::IsDirectory;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return Status::Unreadable;
  }
  // Read straight into the string: no stream buffer, no copy.
  const auto size = fs::file_size(path, ec);
  out.clear();
  if (!ec) {
    prepare_heap(static_cast<std::size_t>(size));
    out.resize(static_cast<std::size_t>(size));
    in.read(out.data(), static_cast<std::streamsize>(out.size()));
    out.resize(static_cast<std::size_t>(in.gcount()));
  }
  char buf[4096];  // what grew since file_size, or a file whose size is unknown
  while (in.read(buf, sizeof buf) || in.gcount() > 0) out.append(buf, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    error = "read error";
    return Status::Unreadable;
  }
  return Status::Ok;
}

namespace {

const StdModule* find_std(std::string_view name) {
  for (const auto& m : stdlib_modules())
    if (m.name == name) return &m;
  return nullptr;
}

class Loader {
 public:
  Loader(FileReader& reader, Diagnostics& diags, const ParseLimits& limits)
      : reader_(reader), diags_(diags), limits_(limits) {}

  Program run(const std::string& display, std::string text) {
    load(fs::path(display).lexically_normal().string(), display, false, std::move(text));
    program_.complete = !failed_;
    return std::move(program_);
  }

  Program run_path(const std::string& path) {
    std::string text, why;
    const auto status = reader_.read(path, text, why);
    if (status != FileReader::Status::Ok) {
      Diagnostic d;
      d.file = program_.sources.add(path, "");
      if (status == FileReader::Status::IsDirectory) {
        d.code = "E002";
        d.message = "cannot read `" + path + "`: it is a directory";
        d.hint = "pass the Sinkfile itself, e.g. " + (fs::path(path) / "Sinkfile").string();
      } else {
        d.code = "E001";
        d.message = "cannot read `" + path + "`: " + why;
        d.hint = status == FileReader::Status::NotFound
                     ? "check the path; without FILE, sink looks for `Sinkfile` here and in the parent folders"
                     : "check the file's permissions";
      }
      diags_.add(std::move(d));
      return std::move(program_);
    }
    return run(path, std::move(text));
  }

 private:
  std::optional<std::size_t> load(const std::string& key, const std::string& display, bool is_std,
                                   std::string text) {
    const std::uint32_t file_id = program_.sources.add(display, std::move(text));
    auto parsed = parse_file(program_.sources, file_id, diags_, limits_);
    if (!parsed) {
      failed_ = true;
      return std::nullopt;
    }
    const std::size_t index = program_.modules.size();
    by_key_[key] = index;
    program_.modules.push_back(Module{display, is_std, std::move(*parsed), {}});
    active_.push_back(key);
    // Collect the uses first: loading appends to modules, which moves the ASTs.
    std::vector<std::pair<ast::Text, Span>> uses;
    for (const auto& item : program_.modules[index].ast.items)
      if (const auto* u = item.as<ast::Use>()) uses.emplace_back(u->path, u->span);
    for (const auto& [path, span] : uses) {
      if (const auto child = resolve(key, is_std, path, span)) program_.modules[index].uses.push_back(*child);
    }
    active_.pop_back();
    return index;
  }

  std::optional<std::size_t> resolve(const std::string& from_key, bool from_std, const ast::Text& path, Span span) {
    if (path.has_interp()) {
      fail("E263", path.span, "a module path cannot interpolate values",
           "write the path as it is: modules are loaded before any fact is known");
      return std::nullopt;
    }
    const std::string p = path.literal();
    std::string key;
    bool is_std = false;
    if (p.rfind("std/", 0) == 0) {
      key = p;
      is_std = true;
    } else if (p.rfind("./", 0) == 0 || p.rfind("../", 0) == 0) {
      if (from_std) {
        fail("E250", path.span, "a standard module can only use other standard modules",
             "this is a bug in sink's standard library; please report it");
        return std::nullopt;
      }
      key = (fs::path(from_key).parent_path() / p).lexically_normal().string();
    } else {
      fail("E250", path.span, "module path `" + p + "` must start with `std/`, `./` or `../`",
           !p.empty() && p[0] == '/'
               ? "a module path is relative to the file that uses it, so that the repo works wherever it is cloned"
               : "use \"std/NAME\" for the standard library, or \"./" + p + "\" for a file next to this one");
      return std::nullopt;
    }
    for (std::size_t i = 0; i < active_.size(); ++i) {
      if (active_[i] != key) continue;
      std::string cycle;
      for (std::size_t j = i; j < active_.size(); ++j) cycle += program_.modules[by_key_[active_[j]]].name + " -> ";
      fail("E251", span, "import cycle: " + cycle + program_.modules[by_key_[key]].name,
           "modules cannot use each other in a circle; move what they share into a third module");
      return std::nullopt;
    }
    if (const auto it = by_key_.find(key); it != by_key_.end()) return it->second;
    std::string text;
    if (is_std) {
      const StdModule* m = find_std(key);
      if (!m) {
        std::vector<std::string> names;
        std::string all;
        for (const auto& s : stdlib_modules()) {
          names.emplace_back(s.name);
          all += (all.empty() ? "" : ", ") + std::string(s.name);
        }
        std::string stem = key;  // "std/wait.sink" means std/wait
        if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".sink") == 0) stem.resize(stem.size() - 5);
        auto near = find_std(stem) ? std::optional<std::string>(stem) : suggest(key, names);
        fail("E250", path.span, "there is no standard module `" + key + "`",
             near ? "did you mean `" + *near + "`?" : "the standard modules are: " + all);
        return std::nullopt;
      }
      text = std::string(m->text);
    } else {
      std::string why;
      if (reader_.read(key, text, why) != FileReader::Status::Ok) {
        fail("E250", path.span, "cannot load module `" + p + "`: " + key + ": " + why,
             "a module path is relative to the file that uses it");
        return std::nullopt;
      }
    }
    return load(key, key, is_std, std::move(text));
  }

  void fail(const char* code, Span span, std::string message, std::string hint) {
    diags_.error(code, span, std::move(message), std::move(hint));
    failed_ = true;
  }

  FileReader& reader_;
  Diagnostics& diags_;
  ParseLimits limits_;
  Program program_;
  std::unordered_map<std::string, std::size_t> by_key_;
  std::vector<std::string> active_;
  bool failed_ = false;
};

}  // namespace

Program load_program(const std::string& path, FileReader& reader, Diagnostics& diags, const ParseLimits& limits) {
  return Loader(reader, diags, limits).run_path(path);
}

Program load_program_text(const std::string& display_name, std::string text, FileReader& reader,
                          Diagnostics& diags, const ParseLimits& limits) {
  return Loader(reader, diags, limits).run(display_name, std::move(text));
}

}  // namespace sink
