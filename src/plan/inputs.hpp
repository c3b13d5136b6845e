// Values from files: --vars (answers) and --facts (pinned facts), both TOML.
#pragma once

#include <map>
#include <string>

#include "diag/diagnostic.hpp"
#include "diag/span.hpp"

namespace sink {

// Reads `NAME = value` pairs from a TOML file. Strings, whole numbers and booleans are
// taken as text. The file is added to `sources` so that errors point into it. Returns
// false (with a located diagnostic) when the file cannot be read or parsed.
// `at`, when given, receives where each name stands in the file.
bool read_toml_values(const std::string& path, const char* flag, Sources& sources, Diagnostics& diags,
                      std::map<std::string, std::string, std::less<>>& out,
                      std::map<std::string, Span, std::less<>>* at = nullptr);

}  // namespace sink
