#include "cli/commands.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/render.hpp"
#include "fmt/formatter.hpp"
#include "util/files.hpp"

namespace sink {

namespace fs = std::filesystem;

namespace {

// Appends every Sinkfile and *.sink under `dir`, hidden files and folders aside, in path
// order. Symlinks are left alone: the walk neither follows them out of the tree nor
// rewrites what they point to.
void files_under(const std::string& dir, std::vector<std::string>& out) {
  const std::size_t first = out.size();
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    const bool sink_file = name == "Sinkfile" || it->path().extension() == ".sink";
    if (sink_file && !it->is_symlink(ec) && it->is_regular_file(ec)) out.push_back(it->path().string());
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

}  // namespace

int run_fmt(const Args& args, const Host& host, std::istream& in, std::ostream& out, std::ostream& err, bool color) {
  const bool check = args.has("--check");
  std::vector<std::string> inputs = args.positional;
  if (std::find(inputs.begin(), inputs.end(), "-") != inputs.end() && inputs.size() > 1)
    return usage_error(err, "`-` (standard input) cannot be combined with files", "fmt");
  Sources sources;
  Renderer renderer(sources, color);
  std::size_t failed = 0, unformatted = 0;
  // A problem with a whole file, reported at its path.
  const auto file_problem = [&](const std::string& path, Code code, std::string message, std::string hint) {
    err << renderer.text({code, std::move(message), {.file = sources.add(path, "")}, std::move(hint)}) << "\n";
    ++failed;
  };
  if (inputs.empty())  // the Sinkfile that `sink check` would read
    if (const auto found = find_sinkfile(host)) inputs.push_back(*found);
  if (inputs.empty()) {
    err << renderer.text(no_sinkfile_error(host, "fmt")) << "\n";
    return kExitFailure;
  }

  // The files, in the order given; a folder stands for the Sinkfiles under it.
  std::vector<std::string> paths;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (input != "-" && fs::is_directory(input, ec)) files_under(input, paths);
    else paths.push_back(input);
  }

  for (const auto& path : paths) {
    const bool from_stdin = path == "-";
    const std::string name = from_stdin ? "<stdin>" : path;
    std::string text, why;
    struct stat seen {};
    if (from_stdin) {
      // No more than the parser accepts, and one byte: `yes | sink fmt -` ends (E108).
      char buffer[64 * 1024];
      while (text.size() <= kMaxFileBytes && in.read(buffer, sizeof buffer).gcount() > 0)
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
    } else if (const auto status = read_file(path, text, why, true, &seen);
               status != ReadStatus::Ok) {
      file_problem(path, E001, "cannot read `" + path + "`: " + why,
                   status == ReadStatus::NotFound  ? "check the path"
                   : status == ReadStatus::Refused ? "sink fmt formats regular files; for a stream, use `sink fmt -`"
                                                   : "check the file's permissions");
      continue;
    }
    Diagnostics diags;
    const auto formatted = format_sinkfile(sources, sources.add(name, text), diags);
    for (const auto& d : diags.items()) err << renderer.text(d) << "\n";
    if (!formatted) {
      ++failed;
      err << "sink: " << name << " is left as it is: " << plural(diags.error_count(), "error") << "\n";
      continue;
    }
    const bool changes = *formatted != text;
    if (check) {
      if (changes) {  // where: the first line that formatting changes
        ++unformatted;
        const auto line = 1 + std::count(text.begin(), std::ranges::mismatch(text, *formatted).in1, '\n');
        out << name << ":" << line << ": not formatted\n";
      }
    } else if (from_stdin) {
      errno = 0;
      out << *formatted;
      if (!flush_output(out, err)) ++failed;
    } else if (changes) {
      WriteProblem problem;
      if (write_atomically(path, *formatted, problem, &text, &seen)) out << "formatted " << path << "\n";
      else file_problem(path, E004, "cannot write `" + path + "`: " + problem.why, problem.hint);
    }
  }
  if (check && unformatted > 0)
    err << "sink: " << unformatted << (unformatted == 1 ? " file is" : " files are")
        << " not formatted; `sink fmt` formats " << (unformatted == 1 ? "it" : "them") << "\n";
  return failed > 0 || unformatted > 0 ? kExitFailure : kExitOk;
}

}  // namespace sink
