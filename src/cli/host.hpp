// What the command line needs from the machine, behind one small interface so that the
// CLI is tested in-process: environment variables, the working folder, terminals.
#pragma once

#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "plan/machine.hpp"
#include "plan/resolver.hpp"
#include "proc/process.hpp"

namespace sink {

class Host {
 public:
  virtual ~Host() = default;
  virtual std::optional<std::string> env(const std::string& name) const = 0;
  virtual std::string cwd() const = 0;
  virtual bool is_terminal(int fd) const = 0;
  // Whether stderr is a terminal that takes colours and rewritten lines (not TERM=dumb).
  bool live_terminal() const { return is_terminal(STDERR_FILENO) && env("TERM").value_or("") != "dumb"; }
  virtual bool is_file(const std::string& path) const = 0;
  // The machine sink runs on (detected; --platform applies on top).
  virtual Machine machine() const = 0;
  // What runs commands (created once a run needs it: it catches Ctrl-C while it exists).
  virtual std::unique_ptr<CommandRunner> runner() const = 0;
  // A prompter on the terminal, or null when stdin is not one.
  virtual std::unique_ptr<Prompter> prompter(std::ostream& out, std::function<bool()> interrupted) const = 0;
};

class SystemHost : public Host {
 public:
  std::optional<std::string> env(const std::string& name) const override;
  std::string cwd() const override;
  bool is_terminal(int fd) const override;
  bool is_file(const std::string& path) const override;
  Machine machine() const override;
  std::unique_ptr<CommandRunner> runner() const override;
  std::unique_ptr<Prompter> prompter(std::ostream& out, std::function<bool()> interrupted) const override;
};

}  // namespace sink
