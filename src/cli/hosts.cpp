#include "cli/hosts.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "cli/run_commands.hpp"
#include "diag/paint.hpp"
#include "diag/render.hpp"
#include "export/script.hpp"
#include "util/files.hpp"
#include "util/utf8.hpp"

namespace sink {
namespace {

// One destination's ssh session.
struct Remote {
  std::string dest;
  std::size_t index = 0;
  std::string partial[2];                         // a line not yet ended: stdout, stderr
  std::vector<std::vector<std::string>> records;  // the script's report lines, fields unescaped
  std::vector<std::string> held;                  // plan, facts: stderr, shown if the host fails
  Outcome outcome;

  std::optional<int> end() const {  // the status the script reported last
    for (auto r = records.rbegin(); r != records.rend(); ++r)
      if ((*r)[0] == "sink:end" && r->size() > 1) return std::atoi((*r)[1].c_str());
    return std::nullopt;
  }
  bool unreachable() const { return !end() && (!outcome.started || outcome.exit_code == 255); }
  bool ok() const { return outcome.ok() && end() == 0; }
  std::string state() const {
    if (ok()) return "ok";
    if (unreachable()) return "unreachable";
    return outcome.signal || outcome.exit_code == 130 || outcome.exit_code == 143 ? "interrupted" : "failed";
  }
  std::size_t count(std::initializer_list<std::string_view> verdicts) const {
    return std::count_if(records.begin(), records.end(), [&](const auto& r) {
      return r[0] == "sink:step" && r.size() > 2 && std::find(verdicts.begin(), verdicts.end(), r[2]) != verdicts.end();
    });
  }
};

// A word for the remote shell: single-quoted.
std::string quote(std::string_view s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? "'\\''" : std::string(1, c);
  return q + "'";
}

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

std::string pad(std::string s, std::size_t width, bool right = false) {
  const std::size_t n = utf8::count_chars(s);
  if (n < width) s.insert(right ? 0 : s.size(), width - n, ' ');
  return s;
}

// Rows as aligned columns; columns 1 to `right_until` - 1 right-aligned (numbers).
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows, std::size_t right_until = 0) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths.resize(std::max(widths.size(), row.size()));
      widths[c] = std::max(widths[c], utf8::count_chars(row[c]));
    }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c)
      line += (c ? "  " : "") + pad(row[c], widths[c], c > 0 && c < right_until);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

std::string json_str(const std::string& s) { return "\"" + json_escape(s) + "\""; }

int usage_error(std::ostream& err, const std::string& message, const std::string& command) {
  err << "error: " << message << "\n\nUsage: sink " << command
      << " --host DEST [--host DEST]... [--hosts FILE] [--jobs N] [FILE]\nRun `sink help " << command << "` for more.\n";
  return 2;
}

// The destinations of --host and of the --hosts files, in order, each once.
std::vector<std::string> destinations(const Args& args, std::string& error) {
  std::vector<std::string> all = args.all("--host");
  for (const auto& file : args.all("--hosts")) {
    const auto text = read_whole_file(file);
    if (!text) {
      error = "--hosts " + file + ": cannot read the file";
      return {};
    }
    std::size_t at = 0;
    while (at < text->size()) {
      std::size_t end = text->find('\n', at);
      if (end == std::string::npos) end = text->size();
      std::string line = text->substr(at, end - at);
      at = end + 1;
      line = line.substr(0, line.find('#'));
      const auto first = line.find_first_not_of(" \t\r"), last = line.find_last_not_of(" \t\r");
      if (first != std::string::npos) all.push_back(line.substr(first, last - first + 1));
    }
  }
  std::vector<std::string> out;
  for (const auto& d : all) {
    const bool bad = d.empty() || d[0] == '-' ||
                     std::any_of(d.begin(), d.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
    if (bad) {
      error = "`" + d + "` is not a destination: write user@host, host or a Host name of ~/.ssh/config";
      return {};
    }
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  if (out.empty()) error = "no destination: --hosts gave no line that names one";
  return out;
}

// The lines that set answers, ahead of the script on each session's stdin: every question
// the steps of any platform could need, from --set, --vars or the terminal (asked once,
// here, before any session starts). Unanswered questions with a default are left to each
// host. False when the run must stop (reported).
bool answer_lines(Run& s, const Selection& sel, CommandRunner& runner, const Host& host, bool ask, std::ostream& err,
                  bool color, std::string& lines) {
  auto prompter = ask ? host.prompter(err, [&runner] { return runner.interrupted() != 0; }) : nullptr;
  s.diags = Diagnostics{};  // the check's warnings are shown already
  std::vector<const SelectedStep*> every;
  for (const auto& step : sel.steps) every.push_back(&step);
  const auto needed = sel.needed_by(every);
  std::vector<const ast::Ask*> asks;  // in declaration order
  for_each<ast::Ask>(s.program, [&](const ast::Ask& a) {
    if (needed.count(a.name)) asks.push_back(&a);
  });
  for (const ast::Ask* ask_decl : asks) {
    const ast::Ask& a = *ask_decl;
    const std::string_view name = a.name;
    std::optional<std::string> value;
    if (const auto v = s.inputs.set.find(name); v != s.inputs.set.end()) value = v->second;
    else if (const auto v2 = s.inputs.vars.find(name); v2 != s.inputs.vars.end()) value = v2->second;
    else if (prompter) {
      AskRequest request{a.name, a.prompt.literal(), std::nullopt, a.secret.has_value(), {}};
      if (a.default_value) request.default_value = a.default_value->literal();
      for (const auto& c : a.choices) request.choices.push_back(c.text);
      value = prompter->ask(request);
      if (!value) {
        if (!runner.interrupted()) err << "sink: no answer to `" << a.name << "`; nothing was run\n";
        return false;
      }
      if (a.default_value && a.default_value->has_interp() && value == request.default_value) value.reset();
    } else if (ask && !a.default_value) {
      s.diags.error("E403", a.name_span, "question `" + a.name + "` has no answer, and there is no terminal to ask on",
                    "answer it with --set " + a.name + "=VALUE or in a --vars file");
    }
    if (!value) continue;
    std::string var = "SINK_ANSWER_" + a.name;
    std::transform(var.begin(), var.end(), var.begin(), [](unsigned char c) { return std::toupper(c); });
    lines += var + "=" + quote(*value) + "\n";
  }
  if (!s.diags.has_errors()) return true;
  print_diags(s, err, color);
  err << "sink: stopped before connecting to any host\n";
  return false;
}

class HostRun {
 public:
  HostRun(const Args& args, Run& run, CommandRunner& runner, std::ostream& out, std::ostream& err, bool color)
      : args_(args), run_(run), runner_(runner), out_(out), err_(err), color_(color) {}

  // Runs the sessions, at most `jobs` at a time. Returns the exit status.
  int run(const std::vector<std::string>& dests, std::size_t jobs, const std::string& input,
          const std::string& ssh_command) {
    for (const auto& d : dests) {
      remotes_.emplace_back().dest = d;
      remotes_.back().index = remotes_.size() - 1;
      width_ = std::max(width_, utf8::count_chars(d));
    }
    std::string remote = "sh -s -- --report";
    if (args_.command != "apply") remote += " --" + args_.command;
    CommandRunner& runner = runner_;
    std::map<CommandRunner::Id, Remote*> running;
    std::size_t next = 0;
    while (true) {
      while (running.size() < jobs && next < remotes_.size() && !runner.interrupted()) {
        Remote& r = remotes_[next++];
        Command c;
        // As git runs GIT_SSH_COMMAND: the user's command, words split by the shell. No
        // terminal (-T) and no prompt that nobody could answer (BatchMode).
        c.script = ssh_command + " -T -o BatchMode=yes \"$SINK_SSH_DESTINATION\" \"$SINK_SSH_REMOTE\"";
        c.env = run_.machine.environment;
        std::erase_if(c.env, [](const auto& kv) { return kv.first.rfind("SINK_SSH_", 0) == 0; });
        c.env.emplace_back("SINK_SSH_DESTINATION", r.dest);
        c.env.emplace_back("SINK_SSH_REMOTE", remote);
        c.feed_input = true;
        c.input = input;
        c.on_output = [this, &r](bool is_err, std::string_view text) { take(r, is_err, text); };
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
    if (args_.command == "apply") summary();
    else if (args_.get("--format", "text") == "json") json();
    else if (args_.command == "plan") table("sink:step", 3, 2, "step");
    else table("sink:fact", 1, 2, "fact");
    const bool ok = all_ok();
    if (const int sig = runner.interrupted()) return 128 + sig;
    return ok ? 0 : 1;
  }

 private:
  std::string prefix(const Remote& r) const {
    static const char* colors[] = {kCyan, kYellow, kGreen, kBlue, "\x1b[35m", kBold};
    return Painter(color_)(colors[r.index % 6], pad(r.dest, width_)) + " | ";
  }

  // Output as it arrives: whole lines only, so that hosts never mix within a line.
  void take(Remote& r, bool is_err, std::string_view text) {
    std::string& part = r.partial[is_err];
    part += text;
    std::size_t at = 0, nl;
    while ((nl = part.find('\n', at)) != std::string::npos) {
      line(r, is_err, std::string_view(part).substr(at, nl - at));
      at = nl + 1;
    }
    part.erase(0, at);
    if (part.size() > 65536) {  // a line without end: shown in pieces
      line(r, is_err, part);
      part.clear();
    }
  }

  void line(Remote& r, bool is_err, std::string_view text) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (!is_err && text.substr(0, 5) == "sink:" && text.find('\t') != std::string_view::npos) {
      r.records.push_back(fields(text));
      return;
    }
    if (args_.command == "apply") (is_err ? err_ : out_) << prefix(r) << text << "\n" << std::flush;
    else if (is_err) r.held.emplace_back(text);  // plan and facts show a table instead
  }

  // Whether every host ended well; shows what failed hosts said (plan, facts).
  bool all_ok() {
    bool ok = true;
    for (const auto& r : remotes_) {
      for (const auto& text : r.ok() ? std::vector<std::string>{} : r.held) err_ << prefix(r) << text << "\n";
      ok = ok && r.ok();
    }
    return ok;
  }

  void summary() {
    std::vector<std::vector<std::string>> rows{{"host", "ran", "already done", "not applicable", "failed", "time", "status"}};
    for (const auto& r : remotes_) {
      char took[32];
      std::snprintf(took, sizeof took, "%.1fs",
                    std::chrono::duration<double>(r.outcome.ended_at - r.outcome.started_at).count());
      rows.push_back({r.dest, std::to_string(r.count({"ran"})), std::to_string(r.count({"done"})),
                      std::to_string(r.count({"n/a", "other-platform"})), std::to_string(r.count({"failed"})), took,
                      r.state()});
    }
    out_ << "\n";
    print_table(out_, rows, 6);
  }

  // Steps (or facts) x hosts: record `kind`, its name in field `name_at`, the cell in `value_at`.
  void table(const char* kind, std::size_t name_at, std::size_t value_at, const char* title) {
    std::vector<std::vector<std::string>> rows{{title}};
    std::map<std::string, std::size_t> row_of;
    for (const auto& r : remotes_) {
      rows[0].push_back(r.dest);
      for (const auto& rec : r.records) {
        if (rec[0] != kind || rec.size() <= std::max(name_at, value_at)) continue;
        auto [it, fresh] = row_of.emplace(rec[name_at], rows.size());
        if (fresh) rows.push_back({rec[name_at]});
        auto& row = rows[it->second];
        row.resize(r.index + 2, "-");
        row[r.index + 1] = rec[value_at];
      }
    }
    std::vector<std::string> states{"(host)"};
    for (const auto& r : remotes_) states.push_back(r.state());
    for (auto& row : rows) row.resize(remotes_.size() + 1, "-");
    rows.push_back(states);
    print_table(out_, rows);
  }

  void json() {
    const bool plan = args_.command == "plan";
    out_ << "{\n  \"file\": " << json_str(run_.path) << ",\n  \"hosts\": [";
    for (const auto& r : remotes_) {
      out_ << (r.index ? ",\n" : "\n") << "    {\"host\": " << json_str(r.dest) << ", \"status\": " << json_str(r.state())
           << ", \"exit\": " << r.outcome.exit_code << ", \"" << (plan ? "steps" : "facts") << "\": [";
      bool first = true;
      for (const auto& rec : r.records) {
        if (rec[0] != (plan ? "sink:step" : "sink:fact") || rec.size() < (plan ? 5u : 3u)) continue;
        out_ << (first ? "" : ", ");
        first = false;
        if (plan)
          out_ << "{\"name\": " << json_str(rec[3]) << ", \"verdict\": " << json_str(rec[2])
               << ", \"reason\": " << json_str(rec[4]) << "}";
        else
          out_ << "{\"name\": " << json_str(rec[1]) << ", \"value\": " << json_str(rec[2]) << "}";
      }
      out_ << "]}";
    }
    out_ << "\n  ]\n}\n";
  }

  const Args& args_;
  Run& run_;
  CommandRunner& runner_;
  std::ostream& out_;
  std::ostream& err_;
  bool color_;
  std::vector<Remote> remotes_;
  std::size_t width_ = 0;
};

}  // namespace

bool wants_hosts(const Args& args) { return args.has("--host") || args.has("--hosts"); }

int run_on_hosts(const Args& args, const Host& host, std::ostream& out, std::ostream& err, bool color) {
  for (const char* flag : {"--platform", "--facts", "--detailed-exitcode"})
    if (args.has(flag))
      return usage_error(err, std::string("`") + flag + "` does not go with --host: each host is planned as it is",
                         args.command);
  std::string error;
  const auto dests = destinations(args, error);
  if (!error.empty()) return usage_error(err, error, args.command);
  const std::string jobs_text = args.get("--jobs", "8");
  const long jobs = std::strtol(jobs_text.c_str(), nullptr, 10);
  if (jobs < 1 || jobs > 1000 || jobs_text.find_first_not_of("0123456789") != std::string::npos)
    return usage_error(err, "--jobs " + jobs_text + ": give a whole number from 1 to 1000", args.command);

  Run r;
  if (const int status = load(args, host, err, color, r); status >= 0) return status;
  // The questions of every platform: each host decides which steps it runs.
  const Selection sel = select_steps(r.program, r.machine, step_choice(args));
  if (!sel.error.empty()) return usage_error(err, sel.error, args.command);
  const auto runner = host.runner();  // catches Ctrl-C from now on
  std::string input = "SINK_SESSION=1\n";
  if (!answer_lines(r, sel, *runner, host, args.command == "apply", err, color, input))
    return runner->interrupted() ? 128 + runner->interrupted() : 1;
  // Every answer travels in `input`; the script itself is the same for every host.
  const ExportOptions options{r.path, "", {}, args.all("--only"), args.all("--skip"), args.get("--from", "")};
  input += export_script(r.program, options, error);
  if (!error.empty()) return usage_error(err, error, args.command);
  const std::string ssh = host.env("SINK_SSH_COMMAND").value_or("");
  return HostRun(args, r, *runner, out, err, color)
      .run(dests, static_cast<std::size_t>(jobs), input, ssh.empty() ? "ssh" : ssh);
}

}  // namespace sink
