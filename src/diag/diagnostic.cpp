#include "diag/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace sink {

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(),
      [](const Diagnostic& d) { return d.severity() == Severity::Error; }));
}

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.span.file, a.span.line, a.span.col) < std::tie(b.span.file, b.span.line, b.span.col);
  });
}

}  // namespace sink
