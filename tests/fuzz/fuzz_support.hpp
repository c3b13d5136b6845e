// What the fuzz targets share: no disk, no processes, and one way to report a broken
// invariant (abort, which libFuzzer and the replay driver both catch).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>

#include "modules/loader.hpp"
#include "proc/process.hpp"

namespace sink::fuzz {

[[noreturn]] inline void fail(const std::string& why) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", why.c_str());
  std::abort();
}

// `use "./x.sink"` finds nothing; std/ modules come from the binary, as always.
class NoFiles : public FileReader {
 public:
  Status read(const std::string&, std::string&, std::string& error) override {
    error = "no such file";
    return Status::NotFound;
  }
};

// Runs nothing: every command succeeds at once and prints a line that parses as any type
// but bool ("1").
class NullRunner : public CommandRunner {
 public:
  Id start(const Command&) override {
    running_.push_back(++next_);
    return next_;
  }
  std::optional<std::pair<Id, Outcome>> wait_any_for(std::chrono::milliseconds) override {
    if (running_.empty()) fail("wait_any with nothing running");
    const Id id = running_.front();
    running_.pop_front();
    Outcome o;
    o.started = true;
    o.exit_code = 0;
    o.out = "1\n";
    return std::pair<Id, Outcome>{id, o};
  }
  int interrupted() const override { return 0; }

 private:
  std::deque<Id> running_;
  Id next_ = 0;
};

}  // namespace sink::fuzz
