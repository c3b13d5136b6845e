#include "cli/commands.hpp"

#include <fmt/ostream.h>

#include "cli/cli.hpp"

#ifndef SINK_VERSION
#define SINK_VERSION "unknown"
#endif

namespace sink {
namespace {

std::string flag_lines(const std::vector<FlagSpec>& flags) {
  std::string out;
  for (const auto& f : flags) {
    std::string left = "  " + std::string(f.name);
    if (!f.value.empty()) left += " " + std::string(f.value);
    if (left.size() < 22) left.resize(22, ' ');
    else left += "  ";
    out += left + std::string(f.help) + "\n";
  }
  return out;
}

}  // namespace

std::string version_text() { return std::string("sink ") + SINK_VERSION + "\n"; }

std::string general_help() {
  std::string out =
      "sink: set up a machine from a checked-in Sinkfile\n"
      "\n"
      "Usage: sink [--color WHEN] COMMAND [ARGS]\n"
      "\n"
      "Commands:\n";
  for (const auto& c : commands()) {
    std::string left = "  " + std::string(c.name) + " " + std::string(c.args);
    if (left.size() < 22) left.resize(22, ' ');
    out += left + std::string(c.summary) + "\n";
  }
  out += "\nFlags:\n" + flag_lines(global_flags());
  out += "\nFILE defaults to `Sinkfile` in the working folder or its nearest parent.\n"
         "Run `sink help COMMAND` for more about a command.\n";
  return out;
}

std::string command_help(const CommandSpec& cmd) {
  std::string out = "sink " + std::string(cmd.name) + ": " + std::string(cmd.summary) + "\n\n";
  out += "Usage: sink " + std::string(cmd.name) + (cmd.flags.empty() ? "" : " [FLAGS]") + " " + std::string(cmd.args) + "\n";
  if (!cmd.details.empty()) out += "\n" + std::string(cmd.details) + "\n";
  if (!cmd.flags.empty()) out += "\nFlags:\n" + flag_lines(cmd.flags);
  out += "\nGlobal flags:\n" + flag_lines(global_flags());
  return out;
}

std::string usage_text(const std::string& command, std::string_view synopsis) {
  const CommandSpec* c = find_command(command);
  if (!c) return "Usage: sink [--color WHEN] COMMAND [ARGS]\nRun `sink help` for the list of commands.\n";
  return fmt::format("Usage: sink {} {}\nRun `sink help {}` for more.\n", command,
                     synopsis.empty() ? fmt::format("{}{}", c->flags.empty() ? "" : "[FLAGS] ", c->args) : synopsis,
                     command);
}

int usage_error(std::ostream& err, std::string_view message, const std::string& command, std::string_view synopsis) {
  fmt::print(err, "error: {}\n\n{}", message, usage_text(command, synopsis));
  return kExitUsage;
}

}  // namespace sink
