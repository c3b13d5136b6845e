// Asking questions on the terminal: the default shown, choices checked and asked again,
// secrets read without echo.
#pragma once

#include <functional>
#include <ostream>

#include "plan/resolver.hpp"

namespace sink {

class TerminalPrompter : public Prompter {
 public:
  // Reads answers from `in_fd` (a terminal), writes prompts to `out`. `interrupted` tells
  // when sink has been asked to stop (the read then gives up).
  TerminalPrompter(int in_fd, std::ostream& out, std::function<bool()> interrupted);
  std::optional<std::string> ask(const AskRequest& request) override;

 private:
  std::optional<std::string> read_line();
  int in_;
  std::ostream& out_;
  std::function<bool()> interrupted_;
};

}  // namespace sink
