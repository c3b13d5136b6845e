// Command-line parsing: commands, their flags and positional arguments, from one table.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sink {

struct FlagSpec {
  std::string_view name;     // "--format"
  std::string_view value;    // "" for a switch, else the value's name: "FORMAT"
  std::vector<std::string_view> choices;  // allowed values, if limited
  std::string_view help;
  bool repeatable = false;   // may be given many times (--set)
};

struct CommandSpec {
  std::string_view name;
  std::string_view args;     // "[FILE]"
  std::size_t max_positional;
  std::string_view summary;
  std::string_view details;
  std::vector<FlagSpec> flags;
};

// Every command sink has, in the order `sink help` lists them.
const std::vector<CommandSpec>& commands();
const CommandSpec* find_command(std::string_view name);
// Flags that every command takes.
const std::vector<FlagSpec>& global_flags();

struct Args {
  std::string command;  // "" when only --version / --help was given
  std::vector<std::string> positional;
  // "--format" -> {"json"}; a switch -> {""}; a repeated flag (--set) keeps every value.
  std::map<std::string, std::vector<std::string>, std::less<>> flags;
  bool has(std::string_view flag) const { return flags.count(flag) > 0; }
  std::optional<std::string> get(std::string_view flag) const;  // the last value, if given
  std::vector<std::string> all(std::string_view flag) const;
};

struct UsageError {
  std::string message;
  std::string command;  // whose usage to show; "" for the general one
};

// Parses argv[1..]. Flags may come before or after the command; `--flag=value` and
// `--flag value` are the same; `--` ends the flags.
std::optional<Args> parse_args(const std::vector<std::string>& argv, UsageError& error);

}  // namespace sink
