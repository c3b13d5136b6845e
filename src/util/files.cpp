#include "util/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

namespace sink {

bool read_fd(int fd, std::string& out, std::size_t limit) {
  out.clear();
  for (;;) {
    const std::size_t room = limit + 1 - out.size();
    if (room == 0) return true;
    const std::size_t old = out.size();
    // Fill what is reserved first (a regular file's size), then grow by doubling.
    out.resize(old + std::min(room, out.capacity() > old ? out.capacity() - old : std::max(old, std::size_t{64 * 1024})));
    const ssize_t n = ::read(fd, out.data() + old, out.size() - old);
    if (n < 0 && errno == EINTR) {
      out.resize(old);
      continue;
    }
    out.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n <= 0) return n == 0;
  }
}

ReadStatus read_file(const std::string& path, std::string& out, std::string& why, const ReadOptions& options,
                     struct stat* info) {
  // O_NONBLOCK: opening a FIFO without a writer returns at once, and fstat then says what it is.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | (options.regular_only ? O_NONBLOCK : 0));
  if (fd < 0) {
    why = errno == ENOENT || errno == ENOTDIR ? "no such file" : std::strerror(errno);
    return errno == ENOENT || errno == ENOTDIR ? ReadStatus::NotFound : ReadStatus::Unreadable;
  }
  struct stat st {};
  ReadStatus status = ReadStatus::Ok;
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
    status = ReadStatus::Unreadable;
  } else if (S_ISDIR(st.st_mode)) {
    why = "it is a directory";
    status = ReadStatus::IsDirectory;
  } else if (options.regular_only && !S_ISREG(st.st_mode)) {
    why = S_ISFIFO(st.st_mode) ? "it is a FIFO, not a regular file"
          : S_ISSOCK(st.st_mode) ? "it is a socket, not a regular file"
                                 : "it is a device, not a regular file";
    status = ReadStatus::NotRegular;
  } else {
    if (info) *info = st;
    if (S_ISREG(st.st_mode)) out.reserve(std::min<std::size_t>(static_cast<std::size_t>(st.st_size), options.limit) + 2);
    if (!read_fd(fd, out, options.limit)) {
      why = std::strerror(errno);
      status = ReadStatus::Unreadable;
    }
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
