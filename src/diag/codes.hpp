// Every diagnostic code sink reports: the one table of them. A W code is a warning, an E
// code an error.
// docs/diagnostics.md documents each code (tests/unit/codes_test.cpp checks both ways).
#pragma once

#include <cstddef>
#include <string_view>

namespace sink {

enum class Severity { Error, Warning };

// X(CODE), grouped as docs/diagnostics.md groups them.
#define SINK_DIAGNOSTIC_CODES(X)                  \
  /* a file cannot be read or written */          \
  X(E001) X(E002) X(E003) X(E004) X(E005) X(E006) \
  /* syntax and the limits of a file */           \
  X(E101) X(E102) X(E103) X(E104) X(E105) X(E106) \
  X(E107) X(E108) X(E109) X(E110) X(E111)         \
  /* checks over the whole program */             \
  X(E201) X(E202) X(E203) X(E204) X(E205) X(E206) \
  X(E210) X(E211) X(E212) X(E213) X(E214) X(E220) \
  X(E230) X(E231) X(E232) X(E233) X(E234)         \
  X(E240) X(E241) X(E242)                         \
  X(E250) X(E251) X(E252) X(E253) X(E254)         \
  X(E260) X(E261) X(E262) X(E263) X(E264) X(E265) \
  X(E266) X(E267) X(E268) X(E269)                 \
  X(W301) X(W302) X(W303) X(W304) X(W305) X(W306) \
  /* found when running */                        \
  X(E401) X(E402) X(E403) X(E404)                 \
  X(E410) X(E411) X(E412) X(E413) X(E414) X(E415) \
  X(E416) X(W410) X(W411)

enum class Code : unsigned char {
#define SINK_CODE(code) code,
  SINK_DIAGNOSTIC_CODES(SINK_CODE)
#undef SINK_CODE
};
using enum Code;  // a call site names a code bare: diags.add(E201, ...)

inline constexpr std::string_view kCodeNames[] = {
#define SINK_CODE(code) #code,
    SINK_DIAGNOSTIC_CODES(SINK_CODE)
#undef SINK_CODE
};

constexpr std::string_view code_name(Code c) { return kCodeNames[static_cast<std::size_t>(c)]; }
constexpr Severity severity_of(Code c) { return code_name(c)[0] == 'W' ? Severity::Warning : Severity::Error; }

}  // namespace sink
