// What the command line needs from the machine, behind one small interface so that the
// CLI is tested in-process: environment variables, the working folder, terminals.
#pragma once

#include <optional>
#include <string>

namespace sink {

class Host {
 public:
  virtual ~Host() = default;
  virtual std::optional<std::string> env(const std::string& name) const = 0;
  virtual std::string cwd() const = 0;
  virtual bool is_terminal(int fd) const = 0;
  virtual bool is_file(const std::string& path) const = 0;
};

class SystemHost : public Host {
 public:
  std::optional<std::string> env(const std::string& name) const override;
  std::string cwd() const override;
  bool is_terminal(int fd) const override;
  bool is_file(const std::string& path) const override;
};

}  // namespace sink
