#include "cli/commands.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "diag/render.hpp"
#include "fmt/diff.hpp"
#include "fmt/formatter.hpp"
#include "modules/loader.hpp"
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

struct WriteProblem {
  std::string why, hint;
};

// Copies the extended attributes of `from` (ACLs among them) to `fd`.
bool copy_xattrs(const char* from, int fd, WriteProblem& problem) {
  std::string names(::llistxattr(from, nullptr, 0) > 0 ? static_cast<std::size_t>(::llistxattr(from, nullptr, 0)) : 0, '\0');
  if (!names.empty()) names.resize(static_cast<std::size_t>(std::max<ssize_t>(::llistxattr(from, names.data(), names.size()), 0)));
  for (std::size_t at = 0; at < names.size(); at += std::strlen(names.c_str() + at) + 1) {
    const char* name = names.c_str() + at;
    const ssize_t size = ::lgetxattr(from, name, nullptr, 0);
    std::string value(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
    if (size < 0 || ::lgetxattr(from, name, value.data(), value.size()) != size ||
        ::fsetxattr(fd, name, value.data(), value.size(), 0) != 0) {
      problem = {"cannot keep its extended attribute `" + std::string(name) + "`: " + std::strerror(errno),
                 "sink fmt writes a new file and renames it over the old one, and could not give it this attribute; the file is unchanged"};
      return false;
    }
  }
  return true;
}

// Replaces `path`, read as `before` with status `seen`, by `text` through a temporary file
// in the same folder, so that the file is either the old one or the new one, never half
// written. Keeps its owner, mode (setuid and setgid too) and extended attributes; refuses
// a file that has other hard links (a rename would split them off) or that changed since
// it was read. SIGINT, SIGTERM and SIGHUP wait until the temporary file is renamed or
// removed; one that came meanwhile cancels the rename.
bool write_atomically(const std::string& path, const std::string& before, const struct stat& seen,
                      const std::string& text, WriteProblem& problem) {
  const std::string kHint = "check the permissions of the file and of its folder (sink writes a temporary file beside it, then renames it) and the free space; the file is unchanged";
  std::error_code ec;
  fs::path target = path;
  if (fs::is_symlink(target, ec)) target = fs::canonical(target, ec);  // write the file the link points to
  if (ec) {
    problem = {ec.message(), kHint};
    return false;
  }
  // Renaming would replace a read-only file as easily as any other: refuse, as an editor
  // would, rather than overrule the file's mode.
  if (::access(target.c_str(), W_OK) != 0 && errno != ENOENT) {
    problem = {errno == EACCES ? std::string("the file is read-only for this user") : std::strerror(errno), kHint};
    return false;
  }
  if (seen.st_nlink > 1) {
    problem = {"it has " + std::to_string(seen.st_nlink) + " hard links, which a new file would split off",
               "sink fmt never rewrites a file in place; to keep the links, format a copy and copy it back over the file: `sink fmt - < " + path + " > tmp && cat tmp > " + path + "`"};
    return false;
  }
  sigset_t stop, old;
  sigemptyset(&stop);
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop, sig);
  ::sigprocmask(SIG_BLOCK, &stop, &old);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp = (dir / ("." + target.filename().string() + ".sink-fmt-XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    problem = {std::strerror(errno), kHint};
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    return false;
  }
  bool ok = true;
  auto fail = [&](std::string why, std::string hint) {
    if (ok) problem = {std::move(why), std::move(hint)};
    ok = false;
  };
  for (std::size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(std::strerror(errno), kHint);
    else done += static_cast<std::size_t>(n);
  }
  // After the text (a write by another user than root clears setuid bits) and in this
  // order (chown clears them too, and capabilities).
  if (ok && (seen.st_uid != ::geteuid() || seen.st_gid != ::getegid()) && ::fchown(fd, seen.st_uid, seen.st_gid) != 0)
    fail("cannot give the new file the owner and group of the old one: " + std::string(std::strerror(errno)),
         "sink fmt writes a new file and renames it over the old one; run it as the file's owner (or root); the file is unchanged");
  if (ok && ::fchmod(fd, seen.st_mode & 07777) != 0) fail(std::strerror(errno), kHint);
  if (ok && !copy_xattrs(target.c_str(), fd, problem)) ok = false;
  if (ok && ::fsync(fd) != 0) fail(std::strerror(errno), kHint);
  if (::close(fd) != 0) fail(std::strerror(errno), kHint);
  // The file as it is now must be the file as it was read: an edit made meanwhile is kept.
  std::string now, why;
  struct stat st {};
  if (ok && (read_file(target, now, why, true, &st) != ReadStatus::Ok || st.st_dev != seen.st_dev ||
             st.st_ino != seen.st_ino || st.st_size != seen.st_size || st.st_mtim.tv_sec != seen.st_mtim.tv_sec ||
             st.st_mtim.tv_nsec != seen.st_mtim.tv_nsec || now != before))
    fail("it changed while sink was formatting it", "run `sink fmt` again on the file as it is now; it is left as it was changed");
  sigset_t pending;
  ::sigpending(&pending);
  const bool cancelled = sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) || sigismember(&pending, SIGHUP);
  if (ok && !cancelled && ::rename(temp.c_str(), target.c_str()) != 0) fail(std::strerror(errno), kHint);
  if (!ok || cancelled) ::unlink(temp.c_str());
  ::sigprocmask(SIG_SETMASK, &old, nullptr);  // a pending signal ends sink here, the file whole
  return ok;
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
    err << renderer.text({code, std::move(message), {}, std::move(hint), sources.add(path, "")}) << "\n";
    ++failed;
  };
  if (inputs.empty()) {
    const auto found = find_sinkfile(host);
    if (!found) {
      err << renderer.text(no_sinkfile_error(host, "fmt")) << "\n";
      return kExitFailure;
    }
    inputs.push_back(*found);
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
      WriteProblem problem;
      if (write_atomically(path, text, seen, *formatted, problem)) out << "formatted " << path << "\n";
      else file_problem(path, E004, "cannot write `" + path + "`: " + problem.why, problem.hint);
    }
  }
  if (check && unformatted > 0)
    err << "sink: " << unformatted << (unformatted == 1 ? " file is" : " files are")
        << " not formatted; `sink fmt` formats " << (unformatted == 1 ? "it" : "them") << "\n";
  return failed > 0 || unformatted > 0 ? kExitFailure : kExitOk;
}

}  // namespace sink
