#include "cli/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>

#include "diag/paint.hpp"
#include "export/script.hpp"
#include "util/files.hpp"
#include "util/json.hpp"
#include "util/mask.hpp"
#include "util/utf8.hpp"

namespace sink {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// One destination's ssh session.
struct Remote {
  std::string dest;
  std::string prefix;                               // "host | ", padded and coloured
  std::string partial[2]{};                         // a line not yet ended: stdout, stderr
  std::vector<std::vector<std::string>> records{};  // the script's report lines, fields unescaped
  std::vector<std::string> held{};                  // plan, facts: stderr, shown if the host fails
  Outcome outcome{};

  std::optional<int> end() const {  // the status the script reported last
    for (auto r = records.rbegin(); r != records.rend(); ++r)
      if ((*r)[0] == "sink:end" && r->size() > 1) return std::atoi((*r)[1].c_str());
    return std::nullopt;
  }
  bool ok() const { return outcome.ok() && end() == 0; }
  std::string state() const {
    if (ok()) return "ok";
    if (!end() && (!outcome.started || outcome.exit_code == 255)) return "unreachable";
    return outcome.signal || outcome.exit_code == 130 || outcome.exit_code == 143 ? "interrupted" : "failed";
  }
  std::string count(std::initializer_list<std::string_view> verdicts) const {
    return std::to_string(std::count_if(records.begin(), records.end(), [&](const auto& r) {
      return r[0] == "sink:step" && r.size() > 2 && std::find(verdicts.begin(), verdicts.end(), r[2]) != verdicts.end();
    }));
  }
};

// A report line's fields, split at tabs, with \t \n \\ undone.
std::vector<std::string> fields(std::string_view line) {
  std::vector<std::string> f(1);
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\t') {
      f.emplace_back();
    } else if (line[i] == '\\' && i + 1 < line.size()) {
      const char c = line[++i];
      f.back() += c == 't' ? '\t' : c == 'n' ? '\n' : c;
    } else {
      f.back() += line[i];
    }
  }
  return f;
}

// `s` padded to `width` characters.
std::string pad(std::string s, std::size_t width, bool right = false) {
  const std::size_t n = utf8::count_chars(s);
  if (n < width) s.insert(right ? 0 : s.size(), width - n, ' ');
  return s;
}

// Rows as aligned columns; columns 1 to `right_until` - 1 right-aligned (numbers).
void print_table(std::ostream& out, const Rows& rows, std::size_t right_until = 0) {
  std::vector<std::size_t> widths(rows[0].size());
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], utf8::count_chars(row[c]));
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c)
      line += (c ? "  " : "") + pad(row[c], widths[c], c > 0 && c < right_until);
    out << line.substr(0, line.find_last_not_of(' ') + 1) << "\n";
  }
}

// --host, --hosts and --jobs: the destinations in order, each once, and how many at a
// time. Returns what is wrong with them, or "".
std::string destinations(const Args& args, std::vector<std::string>& out, std::size_t& jobs) {
  for (const char* flag : {"--platform", "--facts", "--detailed-exitcode"})
    if (args.has(flag)) return fmt::format("`{}` does not go with --host: each host is planned as it is", flag);
  std::vector<std::string> all = args.all("--host");
  for (const auto& file : args.all("--hosts")) {
    const auto text = read_whole_file(file);
    if (!text) return "--hosts " + file + ": cannot read the file";
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);)
      if (const std::string d = trim(line.substr(0, line.find('#'))); !d.empty()) all.push_back(d);
  }
  for (const auto& d : all) {
    const auto blank = [](unsigned char c) { return c <= ' ' || c == 0x7f; };
    if (d.empty() || d[0] == '-' || std::any_of(d.begin(), d.end(), blank))
      return "`" + d + "` is not a destination: write user@host, host or a Host name of ~/.ssh/config";
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  if (out.empty()) return "no destination: --hosts gave no line that names one";
  const std::string text = args.get("--jobs").value_or("8");
  jobs = std::strtoul(text.c_str(), nullptr, 10);
  if (jobs < 1 || jobs > 1000 || text.find_first_not_of("0123456789") != std::string::npos)
    return "--jobs " + text + ": give a whole number from 1 to 1000";
  return "";
}

// The lines that set answers, ahead of the script on each session's stdin: every question
// the steps of any platform could need, from --set, --vars or the terminal (asked once,
// here, before any session starts). Unanswered questions with a default are left to each
// host. False when the run must stop (reported).
bool answer_lines(Run& s, CommandRunner& runner, const Host& host, bool ask, std::ostream& err,
                  bool color, std::string& lines, std::vector<std::string>& secrets) {
  auto prompter = ask ? host.prompter(err, [&runner] { return runner.interrupted() != 0; }) : nullptr;
  s.diags = Diagnostics{};  // the check's warnings are shown already
  const auto needed = s.sel.needed_by([](const SelectedStep&) { return true; });
  std::vector<const ast::Ask*> asks;  // in declaration order
  for_each<ast::Ask>(s.program, [&](const ast::Ask& a) {
    if (needed.count(a.name)) asks.push_back(&a);
  });
  for (const ast::Ask* a : asks) {
    std::optional<std::string> value;
    for (const auto* given : {&s.inputs.set, &s.inputs.vars})
      if (const auto v = given->find(a->name); !value && v != given->end()) value = v->second;
    if (!value && prompter) {
      AskRequest request{a->name, a->prompt.literal(), std::nullopt, a->secret.has_value(), {}};
      if (a->default_value) request.default_value = a->default_value->literal();
      for (const auto& c : a->choices) request.choices.push_back(c.text);
      value = prompter->ask(request);
      if (!value) {
        if (!runner.interrupted()) err << "sink: no answer to `" << a->name << "`; nothing was run\n";
        return false;
      }
      if (a->default_value && a->default_value->has_interp() && value == request.default_value) value.reset();
    } else if (!value && ask && !a->default_value) {
      s.diags.add(E403, a->name_span,
                  "question `" + a->name + "` has no answer, and there is no terminal to ask on",
                  "answer it with --set " + a->name + "=VALUE or in a --vars file");
    }
    if (value) lines += answer_var(a->name) + "=" + shell_word(*value) + "\n";
    if (value && a->secret) secrets.push_back(*value);
  }
  if (!s.diags.has_errors()) return true;
  print_diags(s, err, color, "sink: stopped before connecting to any host");
  return false;
}

// The sessions, at most `jobs` at a time, every line prefixed with its host: shown as it
// arrives (apply) or held for a table (plan, facts). `secrets` longest first.
std::vector<Remote> run_sessions(const std::vector<std::string>& dests, std::size_t jobs, const Command& proto,
                                 const std::string& command, CommandRunner& runner, std::ostream& out,
                                 std::ostream& err, bool color, const std::vector<std::string>& secrets) {
  const std::size_t width = utf8::count_chars(std::ranges::max(dests, {}, utf8::count_chars));  // never empty
  static const char* colors[] = {kCyan, kYellow, kGreen, kBlue, "\x1b[35m", kBold};
  std::vector<Remote> remotes;
  for (const auto& d : dests)
    remotes.push_back(Remote{.dest = d, .prefix = Painter{color}(colors[remotes.size() % 6], pad(d, width)) + " | "});
  const auto line = [&](Remote& r, bool is_err, std::string_view raw) {
    const std::string masked = mask_secrets(std::string(raw), secrets);  // the secret answers sink sent
    std::string_view text = masked;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (!is_err && text.starts_with("sink:") && text.find('\t') != std::string_view::npos)
      r.records.push_back(fields(text));
    else if (command == "apply") (is_err ? err : out) << r.prefix << text << "\n" << std::flush;
    else if (is_err) r.held.emplace_back(text);  // plan and facts show a table instead
  };
  // Output as it arrives: whole lines only, so that hosts never mix within a line.
  const auto take = [&](Remote& r, bool is_err, std::string_view text) {
    std::string& part = r.partial[is_err];
    part += text;
    std::size_t at = 0, nl;
    for (; (nl = part.find('\n', at)) != std::string::npos; at = nl + 1)
      line(r, is_err, std::string_view(part).substr(at, nl - at));
    part.erase(0, at);
    if (part.size() > 65536) {  // a line without end: shown in pieces
      line(r, is_err, part);
      part.clear();
    }
  };
  std::map<CommandRunner::Id, Remote*> running;
  for (std::size_t next = 0; next < remotes.size() || !running.empty();) {
    while (running.size() < jobs && next < remotes.size() && !runner.interrupted()) {
      Remote& r = remotes[next++];
      Command c = proto;
      c.env.emplace_back("SINK_SSH_DESTINATION", r.dest);
      c.on_output = [&take, &r](bool is_err, std::string_view text) { take(r, is_err, text); };
      running[runner.start(c)] = &r;
    }
    if (running.empty()) break;
    auto [id, outcome] = runner.wait_any();
    const auto it = running.find(id);
    if (it == running.end()) continue;
    Remote& r = *it->second;
    running.erase(it);
    r.outcome = std::move(outcome);
    for (const bool is_err : {false, true})
      if (!r.partial[is_err].empty()) line(r, is_err, r.partial[is_err]);
    if (!r.outcome.started) line(r, true, "sink: " + r.outcome.error);
  }
  return remotes;
}

// apply: what each host did.
void print_summary(const std::vector<Remote>& remotes, std::ostream& out) {
  Rows rows{{"host", "ran", "already done", "not applicable", "failed", "time", "status"}};
  for (const auto& r : remotes) {
    const std::chrono::duration<double> took = r.outcome.ended_at - r.outcome.started_at;
    rows.push_back({r.dest, r.count({"ran"}), r.count({"done"}), r.count({"n/a", "other-platform"}),
                    r.count({"failed"}), fmt::format("{:.1f}s", took.count()), r.state()});
  }
  out << "\n";
  print_table(out, rows, 6);
}

// plan, facts: steps (or facts) x hosts: record `kind`, its name in field `name_at`, the
// cell in `value_at`.
void print_grid(const std::vector<Remote>& remotes, const char* kind, std::size_t name_at, std::size_t value_at,
                const char* title, std::ostream& out) {
  Rows rows{{title}};
  std::map<std::string, std::size_t> row_of;
  for (std::size_t column = 1; column <= remotes.size(); ++column) {
    rows[0].push_back(remotes[column - 1].dest);
    for (const auto& rec : remotes[column - 1].records) {
      if (rec[0] != kind || rec.size() <= std::max(name_at, value_at)) continue;
      auto [it, fresh] = row_of.emplace(rec[name_at], rows.size());
      if (fresh) rows.push_back({rec[name_at]});
      auto& row = rows[it->second];
      row.resize(column + 1, "-");
      row[column] = rec[value_at];
    }
  }
  rows.push_back({"(host)"});
  for (const auto& r : remotes) rows.back().push_back(r.state());
  for (auto& row : rows) row.resize(remotes.size() + 1, "-");
  print_table(out, rows);
}

void print_json(const std::vector<Remote>& remotes, const std::string& path, bool plan, std::ostream& out) {
  std::vector<json::Value> hosts;
  for (const auto& r : remotes) {
    std::vector<json::Value> items;
    for (const auto& rec : r.records)
      if (rec[0] == (plan ? "sink:step" : "sink:fact") && rec.size() >= (plan ? 5u : 3u))
        items.push_back(plan ? json::object({{"name", rec[3]}, {"verdict", rec[2]}, {"reason", rec[4]}})
                             : json::object({{"name", rec[1]}, {"value", rec[2]}}));
    hosts.push_back(json::object({{"host", r.dest}, {"status", r.state()}, {"exit", r.outcome.exit_code},
                                  {plan ? "steps" : "facts", json::array(items)}}));
  }
  out << json::lines({{"file", path}, {"hosts", json::lines(hosts, "  ")}}).text << "\n";
}

}  // namespace

bool wants_hosts(const Args& args) { return args.has("--host") || args.has("--hosts"); }

int run_on_hosts(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  std::vector<std::string> dests;
  std::size_t jobs = 0;
  std::string error = destinations(args, dests, jobs);
  if (!error.empty()) return usage(err, error, args);
  Run r;
  if (const int status = load(args, host, err, color, r); status >= 0) return status;
  const auto runner = host.runner();  // catches Ctrl-C from now on
  Command c;
  c.input = "SINK_SESSION=1\n";
  std::vector<std::string> secrets;
  if (!answer_lines(r, *runner, host, args.command == "apply", err, color, c.input, secrets))
    return runner->interrupted() ? 128 + runner->interrupted() : 1;
  // Every answer travels in the input; the script itself is the same for every host.
  const ExportOptions options{r.path, "", {}, r.choice};
  c.input += export_script(r.program, options, error);
  if (!error.empty()) return usage(err, error, args);
  // As git runs GIT_SSH_COMMAND: the user's command, words split by the shell. No terminal
  // (-T) and no prompt that nobody could answer (BatchMode).
  const std::string ssh = host.env("SINK_SSH_COMMAND").value_or("");
  c.script = (ssh.empty() ? "ssh" : ssh) + " -T -o BatchMode=yes \"$SINK_SSH_DESTINATION\" \"$SINK_SSH_REMOTE\"";
  c.env = r.machine.environment;
  std::erase_if(c.env, [](const auto& kv) { return kv.first.starts_with("SINK_SSH_"); });
  c.env.emplace_back("SINK_SSH_REMOTE", "sh -s -- --report" + (args.command == "apply" ? "" : " --" + args.command));

  const auto remotes = run_sessions(dests, jobs, c, args.command, *runner, out, err, color, mask_order(secrets));
  if (args.command == "apply") print_summary(remotes, out);
  else if (args.get("--format") == "json") print_json(remotes, r.path, args.command == "plan", out);
  else if (args.command == "plan") print_grid(remotes, "sink:step", 3, 2, "step", out);
  else print_grid(remotes, "sink:fact", 1, 2, "fact", out);
  for (const auto& remote : remotes)  // what failed hosts said (plan, facts)
    for (const auto& text : remote.ok() ? std::vector<std::string>{} : remote.held)
      err << remote.prefix << text << "\n";
  if (const int sig = runner->interrupted()) return 128 + sig;
  return std::ranges::all_of(remotes, &Remote::ok) ? 0 : 1;
}

}  // namespace sink
