#include "util/heap.hpp"

#include <algorithm>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#endif

namespace sink {

void prepare_heap(std::size_t input_bytes) {
#if defined(__linux__) && defined(__GLIBC__)
  constexpr std::size_t kThreshold = std::size_t{128} << 10;  // below 128 KiB it is not worth it
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  if (input_bytes < kThreshold) return;
  // The AST takes about ten times the source: make the heap that much larger at once,
  // keep it (no trimming, no separate mappings for big blocks), and back it with huge pages.
  const std::size_t pad = std::min<std::size_t>(input_bytes * 10, std::size_t{1} << 30);
  constexpr std::size_t kMaxThreshold = std::size_t{32} << 20;  // glibc's limit for M_MMAP_THRESHOLD
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMaxThreshold));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(std::min<std::size_t>(pad * 2, std::size_t{1} << 30)));
  mallopt(M_TOP_PAD, static_cast<int>(pad));
  void* block = std::malloc(kMaxThreshold / 2);  // below the threshold: taken from the heap, which grows
  if (!block) return;
  const auto from = reinterpret_cast<std::uintptr_t>(block);
  std::free(block);
  const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t start = (from + kHuge - 1) & ~(kHuge - 1);
  if (start < end) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#else
  (void)input_bytes;
#endif
}

}  // namespace sink
