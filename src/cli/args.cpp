#include "cli/args.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "util/suggest.hpp"

namespace sink {

const std::vector<FlagSpec>& global_flags() {
  static const std::vector<FlagSpec> flags{
      {"--color", "WHEN", {"auto", "always", "never"}, "colour the output: auto (on a terminal, unless NO_COLOR is set), always or never"},
      {"--help", "", {}, "show help for the command"},
      {"--version", "", {}, "show sink's version"},
  };
  return flags;
}

namespace {

const FlagSpec kFormat{"--format", "FORMAT", {"text", "json"}, "text (default) for people, json for editors and CI"};
const FlagSpec kPlatform{"--platform", "NAME[/ARCH]", {},
                         "plan for another platform: darwin, ubuntu/arm64, ... (then no command runs here)"};
const FlagSpec kFacts{"--facts", "FILE.toml", {}, "take fact values (and [checks] by step name) from FILE instead of running commands"};
const FlagSpec kSet{"--set", "NAME=VALUE", {}, "answer question NAME (may be given many times)", true};
const FlagSpec kOnly{"--only", "STEP", {}, "run only STEP (a name or a glob such as 'Install *'; may be given many times)", true};
const FlagSpec kSkip{"--skip", "STEP", {}, "leave STEP out (a name or a glob; may be given many times)", true};
const FlagSpec kFrom{"--from", "STEP", {}, "start at STEP, leaving out the steps before it"};
const FlagSpec kHost{"--host", "DEST", {}, "run on DEST over ssh (user@host or a Host of ~/.ssh/config; may be given many times)", true};
const FlagSpec kHosts{"--hosts", "FILE", {}, "run on every destination listed in FILE (one a line, # comments)", true};
const FlagSpec kJobs{"--jobs", "N", {}, "with --host: how many hosts at a time (default 8)"};
const FlagSpec kVars{"--vars", "FILE.toml", {}, "answer questions from FILE (NAME = \"value\" lines; other names: a warning)"};

}  // namespace

const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> list{
      {"check", "[FILE]", 1, "Parse and check a Sinkfile without running anything",
       "Reads FILE (default: `Sinkfile` in this folder or the nearest parent) and the modules it\n"
       "uses, and reports every problem it finds: syntax, unknown names, types, platforms,\n"
       "duplicates, cycles, unused facts. It never runs a command of the Sinkfile.\n"
       "With --ci it also reports every question that would stop a run without a terminal:\n"
       "no default, and no answer from --set or --vars.\n"
       "\n"
       "Exit status: 0 when there is no error (warnings allowed), 1 when there are errors,\n"
       "2 for a usage error.",
       {kFormat, {"--ci", "", {}, "also fail on questions that nothing answers without a terminal"}, kSet, kVars}},
      {"plan", "[FILE]", 1, "Show what apply would do, step by step, and why",
       "Gathers the facts the steps need (running their commands, which must only look),\n"
       "runs the `skip if sh` checks, and shows for every step: would run, already done\n"
       "(which check said so), not applicable (which condition, with the values), or not on\n"
       "this platform. Asks no question: answers come from --set, --vars or defaults.\n"
       "\n"
       "Exit status: 1 when apply (same values, no terminal) would stop or fail: a check\n"
       "error, a required fact that failed, a value of the wrong type, or a step that will\n"
       "run but is blocked (a value it needs is missing); else 0, or with\n"
       "--detailed-exitcode 0 when nothing would run and 2 when steps would run.",
       {kPlatform, kFacts, kSet, kVars, kOnly, kSkip, kFrom, kFormat,
        {"--detailed-exitcode", "", {}, "exit 2 when steps would run, 0 when there is nothing to do (1 still wins)"}, kHost, kHosts, kJobs}},
      {"apply", "[FILE]", 1, "Run the Sinkfile: questions first, then the steps",
       "Checks FILE (and stops on any error), gathers the facts the steps on this machine\n"
       "need, decides every step as plan does, asks up front only the questions that the\n"
       "steps which will run need (--set, --vars, then the terminal), then runs the steps\n"
       "in order. A step whose `skip if` holds is already done; one whose `when` is\n"
       "false does not apply here. The first failing step stops the run. --only, --skip and\n"
       "--from choose steps; what only the steps left out need is not gathered or asked.\n"
       "\n"
       "With --host DEST (or --hosts FILE), plan, apply and facts run on those machines over\n"
       "ssh instead (they need only /bin/sh), --jobs at a time; see docs/hosts.md.\n"
       "\n"
       "Exit status: 0 when every step ran or was already done, 1 on an error or a failed\n"
       "step (with --host: on any host, or a host unreachable), 130 after Ctrl-C, 143 after\n"
       "SIGTERM.",
       {kSet, kVars, kOnly, kSkip, kFrom, kHost, kHosts, kJobs}},
      {"facts", "[FILE]", 1, "Show the facts FILE would gather, with their values",
       "Runs the commands of the facts that the steps on this platform need (secrets are\n"
       "masked) and shows each value, how long it took, and which failed and why.",
       {kPlatform, kFacts, kSet, kVars, kFormat, kHost, kHosts, kJobs}},
      {"export", "[FILE]", 1, "Write the Sinkfile as one POSIX sh script that applies it",
       "Checks FILE (nothing is written on an error) and writes one self-contained script for\n"
       "/bin/sh (dash, bash, busybox ash): modules and helpers inlined. Run on a machine\n"
       "without sink, it does what `sink apply` does there; `sh SCRIPT --plan` shows what\n"
       "would run, `--facts` the facts, `--report` adds tab-separated records on standard\n"
       "output, and --only/--skip/--from choose steps. Answers given now are written into\n"
       "the script (never a secret's); others come from SINK_ANSWER_<NAME> or the terminal.\n"
       "See docs/export.md.\n"
       "\n"
       "Exit status: 0 when the script was written, 1 on a check error, 2 for a usage error.",
       {{"--platform", "NAME[/ARCH]", {}, "write the script for that platform instead of detecting it when it runs"},
        kSet, kVars, kOnly, kSkip, kFrom,
        {"--output", "FILE", {}, "write the script to FILE (mode 0755, replaced in one step) instead of standard output; also -o"}}},
      {"fmt", "[FILE...]", static_cast<std::size_t>(-1), "Rewrite Sinkfiles in the canonical layout",
       "Rewrites each FILE in one canonical layout (docs/formatting.md): indentation, spacing,\n"
       "blank lines, how strings are written; comments stay with what they describe. Without\n"
       "FILE it formats the Sinkfile that `sink check` would read. A folder stands for every\n"
       "`Sinkfile` and `*.sink` under it (hidden folders aside). `-` reads standard input and\n"
       "writes the result to standard output, for an editor's format-on-save. A file with a\n"
       "syntax error is left as it is and its errors are shown. Files are replaced in one step\n"
       "(a temporary file in the same folder, renamed).\n"
       "\n"
       "Exit status: 0 when every file is (now) formatted; 1 when a file has errors, or with\n"
       "--check when a file is not formatted; 2 for a usage error.",
       {{"--check", "", {}, "change nothing: name each file not formatted (PATH:LINE, its first change), exit 1 if any"}}},
      {"grammar", "", 0, "Print an editor grammar (TextMate or Vim) for Sinkfiles",
       "Prints a TextMate grammar (JSON, for VS Code and other TextMate editors) or a Vim\n"
       "syntax file, generated from the same keywords, types, built-ins, platform names,\n"
       "operators and string rules that the parser uses. editors/ holds checked-in copies.",
       {{"--format", "FORMAT", {"textmate", "vim"}, "textmate (JSON) or vim (a syntax file)"}}},
      {"help", "[COMMAND]", 1, "Show help for sink or one of its commands", "", {}},
  };
  return list;
}

namespace {

// The command or flag of that name in `specs`, or null.
template <typename Spec>
const Spec* find_named(const std::vector<Spec>& specs, std::string_view name) {
  const auto it = std::ranges::find(specs, name, &Spec::name);
  return it == specs.end() ? nullptr : &*it;
}

}  // namespace

const CommandSpec* find_command(std::string_view name) { return find_named(commands(), name); }

std::optional<std::string> Args::get(std::string_view flag) const {
  const auto it = flags.find(flag);
  return it == flags.end() ? std::nullopt : std::optional(it->second.back());  // parse_args adds one with each flag
}

std::vector<std::string> Args::all(std::string_view flag) const {
  const auto it = flags.find(flag);
  return it == flags.end() ? std::vector<std::string>{} : it->second;
}

std::optional<Args> parse_args(const std::vector<std::string>& argv, UsageError& error) {
  Args args;
  const auto fail = [&](std::string message, bool general = false) -> std::optional<Args> {
    error = {std::move(message), general ? "" : args.command};
    return std::nullopt;
  };
  const auto unknown_command = [&](const std::string& name) {
    const auto near = suggest(name, commands(), &CommandSpec::name);
    return fail("unknown command `" + name + "`" + (near ? "; did you mean `" + *near + "`?" : ""), true);
  };
  std::vector<std::pair<std::string, std::string>> pending;  // flags, checked once the command is known
  bool flags_done = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (!flags_done && a == "--") {
      flags_done = true;
      continue;
    }
    if (!flags_done && a.size() > 1 && a[0] == '-' ) {
      const auto eq = a.find('=');
      const bool has_value = eq != std::string::npos;
      std::string name = a.substr(0, eq), value = has_value ? a.substr(eq + 1) : "";
      for (const auto& [alias, flag] : {std::pair{"-h", "--help"}, {"-V", "--version"}, {"-o", "--output"}})
        if (name == alias) name = flag;
      // Whether it takes a value is known from either table.
      const FlagSpec* spec = find_named(global_flags(), name);
      for (const auto& c : commands())
        if (!spec) spec = find_named(c.flags, name);
      if (spec && spec->value.empty() && has_value) return fail("`" + name + "` takes no value");
      if (spec && !spec->value.empty() && !has_value) {
        if (i + 1 >= argv.size()) return fail(fmt::format("`{}` needs a value ({})", name, spec->value));
        value = argv[++i];
      }
      pending.emplace_back(name, value);
      continue;
    }
    if (args.command.empty()) args.command = a;
    else args.positional.push_back(a);
  }
  const CommandSpec* cmd = nullptr;
  if (!args.command.empty()) {
    cmd = find_command(args.command);
    if (!cmd) return unknown_command(args.command);
  }
  std::vector<FlagSpec> known = global_flags();  // then the command's: a name is looked up in this order
  if (cmd) known.insert(known.end(), cmd->flags.begin(), cmd->flags.end());
  for (const auto& [name, value] : pending) {
    const FlagSpec* spec = find_named(known, name);
    if (!spec) {
      const auto near = suggest(name, known, &FlagSpec::name);
      const bool dry_run = name == "--dry-run" || name == "-n";
      return fail("unknown flag `" + name + "`" + (cmd ? " for `sink " + args.command + "`" : "") +
                  (dry_run ? "; `sink plan` shows what apply would do without running a step"
                   : near  ? "; did you mean `" + *near + "`?"
                           : ""));
    }
    if (!spec->choices.empty() && std::ranges::find(spec->choices, value) == spec->choices.end())
      return fail(fmt::format("`{}` must be one of {}, not `{}`", name, fmt::join(spec->choices, ", "), value));
    auto& values = args.flags[name];
    if (!values.empty() && !spec->repeatable && values.back() != value) return fail("`" + name + "` is given twice");
    values.push_back(value);
  }
  if (cmd && args.positional.size() > cmd->max_positional)
    return fail(fmt::format("too many arguments for `sink {}`: `{}`", args.command,
                            args.positional[cmd->max_positional]));
  // `sink help X` is `sink X --help`, and X is checked the same way.
  if (args.command == "help" && !args.positional.empty() && !args.positional[0].empty() &&
      !find_command(args.positional[0]))
    return unknown_command(args.positional[0]);
  return args;
}

}  // namespace sink
