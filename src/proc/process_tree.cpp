#include "proc/process_tree.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "util/files.hpp"

namespace sink::process_tree {

namespace {

// Every process but zombies, with its start time, by its parent: from /proc/PID/stat
// (fields 4 and 22).
std::multimap<pid_t, Process> children() {
  std::multimap<pid_t, Process> out;
  DIR* dir = opendir("/proc");
  if (!dir) return out;
  while (const dirent* d = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(d->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    const auto stat = read_whole_file("/proc/" + std::to_string(pid) + "/stat");
    const char* after = stat ? std::strrchr(stat->c_str(), ')') : nullptr;  // the command name may hold anything
    char state = 0;
    long parent = 0;
    unsigned long long started = 0;
    if (after && std::sscanf(after + 1, " %c %ld %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
                             &state, &parent, &started) == 3 && state != 'Z')
      out.emplace(static_cast<pid_t>(parent), Process{static_cast<pid_t>(pid), started});
  }
  closedir(dir);
  return out;
}

}  // namespace

std::vector<Process> below_sink(const std::set<Process>& spared) {
  const auto by_parent = children();
  std::vector<Process> out;
  // From sink down; each process has one parent, so none is met twice.
  std::vector<pid_t> parents{getpid()};
  for (std::size_t i = 0; i < parents.size(); ++i) {
    const auto [first, last] = by_parent.equal_range(parents[i]);
    for (auto it = first; it != last; ++it)
      if (spared.count(it->second) == 0) {
        out.push_back(it->second);
        parents.push_back(it->second.first);
      }
  }
  return out;
}

}  // namespace sink::process_tree
