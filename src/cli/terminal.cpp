#include "cli/terminal.hpp"

#include <fmt/ostream.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "util/utf8.hpp"

namespace sink {
TerminalPrompter::TerminalPrompter(int in_fd, std::ostream& out, std::function<bool()> interrupted)
    : in_(in_fd), out_(out), interrupted_(std::move(interrupted)) {}

// One line, without its end. Nothing at the end of input or when sink is interrupted:
// poll() returns on a signal (read() may be restarted by it), and at least every 200 ms.
std::optional<std::string> TerminalPrompter::read_line() {
  std::string line;
  while (true) {
    // A signal may come just before poll() starts: wake up now and then to look.
    if (interrupted_ && interrupted_()) return std::nullopt;
    pollfd p{in_, POLLIN, 0};
    const int ready = ::poll(&p, 1, 200);
    if (ready < 0 && errno != EINTR) return std::nullopt;
    if (ready <= 0) continue;
    char c = 0;
    const ssize_t n = ::read(in_, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return line.empty() ? std::nullopt : std::optional(line);
    if (c == '\n') return line;
    if (c != '\r') line += c;
  }
}

std::optional<std::string> TerminalPrompter::ask(const AskRequest& q) {
  const std::string masked = "••••••";
  std::vector<std::string> choices;
  for (const auto& c : q.choices) choices.push_back(utf8::printable(c));
  while (true) {
    // Echo off for a secret before the prompt shows, so nothing typed echoes. Ctrl-\ and
    // Ctrl-Z are plain keys meanwhile: SIGQUIT would end sink and SIGTSTP stop it with echo
    // still off (Ctrl-C still interrupts: sink handles SIGINT and restores the terminal).
    termios saved{};
    const bool quiet = q.secret && tcgetattr(in_, &saved) == 0;
    if (quiet) {
      termios mode = saved;
      mode.c_lflag = (mode.c_lflag & ~static_cast<tcflag_t>(ECHO)) | ECHONL;
      mode.c_cc[VQUIT] = mode.c_cc[VSUSP] = _POSIX_VDISABLE;
#ifdef VDSUSP
      mode.c_cc[VDSUSP] = _POSIX_VDISABLE;
#endif
      tcsetattr(in_, TCSANOW, &mode);
    }
    out_ << utf8::printable(q.question);
    if (!choices.empty()) fmt::print(out_, " ({})", fmt::join(choices, "/"));
    if (q.default_value) out_ << " [" << (q.secret ? masked : utf8::printable(*q.default_value)) << "]";
    out_ << ": " << std::flush;
    // A question that cannot be shown (a closed stderr) gets no answer.
    std::optional<std::string> line = out_ ? read_line() : std::nullopt;
    if (quiet) tcsetattr(in_, TCSANOW, &saved);
    if (!out_) return std::nullopt;
    if (!line) {
      out_ << "\n";
      return std::nullopt;
    }
    if (line->empty() && q.default_value) line = q.default_value;
    if (line->empty()) {
      out_ << "  an answer is needed\n";
      continue;
    }
    if (!q.choices.empty() && std::find(q.choices.begin(), q.choices.end(), *line) == q.choices.end()) {
      fmt::print(out_, "  \"{}\" is not one of the choices; choose one of: {}\n",
                 q.secret ? masked : utf8::printable(*line), fmt::join(choices, ", "));
      continue;
    }
    return line;
  }
}

}  // namespace sink
