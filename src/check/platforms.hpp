// The set of machines that nested platform blocks select, for nesting and overlap checks.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "syntax/ast.hpp"

namespace sink {

struct MachineSet {
  bool all = true;  // no platform block: every machine
  // (os, distro); an empty distro means every distribution of that OS.
  // Views of the names in lexicon.hpp.
  std::vector<std::pair<std::string_view, std::string_view>> items;

  static MachineSet of(const ast::List<ast::PlatformName>& names);  // known names only
  bool empty() const { return !all && items.empty(); }
};

MachineSet intersect(const MachineSet& a, const MachineSet& b);
// Every machine of `a` is one of `b`.
bool within(const MachineSet& a, const MachineSet& b);

// True when a machine could match both platform names ("linux" and "ubuntu": yes).
bool platforms_compatible(std::string_view a, std::string_view b);

}  // namespace sink
