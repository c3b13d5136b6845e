#include "cli/commands.hpp"

#include <fmt/ostream.h>

#include "cli/cli.hpp"

namespace sink {
namespace {

// A line of a help list: `left` padded to 22 columns (or followed by two spaces), then `right`.
std::string row(std::string left, std::string_view right) {
  left.resize(left.size() < 22 ? 22 : left.size() + 2, ' ');
  return left + std::string(right) + "\n";
}

std::string flag_lines(const std::vector<FlagSpec>& flags) {
  std::string out;
  for (const auto& f : flags) out += row(fmt::format("  {}{}{}", f.name, f.value.empty() ? "" : " ", f.value), f.help);
  return out;
}

}  // namespace

// SINK_VERSION is the project version of meson.build, which defines it for this library.
std::string version_text() { return std::string("sink ") + SINK_VERSION + "\n"; }

std::string general_help() {
  std::string out =
      "sink: set up a machine from a checked-in Sinkfile\n"
      "\n"
      "Usage: sink [--color WHEN] COMMAND [ARGS]\n"
      "\n"
      "Commands:\n";
  for (const auto& c : commands()) out += row(fmt::format("  {} {}", c.name, c.args), c.summary);
  out += "\nFlags:\n" + flag_lines(global_flags());
  out += "\nFILE defaults to `Sinkfile` in the working folder or its nearest parent.\n"
         "Run `sink help COMMAND` for more about a command.\n";
  return out;
}

std::string command_help(const CommandSpec& cmd) {
  std::string out = "sink " + std::string(cmd.name) + ": " + std::string(cmd.summary) + "\n\n";
  out += fmt::format("Usage: sink {}{} {}\n", cmd.name, cmd.flags.empty() ? "" : " [FLAGS]", cmd.args);
  if (!cmd.details.empty()) out += "\n" + std::string(cmd.details) + "\n";
  if (!cmd.flags.empty()) out += "\nFlags:\n" + flag_lines(cmd.flags);
  out += "\nGlobal flags:\n" + flag_lines(global_flags());
  return out;
}

int usage_error(std::ostream& err, std::string_view message, const std::string& command, std::string_view synopsis) {
  fmt::print(err, "error: {}\n\n", message);
  const CommandSpec* c = find_command(command);
  if (!c) err << "Usage: sink [--color WHEN] COMMAND [ARGS]\nRun `sink help` for the list of commands.\n";
  else fmt::print(err, "Usage: sink {} {}\nRun `sink help {}` for more.\n", command,
                  synopsis.empty() ? fmt::format("{}{}", c->flags.empty() ? "" : "[FLAGS] ", c->args) : synopsis,
                  command);
  return kExitUsage;
}

}  // namespace sink
