// Colour on a terminal, the one way sink paints its output (diagnostics, apply's
// progress): SGR codes, applied only when colour is on.
#pragma once

#include <string>
#include <string_view>

namespace sink {

inline constexpr const char* kBold = "\x1b[1m";
inline constexpr const char* kDim = "\x1b[2m";
inline constexpr const char* kRed = "\x1b[1;31m";
inline constexpr const char* kGreen = "\x1b[32m";
inline constexpr const char* kYellow = "\x1b[1;33m";
inline constexpr const char* kBlue = "\x1b[1;34m";
inline constexpr const char* kCyan = "\x1b[36m";

struct Painter {
  bool on;
  std::string operator()(const char* code, std::string_view s) const {
    return on ? code + std::string(s) + "\x1b[0m" : std::string(s);
  }
};

}  // namespace sink
