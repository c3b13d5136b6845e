// Reading a whole file.
#pragma once

#include <optional>
#include <string>

namespace sink {

// The bytes of `path`, or nothing when it cannot be opened.
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace sink
