// Version numbers as sink reads them: the first dotted number in a text.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sink {

struct Version {
  std::vector<std::uint64_t> parts;  // 20.11.1 -> {20, 11, 1}
  std::string str() const;
};

// "v20.11.1" -> 20.11.1, "Python 3.12.1" -> 3.12.1, "go1.22" -> 1.22; no digit -> nothing.
std::optional<Version> parse_version(std::string_view text);

// Component by component; missing components count as 0 (20 == 20.0.0).
std::strong_ordering compare(Version a, Version b);

}  // namespace sink
