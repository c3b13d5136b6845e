// Every diagnostic code sink reports, with its severity: the one table of them.
// docs/diagnostics.md documents each code (tests/unit/codes_test.cpp checks both ways).
#pragma once

#include <cstddef>
#include <string_view>

namespace sink {

enum class Severity { Error, Warning };

// X(CODE, SEVERITY), grouped as docs/diagnostics.md groups them.
#define SINK_DIAGNOSTIC_CODES(X)                                                                        \
  /* a file cannot be read or written */                                                                \
  X(E001, Error) X(E002, Error) X(E003, Error) X(E004, Error) X(E005, Error) X(E006, Error)             \
  /* syntax and the limits of a file */                                                                 \
  X(E101, Error) X(E102, Error) X(E103, Error) X(E104, Error) X(E105, Error) X(E106, Error)             \
  X(E107, Error) X(E108, Error) X(E109, Error) X(E110, Error) X(E111, Error)                            \
  /* checks over the whole program */                                                                   \
  X(E201, Error) X(E202, Error) X(E203, Error) X(E204, Error) X(E205, Error) X(E206, Error)             \
  X(E210, Error) X(E211, Error) X(E212, Error) X(E213, Error) X(E214, Error) X(E220, Error)             \
  X(E230, Error) X(E231, Error) X(E232, Error) X(E233, Error) X(E234, Error)                            \
  X(E240, Error) X(E241, Error) X(E242, Error)                                                          \
  X(E250, Error) X(E251, Error) X(E252, Error) X(E253, Error) X(E254, Error)                            \
  X(E260, Error) X(E261, Error) X(E262, Error) X(E263, Error) X(E264, Error) X(E265, Error)             \
  X(E266, Error) X(E267, Error) X(E268, Error) X(E269, Error)                                           \
  X(W301, Warning) X(W302, Warning) X(W303, Warning) X(W304, Warning) X(W305, Warning) X(W306, Warning) \
  /* found when running */                                                                              \
  X(E401, Error) X(E402, Error) X(E403, Error) X(E404, Error)                                           \
  X(E410, Error) X(E411, Error) X(E412, Error) X(E413, Error) X(E414, Error) X(E415, Error)             \
  X(E416, Error) X(W410, Warning) X(W411, Warning)

enum class Code : unsigned char {
#define SINK_CODE(code, severity) code,
  SINK_DIAGNOSTIC_CODES(SINK_CODE)
#undef SINK_CODE
};
using enum Code;  // a call site names a code bare: diags.add(E201, ...)

struct CodeInfo {
  std::string_view name;  // "E201"
  Severity severity;
};
inline constexpr CodeInfo kCodes[] = {
#define SINK_CODE(code, severity) {#code, Severity::severity},
    SINK_DIAGNOSTIC_CODES(SINK_CODE)
#undef SINK_CODE
};

constexpr std::string_view code_name(Code c) { return kCodes[static_cast<std::size_t>(c)].name; }
constexpr Severity severity_of(Code c) { return kCodes[static_cast<std::size_t>(c)].severity; }

}  // namespace sink
