#include "cli/host.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "proc/posix_runner.hpp"
#include "cli/terminal.hpp"

namespace sink {

std::optional<std::string> SystemHost::env(const std::string& name) const {
  if (const char* v = std::getenv(name.c_str())) return v;
  return std::nullopt;
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

Machine SystemHost::machine() const { return detect_machine(); }

std::unique_ptr<CommandRunner> SystemHost::runner() const { return std::make_unique<PosixRunner>(); }

std::unique_ptr<Prompter> SystemHost::prompter(std::ostream& out, std::function<bool()> interrupted) const {
  if (!is_terminal(STDIN_FILENO)) return nullptr;
  return std::make_unique<TerminalPrompter>(STDIN_FILENO, out, std::move(interrupted));
}

}  // namespace sink
