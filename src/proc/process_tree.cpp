#include "proc/process_tree.hpp"

#include <dirent.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace sink::process_tree {

bool become_subreaper() {
#if defined(__linux__)
  return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
#else
  return false;
#endif
}

namespace {

struct Entry {
  pid_t parent = 0;
  unsigned long long started = 0;
};

// pid -> parent and start time, from /proc/PID/stat (fields 4 and 22); zombies left out.
std::map<pid_t, Entry> table() {
  std::map<pid_t, Entry> out;
  DIR* dir = opendir("/proc");
  if (!dir) return out;
  while (const dirent* d = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(d->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    char path[64], buffer[1024];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE* f = std::fopen(path, "re");
    if (!f) continue;
    const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, f);
    std::fclose(f);
    buffer[n] = '\0';
    const char* after = std::strrchr(buffer, ')');  // the command name may hold anything
    char state = 0;
    long parent = 0;
    unsigned long long started = 0;
    if (after && std::sscanf(after + 1, " %c %ld %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
                             &state, &parent, &started) == 3 && state != 'Z')
      out[static_cast<pid_t>(pid)] = {static_cast<pid_t>(parent), started};
  }
  closedir(dir);
  return out;
}

}  // namespace

std::vector<Process> below_sink(const std::set<Process>& spared) {
  const auto all = table();
  const pid_t self = getpid();
  std::vector<Process> out;
  for (const auto& [pid, entry] : all) {
    // Walk up to sink; a spared process on the way spares this one.
    bool keep = false, below = false;
    pid_t at = pid;
    for (int depth = 0; depth < 4096 && !keep; ++depth) {
      const auto it = all.find(at);
      if (it == all.end()) break;
      keep = spared.count({at, it->second.started}) > 0;
      if (it->second.parent == self) {
        below = true;
        break;
      }
      at = it->second.parent;
    }
    if (below && !keep) out.emplace_back(pid, entry.started);
  }
  return out;
}

}  // namespace sink::process_tree
