#include "cli/cli.hpp"

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/render.hpp"
#include "editor/grammar_export.hpp"

namespace sink {
namespace {

// Colour only on a terminal, never with NO_COLOR or TERM=dumb, unless --color says so.
bool use_color(const Args& args, const Host& host) {
  const std::string when = args.get("--color").value_or("auto");
  if (when != "auto") return when == "always";
  return host.env("NO_COLOR").value_or("").empty() && host.live_terminal();
}

}  // namespace

int run_cli(const std::vector<std::string>& argv, const Host& host, std::ostream& out, std::ostream& err) {
  UsageError usage;
  const auto parsed = parse_args(argv, usage);
  if (!parsed) return usage_error(err, usage.message, usage.command);
  const Args& args = *parsed;
  if (args.has("--version")) {
    out << version_text();
    return kExitOk;
  }
  if (args.command.empty() && !args.has("--help")) {
    err << general_help();
    return kExitUsage;
  }
  if (args.command.empty() || args.command == "help" || args.has("--help")) {  // `sink help X` is `sink X --help`
    std::string name = args.command;
    if (name == "help" && !args.has("--help")) name = args.positional.empty() ? "" : args.positional[0];
    const CommandSpec* c = find_command(name);
    out << (c ? command_help(*c) : general_help());
    return kExitOk;
  }
  const bool color = use_color(args, host);
  if (args.command == "check") return run_check(args, host, out, err, color);
  if (wants_hosts(args)) return run_on_hosts(args, host, out, err, color);  // plan, apply, facts
  if (args.command == "plan" || args.command == "facts") return run_plan(args, host, out, err, color);
  if (args.command == "apply") return run_apply(args, host, err, color);
  if (args.command == "export") return run_export(args, host, out, err, color);
  if (args.command == "fmt") return run_fmt(args, host, std::cin, out, err, color);
  // `sink grammar`, the one left: parse_args allows only textmate and vim for --format.
  if (!args.has("--format"))
    return usage_error(err, "`sink grammar` needs `--format textmate` or `--format vim`", "grammar");
  out << (args.get("--format") == "vim" ? editor::vim_syntax() : editor::textmate_grammar());
  return kExitOk;
}

bool flush_output(std::ostream& out, std::ostream& err) {
  if (!out.rdbuf()) return false;  // reported already
  if (out) {  // else a write already failed, and errno still says why (the caller zeroed it before)
    errno = 0;
    out.flush();
    if (out) return true;
  }
  const int why = errno;
  out.rdbuf(nullptr);  // what is still buffered can never be written: drop it, report once
  if (why == EPIPE) return false;  // the reader is gone (`| head`): nobody to tell
  Sources none;
  err << Renderer(none, false).text(
      {E006, "cannot write to standard output" + (why ? std::string(": ") + std::strerror(why) : ""), {},
       "check the free space and the permissions where the output goes; what was written is incomplete"});
  return false;
}

}  // namespace sink
