#include "run/terminal.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sink {

TerminalPrompter::TerminalPrompter(int in_fd, std::ostream& out, std::function<bool()> interrupted)
    : in_(in_fd), out_(out), interrupted_(std::move(interrupted)) {}

std::optional<std::string> TerminalPrompter::read_line(bool hidden) {
  termios saved{};
  const bool tty = tcgetattr(in_, &saved) == 0;
  if (hidden && tty) {
    termios quiet = saved;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    quiet.c_lflag |= ECHONL;
    tcsetattr(in_, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool ended = false;
  while (true) {
    char c = 0;
    const ssize_t n = ::read(in_, &c, 1);
    if (n < 0 && errno == EINTR) {
      if (interrupted_ && interrupted_()) {
        ended = true;
        break;
      }
      continue;
    }
    if (n <= 0) {
      ended = line.empty();
      break;
    }
    if (c == '\n') break;
    if (c != '\r') line += c;
  }
  if (hidden && tty) tcsetattr(in_, TCSAFLUSH, &saved);
  if (ended) return std::nullopt;
  return line;
}

std::optional<std::string> TerminalPrompter::ask(const AskRequest& q) {
  while (true) {
    out_ << q.question;
    if (!q.choices.empty()) {
      out_ << " (";
      for (std::size_t i = 0; i < q.choices.size(); ++i) out_ << (i ? "/" : "") << q.choices[i];
      out_ << ")";
    }
    if (q.default_value) out_ << " [" << (q.secret ? std::string("••••••") : *q.default_value) << "]";
    out_ << ": " << std::flush;
    auto line = read_line(q.secret);
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
      out_ << "  \"" << (q.secret ? std::string("••••••") : *line) << "\" is not one of the choices; choose one of: ";
      for (std::size_t i = 0; i < q.choices.size(); ++i) out_ << (i ? ", " : "") << q.choices[i];
      out_ << "\n";
      continue;
    }
    return line;
  }
}

}  // namespace sink
