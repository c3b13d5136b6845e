// A unified diff of two texts, line by line, for `sink fmt --check`.
#pragma once

#include <string>
#include <string_view>

namespace sink {

// The differences from `before` to `after` as a unified diff (`--- NAME`, `+++ NAME`,
// `@@ -l,n +l,n @@` hunks with `context` lines around each change), or "" when the texts
// are equal. A last line without a newline is marked `\ No newline at end of file`.
std::string unified_diff(std::string_view before, std::string_view after, const std::string& before_name,
                         const std::string& after_name, int context = 3);

}  // namespace sink
