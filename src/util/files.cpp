#include "util/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sink {

ReadStatus read_file(const std::string& path, std::string& out, std::string& why, bool regular_only,
                     struct stat* info) {
  ReadStatus status = ReadStatus::Ok;
  const auto fail = [&](ReadStatus failure, const char* reason) {
    why = reason;
    return status = failure;
  };
  // O_NONBLOCK: opening a FIFO without a writer returns at once, and fstat then says what it is.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | (regular_only ? O_NONBLOCK : 0));
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) return fail(ReadStatus::NotFound, "no such file");
  if (fd < 0) return fail(ReadStatus::Unreadable, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    fail(ReadStatus::Unreadable, std::strerror(errno));
  } else if (S_ISDIR(st.st_mode)) {
    fail(ReadStatus::IsDirectory, "it is a directory");
  } else if (regular_only && !S_ISREG(st.st_mode)) {
    fail(ReadStatus::Refused, S_ISFIFO(st.st_mode)   ? "it is a FIFO, not a regular file"
                              : S_ISSOCK(st.st_mode) ? "it is a socket, not a regular file"
                                                     : "it is a device, not a regular file");
  } else {
    if (info) *info = st;
    // Read into `out` itself, sized from fstat with room to see the end (and for what says
    // 0, as /proc's files and FIFOs do); it grows as needed, to at most kMaxFileBytes + 1.
    std::size_t size = 0;
    out.resize(std::min(static_cast<std::size_t>(std::max<off_t>(st.st_size, 0)) + 4096, kMaxFileBytes + 1));
    while (size <= kMaxFileBytes) {
      if (size == out.size()) out.resize(std::min(2 * size, kMaxFileBytes + 1));
      const ssize_t n = ::read(fd, out.data() + size, out.size() - size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(ReadStatus::Unreadable, std::strerror(errno));
      if (n <= 0) break;
      size += static_cast<std::size_t>(n);
    }
    out.resize(size);
  }
  ::close(fd);
  return status;
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::string out, why;
  if (read_file(path, out, why) != ReadStatus::Ok) return std::nullopt;
  return out;
}

}  // namespace sink
