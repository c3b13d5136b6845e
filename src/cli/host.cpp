#include "cli/host.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace sink {

std::optional<std::string> SystemHost::env(const std::string& name) const {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

std::string SystemHost::cwd() const {
  std::error_code ec;
  auto p = std::filesystem::current_path(ec);
  return ec ? std::string(".") : p.string();
}

bool SystemHost::is_terminal(int fd) const { return ::isatty(fd) == 1; }

bool SystemHost::is_file(const std::string& path) const {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace sink
