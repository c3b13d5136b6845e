#include "cli/cli.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "diag/render.hpp"

namespace sink {
namespace {

// Colour only on a terminal, never with NO_COLOR or TERM=dumb, unless --color says so.
bool use_color(const Args& args, const Host& host) {
  const std::string when = args.get("--color", "auto");
  if (when == "always") return true;
  if (when == "never") return false;
  const auto no_color = host.env("NO_COLOR");
  if (no_color && !no_color->empty()) return false;
  if (host.env("TERM").value_or("") == "dumb") return false;
  return host.is_terminal(STDERR_FILENO);
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
  if (args.command.empty()) {
    if (args.has("--help")) {
      out << general_help();
      return kExitOk;
    }
    err << general_help();
    return kExitUsage;
  }
  if (args.has("--help")) {
    out << command_help(*find_command(args.command));
    return kExitOk;
  }
  if (args.command == "help") {
    if (args.positional.empty()) {
      out << general_help();
      return kExitOk;
    }
    const CommandSpec* c = find_command(args.positional[0]);
    if (!c) return usage_error(err, "unknown command `" + args.positional[0] + "`", "");
    out << command_help(*c);
    return kExitOk;
  }
  const bool color = use_color(args, host);
  if (args.command == "check") return run_check(args, host, out, err, color);
  if (wants_hosts(args)) return run_on_hosts(args, host, out, err, color);  // plan, apply, facts
  if (args.command == "plan" || args.command == "facts") return run_plan(args, host, out, err, color);
  if (args.command == "apply") return run_apply(args, host, err, color);
  if (args.command == "export") return run_export(args, host, out, err, color);
  if (args.command == "fmt") return run_fmt(args, host, std::cin, out, err, color);
  if (args.command == "grammar") return run_grammar(args, out, err);
  err << "error: `" << args.command << "` is not implemented\n";
  return kExitUsage;
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
  Diagnostic d;
  d.code = "E006";
  d.message = "cannot write to standard output" + (why ? std::string(": ") + std::strerror(why) : std::string());
  d.hint = "check the free space and the permissions where the output goes; what was written is incomplete";
  Sources none;
  err << Renderer(none, false).text(d);
  return false;
}

}  // namespace sink
