#include "check/platforms.hpp"

#include <algorithm>

#include "syntax/lexicon.hpp"

namespace sink {

MachineSet MachineSet::of(const ast::List<ast::PlatformName>& names) {
  MachineSet s;
  s.all = false;
  for (const auto& n : names) {
    const lex::Platform* p = lex::find_platform(n.name);
    if (!p) continue;
    const std::pair<std::string_view, std::string_view> item{p->os, p->is_os ? std::string_view() : p->name};
    if (std::find(s.items.begin(), s.items.end(), item) == s.items.end()) s.items.push_back(item);
  }
  return s;
}

MachineSet intersect(const MachineSet& a, const MachineSet& b) {
  if (a.all) return b;
  if (b.all) return a;
  MachineSet out;
  out.all = false;
  auto add = [&](const std::pair<std::string_view, std::string_view>& item) {
    if (std::find(out.items.begin(), out.items.end(), item) == out.items.end()) out.items.push_back(item);
  };
  for (const auto& x : a.items)
    for (const auto& y : b.items) {
      if (x.first != y.first) continue;
      if (x.second.empty()) add(y);
      else if (y.second.empty() || x.second == y.second) add(x);
    }
  return out;
}

bool within(const MachineSet& a, const MachineSet& b) {
  if (b.all) return true;
  if (a.all) return false;
  return std::all_of(a.items.begin(), a.items.end(), [&](const auto& x) {
    return std::any_of(b.items.begin(), b.items.end(),
                       [&](const auto& y) { return x.first == y.first && (y.second.empty() || y.second == x.second); });
  });
}

bool platforms_compatible(std::string_view a, std::string_view b) {
  const ast::PlatformName na{ast::Str(a), {}};
  const ast::PlatformName nb{ast::Str(b), {}};
  return !intersect(MachineSet::of({&na, 1}), MachineSet::of({&nb, 1})).empty();
}

}  // namespace sink
