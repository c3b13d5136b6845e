// What a command started, whatever its process group or session. On Linux sink is a child
// subreaper (PR_SET_CHILD_SUBREAPER): a process whose parent ends becomes sink's child
// instead of init's, so everything a command starts stays below sink, where /proc's
// parent links find it. Elsewhere (macOS) there is no such thing: these find nothing, and
// sink stops a command's process group only.
#pragma once

#include <sys/types.h>

#include <set>
#include <utility>
#include <vector>

namespace sink::process_tree {

// A process, told apart from a later one with the same pid by its start time.
using Process = std::pair<pid_t, unsigned long long>;

// Every live process below sink (not sink itself, not zombies), except those below or
// equal to a process in `spared`.
std::vector<Process> below_sink(const std::set<Process>& spared);

}  // namespace sink::process_tree
