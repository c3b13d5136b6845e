// Finding the first of a few bytes in a buffer, sixteen bytes at a time where the CPU has
// SSE2 (every x86-64), one at a time elsewhere. Used by the grammar's hand-written loops
// over string bodies, comments and blanks, which are most of a Sinkfile's bytes.
#pragma once

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sink::scan {

// The first byte in [p, end) that is one of Stops, or end.
template <char... Stops>
[[nodiscard]] inline const char* find_first_of(const char* p, const char* end) {
  if constexpr (sizeof...(Stops) == 1) {
    const void* hit = std::memchr(p, Stops..., static_cast<std::size_t>(end - p));
    return hit ? static_cast<const char*>(hit) : end;
  } else {
#if defined(__SSE2__)
    while (end - p >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      __m128i hits = _mm_setzero_si128();
      ((hits = _mm_or_si128(hits, _mm_cmpeq_epi8(v, _mm_set1_epi8(Stops)))), ...);
      if (const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits)); mask != 0)
        return p + std::countr_zero(mask);
      p += 16;
    }
#endif
    while (p != end && ((*p != Stops) && ...)) ++p;
    return p;
  }
}

// Moves a line-tracking PEGTL input over the bytes up to `to`, which may span lines,
// counting the newlines with memchr instead of looking at each byte.
template <typename ParseInput>
inline void advance_over_lines(ParseInput& in, const char* to) {
  const char* p = in.current();
  while (p != to) {
    const char* nl = find_first_of<'\n'>(p, to);
    if (nl == to) {
      in.bump_in_this_line(static_cast<std::size_t>(to - p));
      return;
    }
    in.bump_to_next_line(static_cast<std::size_t>(nl + 1 - p));
    p = nl + 1;
  }
}

}  // namespace sink::scan
