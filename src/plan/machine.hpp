// The machine a plan is made for: detected, or given with --platform.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sink {

struct Machine {
  std::string os;              // linux, darwin, freebsd, ...
  std::string distro;          // ubuntu, debian, ... (darwin on macOS); "" when unknown
  std::string distro_version;  // "22.04", "14.2"; "" when unknown
  std::string arch;            // x86_64, arm64 (aarch64 and amd64 are normalised)
  std::string hostname, user, home;
  std::string cpus = "1";  // online CPUs
  bool foreign = false;  // --platform named another machine: plan runs no command here
  // The process environment, as NAME=value pairs (steps start from it).
  std::vector<std::pair<std::string, std::string>> environment;

  std::optional<std::string> env(const std::string& name) const;
  std::string describe() const;  // "ubuntu 22.04 (linux, x86_64)"
  // Whether `platform NAME` selects this machine.
  bool matches(const std::string& platform_name) const;
};

// The text of each built-in, in lex::builtins' order.
inline constexpr std::string Machine::*kBuiltinTexts[] = {
    &Machine::os, &Machine::arch, &Machine::distro, &Machine::distro_version,
    &Machine::hostname, &Machine::user, &Machine::home, &Machine::cpus};

// Reads the running machine: uname, /etc/os-release (or macOS's SystemVersion.plist),
// the host name, the user and the environment. Runs no command.
Machine detect_machine();

// Applies --platform NAME[/ARCH] (e.g. darwin, ubuntu/arm64). Returns an error message,
// or "" when it applied.
std::string override_platform(Machine& m, const std::string& spec);

}  // namespace sink
