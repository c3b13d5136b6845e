#include "cli/fmt_command.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "cli/check_command.hpp"
#include "cli/cli.hpp"
#include "cli/help.hpp"
#include "diag/render.hpp"
#include "fmt/diff.hpp"
#include "fmt/formatter.hpp"
#include "modules/loader.hpp"
#include "util/heap.hpp"

namespace sink {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStdinName = "<stdin>";

bool is_sink_file(const fs::path& p) { return p.filename() == "Sinkfile" || p.extension() == ".sink"; }

// Every Sinkfile and *.sink under `dir`, hidden files and folders aside, in path order.
std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (is_sink_file(it->path()) && it->is_regular_file(ec)) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Replaces `path` by `text` through a temporary file in the same folder, so that the file
// is either the old one or the new one, never half written. Keeps its permissions.
bool write_atomically(const std::string& path, const std::string& text, std::string& why) {
  std::error_code ec;
  fs::path target = path;
  if (fs::is_symlink(target, ec)) target = fs::canonical(target, ec);  // write the file the link points to
  if (ec) {
    why = ec.message();
    return false;
  }
  // Renaming would replace a read-only file as easily as any other: refuse, as an editor
  // would, rather than overrule the file's mode.
  if (::access(target.c_str(), W_OK) != 0 && errno != ENOENT) {
    why = errno == EACCES ? std::string("the file is read-only for this user") : std::strerror(errno);
    return false;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp = (dir / ("." + target.filename().string() + ".sink-fmt-XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    why = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    (void)::fchmod(fd, st.st_mode & 07777);
    if (::fchown(fd, st.st_uid, st.st_gid) != 0) {
      // Only root may give a file away; the new file keeps our owner then.
    }
  }
  bool ok = true;
  for (std::size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else done += static_cast<std::size_t>(n);
  }
  if (ok && ::fsync(fd) != 0) ok = false;
  if (!ok) why = std::strerror(errno);
  if (::close(fd) != 0 && ok) {
    ok = false;
    why = std::strerror(errno);
  }
  if (ok && ::rename(temp.c_str(), target.c_str()) != 0) {
    ok = false;
    why = std::strerror(errno);
  }
  if (!ok) ::unlink(temp.c_str());
  return ok;
}

Diagnostic file_problem(Sources& sources, const std::string& path, std::string code, std::string message,
                        std::string hint) {
  Diagnostic d;
  d.code = std::move(code);
  d.message = std::move(message);
  d.hint = std::move(hint);
  d.file = sources.add(path, "");
  return d;
}

}  // namespace

int run_fmt(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  return run_fmt(args, host, std::cin, out, err, color);
}

int run_fmt(const Args& args, const Host& host, std::istream& in, std::ostream& out, std::ostream& err, bool color) {
  const bool check = args.has("--check");
  std::vector<std::string> inputs = args.positional;
  if (std::find(inputs.begin(), inputs.end(), "-") != inputs.end() && inputs.size() > 1) {
    err << "error: `-` (standard input) cannot be combined with files\n\n" << usage_text("fmt");
    return kExitUsage;
  }
  Sources sources;
  Renderer renderer(sources, color);
  std::size_t failed = 0, unformatted = 0;
  auto report = [&](const Diagnostics& diags) {
    for (const auto& d : diags.items()) err << renderer.text(d) << "\n";
  };

  if (inputs.empty()) {
    if (auto found = find_sinkfile(host)) {
      inputs.push_back(*found);
    } else {
      Diagnostics diags;
      diags.add(no_sinkfile_error(host, "fmt"));
      report(diags);
      return kExitFailure;
    }
  }

  // The files, in the order given; a folder stands for the Sinkfiles under it.
  std::vector<std::string> paths;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (input != "-" && fs::is_directory(input, ec)) {
      const auto found = files_under(input);
      paths.insert(paths.end(), found.begin(), found.end());
    } else {
      paths.push_back(input);
    }
  }

  DiskReader reader;
  for (const auto& path : paths) {
    const bool from_stdin = path == "-";
    const std::string name = from_stdin ? kStdinName : path;
    Diagnostics diags;
    std::string text;
    if (from_stdin) {
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      prepare_heap(text.size());  // as DiskReader does for a file
    } else {
      std::string why;
      const auto status = reader.read(path, text, why);
      if (status != FileReader::Status::Ok) {
        diags.add(file_problem(sources, path, "E001", "cannot read `" + path + "`: " + why,
                               status == FileReader::Status::NotFound ? "check the path"
                                                                      : "check the file's permissions"));
        report(diags);
        ++failed;
        continue;
      }
    }
    const auto id = sources.add(name, text);
    const auto formatted = format_sinkfile(sources, id, diags);
    report(diags);
    if (!formatted) {
      ++failed;
      err << "sink: " << name << " is left as it is: " << diags.error_count()
          << (diags.error_count() == 1 ? " error" : " errors") << "\n";
      continue;
    }
    const bool changes = *formatted != text;
    if (check) {
      if (changes) {
        ++unformatted;
        out << unified_diff(text, *formatted, "a/" + name, "b/" + name);
      }
    } else if (from_stdin) {
      errno = 0;
      out << *formatted;
      if (!flush_output(out, err)) ++failed;
    } else if (changes) {
      std::string why;
      if (write_atomically(path, *formatted, why)) {
        out << "formatted " << path << "\n";
      } else {
        Diagnostics problems;
        problems.add(file_problem(sources, path, "E004", "cannot write `" + path + "`: " + why,
                                  "check the permissions of the file and of its folder (sink writes a temporary file beside it, then renames it) and the free space; the file is unchanged"));
        report(problems);
        ++failed;
      }
    }
  }
  if (check && unformatted > 0)
    err << "sink: " << unformatted << (unformatted == 1 ? " file is" : " files are")
        << " not formatted; `sink fmt` formats " << (unformatted == 1 ? "it" : "them") << "\n";
  return failed > 0 || unformatted > 0 ? kExitFailure : kExitOk;
}

}  // namespace sink
