// A CommandRunner that runs nothing: each command's outcome comes from a table, matched by
// a piece of its script, and every command started is recorded.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "proc/process.hpp"

namespace sink::test {

class FakeRunner : public CommandRunner {
 public:
  // script piece -> (exit code, stdout)
  std::map<std::string, std::pair<int, std::string>> results;
  std::vector<Command> started;
  std::size_t most_at_once = 0;  // the most commands running together

  Id start(const Command& c) override {
    started.push_back(c);
    running_.push_back(started.size());
    most_at_once = std::max(most_at_once, running_.size());
    return started.size();
  }
  std::optional<std::pair<Id, Outcome>> wait_any_for(std::chrono::milliseconds) override {
    const Id id = running_.front();
    running_.pop_front();
    const Command& c = started[id - 1];
    Outcome o;
    o.started = true;
    o.exit_code = 0;
    for (const auto& [piece, result] : results)
      if (c.script.find(piece) != std::string::npos) {
        o.exit_code = result.first;
        o.out = result.second;
      }
    return std::pair<Id, Outcome>{id, o};
  }
  int interrupted() const override { return 0; }
  // How many started commands contain `piece`.
  std::size_t count(const std::string& piece) const {
    std::size_t n = 0;
    for (const auto& c : started)
      if (c.script.find(piece) != std::string::npos) ++n;
    return n;
  }

 private:
  std::deque<Id> running_;
};

}  // namespace sink::test
