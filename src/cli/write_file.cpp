#include "cli/commands.hpp"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "util/files.hpp"

namespace sink {

namespace fs = std::filesystem;

namespace {

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

}  // namespace

bool write_atomically(const std::string& path, const std::string& text, WriteProblem& problem,
                      const std::string* before, const struct stat* seen) {
  const std::string kHint = "check the permissions of the file and of its folder (sink writes a temporary file beside it, then renames it) and the free space; the file is unchanged";
  bool ok = true;
  auto fail = [&](std::string why, std::string hint) {  // the first problem is the one reported
    if (ok) problem = {std::move(why), std::move(hint)};
    ok = false;
    return false;
  };
  std::error_code ec;
  fs::path target = path;
  if (seen && fs::is_symlink(target, ec)) target = fs::canonical(target, ec);  // write the file the link points to
  if (ec) return fail(ec.message(), kHint);
  // Renaming would replace a read-only file as easily as any other: refuse, as an editor
  // would, rather than overrule the file's mode.
  if (seen && ::access(target.c_str(), W_OK) != 0 && errno != ENOENT)
    return fail(errno == EACCES ? "the file is read-only for this user" : std::strerror(errno), kHint);
  if (seen && seen->st_nlink > 1)
    return fail("it has " + std::to_string(seen->st_nlink) + " hard links, which a new file would split off",
                "sink fmt never rewrites a file in place; to keep the links, format a copy and copy it back over the file: `sink fmt - < " + path + " > tmp && cat tmp > " + path + "`");
  sigset_t stop, old;
  sigemptyset(&stop);
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop, sig);
  ::sigprocmask(SIG_BLOCK, &stop, &old);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp = (dir / ("." + target.filename().string() + (seen ? ".sink-fmt-XXXXXX" : ".sink-XXXXXX"))).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) fail(std::strerror(errno), kHint);  // then nothing below touches a file
  for (std::size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(std::strerror(errno), kHint);
    else done += static_cast<std::size_t>(n);
  }
  // After the text (a write by another user than root clears setuid bits) and in this
  // order (chown clears them too, and capabilities).
  if (ok && seen && (seen->st_uid != ::geteuid() || seen->st_gid != ::getegid()) &&
      ::fchown(fd, seen->st_uid, seen->st_gid) != 0)
    fail("cannot give the new file the owner and group of the old one: " + std::string(std::strerror(errno)),
         "sink fmt writes a new file and renames it over the old one; run it as the file's owner (or root); the file is unchanged");
  if (ok && ::fchmod(fd, seen ? seen->st_mode & 07777 : 0755) != 0) fail(std::strerror(errno), kHint);
  if (ok && seen && !copy_xattrs(target.c_str(), fd, problem)) ok = false;
  if (ok && ::fsync(fd) != 0) fail(std::strerror(errno), kHint);
  if (fd >= 0 && ::close(fd) != 0) fail(std::strerror(errno), kHint);
  // The file as it is now must be the file as it was read: an edit made meanwhile is kept.
  std::string now, why;
  struct stat st {};
  if (ok && seen && (read_file(target, now, why, true, &st) != ReadStatus::Ok || st.st_dev != seen->st_dev ||
                     st.st_ino != seen->st_ino || st.st_size != seen->st_size ||
                     st.st_mtim.tv_sec != seen->st_mtim.tv_sec || st.st_mtim.tv_nsec != seen->st_mtim.tv_nsec ||
                     now != *before))
    fail("it changed while sink was formatting it", "run `sink fmt` again on the file as it is now; it is left as it was changed");
  sigset_t pending;
  ::sigpending(&pending);
  const bool cancelled = sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) || sigismember(&pending, SIGHUP);
  if (ok && !cancelled && ::rename(temp.c_str(), target.c_str()) != 0) fail(std::strerror(errno), kHint);
  if (fd >= 0 && (!ok || cancelled)) ::unlink(temp.c_str());
  ::sigprocmask(SIG_SETMASK, &old, nullptr);  // a pending signal ends sink here, the file whole
  return ok;
}

}  // namespace sink
