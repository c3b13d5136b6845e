// The commands, each in its own file, and what they share.
#pragma once

#include <sys/stat.h>

#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "cli/args.hpp"
#include "cli/host.hpp"
#include "diag/diagnostic.hpp"
#include "plan/inputs.hpp"
#include "plan/selection.hpp"

namespace sink {

// Help and usage text, written from the command table in args.cpp (help.cpp).
std::string version_text();
std::string general_help();
std::string command_help(const CommandSpec& cmd);
// "error: MESSAGE", a blank line and a short reminder: the command's usage line (its
// arguments as the table has them, or `synopsis`), or the general one; returns kExitUsage.
int usage_error(std::ostream& err, std::string_view message, const std::string& command,
                std::string_view synopsis = {});

// `sink check`: load, check, report (check_command.cpp).
int run_check(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
// `Sinkfile` in the working folder or its nearest parent, as a path to show the user.
std::optional<std::string> find_sinkfile(const Host& host);
// The error (E003) when there is none; `command` is the one to pass a path to.
Diagnostic no_sinkfile_error(const Host& host, const std::string& command);
// --set, --vars and --facts as given.
InputFlags input_flags(const Args& args);

// Writing a file whole or not at all (write_file.cpp): `sink fmt` and `sink export -o`
// write the one file the user named; nothing else in sink writes a file.
struct WriteProblem {
  std::string why, hint;
};

// Replaces `path` by `text` through a temporary file in the same folder, renamed over it,
// so that the file is either the old one or the new one, never half written. SIGINT,
// SIGTERM and SIGHUP wait until the temporary file is renamed or removed; one that came
// meanwhile cancels the rename. Without `before` and `seen`, the file is written whole
// (`sink export -o`: mode 0755). With them, the file as `sink fmt` read it (its bytes and
// read_file's `info`) is rewritten: through a symlink, keeping its owner, mode (setuid and
// setgid too) and extended attributes; refused when it is read-only, has other hard links
// (a rename would split them off) or changed since it was read.
bool write_atomically(const std::string& path, const std::string& text, WriteProblem& problem,
                      const std::string* before = nullptr, const struct stat* seen = nullptr);

// `sink plan` (and `sink facts`, which stops after the facts), `sink apply` and `sink export`
// (run_commands.cpp).
int run_plan(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
int run_apply(const Args& args, const Host& host, std::ostream& err, bool color);  // steps write to the terminal
int run_export(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);
// What plan, apply and facts share: the checked program, the machine, the values given,
// the steps chosen.
struct Run {
  std::string path;
  Program program;
  Diagnostics diags;
  Machine machine;
  Inputs inputs;
  StepChoice choice;  // --only, --skip, --from
  Selection sel;
};
// FILE, or the Sinkfile found (E003 when there is none), loaded and checked.
void load_sinkfile(const Args& args, const Host& host, Run& r);
// The diagnostics, sorted, then `then` (if any) on a line of its own. Returns 1.
int print_diags(Run& r, std::ostream& err, bool color, const std::string& then = "");
// A usage error about a value given on the command line (with --host, its usage line).
int usage(std::ostream& err, const std::string& message, const Args& args);
// Loads and checks FILE, then reads --platform, --set, --vars, --facts, --only, --skip and
// --from (r.choice) and chooses those steps (r.sel). Returns an exit status to stop with, or
// -1 to go on. (`sink export` selects again for its own platform; a name that matches no
// step is an error on every platform, so the error is the one it would report.)
int load(const Args& args, const Host& host, std::ostream& err, bool color, Run& r);

// `sink plan|apply|facts --host DEST...`: the exported script run on each destination
// over OpenSSH, sessions in parallel, every line prefixed with its host, then a table
// (hosts.cpp).
bool wants_hosts(const Args& args);
int run_on_hosts(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color);

// `sink fmt`: rewrites files in the canonical layout; `--check` names the first line of each
// file that it would change instead; `-`
// reads `in` (fmt_command.cpp).
int run_fmt(const Args& args, const Host& host, std::istream& in, std::ostream& out, std::ostream& err, bool color);

}  // namespace sink
