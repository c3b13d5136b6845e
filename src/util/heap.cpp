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

#if defined(__linux__) && defined(__GLIBC__)
namespace {
constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;  // a transparent huge page
}  // namespace
#endif

void prepare_heap(std::size_t input_bytes) {
#if defined(__linux__) && defined(__GLIBC__)
  constexpr std::size_t kThreshold = std::size_t{128} << 10;  // below 128 KiB it is not worth it
  if (input_bytes < kThreshold) return;
  // The AST takes about ten times the source: make the heap that much larger at once,
  // keep it (no trimming, no separate mappings for big blocks), and back it with huge pages.
  const std::size_t pad = std::min<std::size_t>(input_bytes * 10, std::size_t{1} << 30);
  constexpr std::size_t kMaxThreshold = std::size_t{32} << 20;  // glibc's limit for M_MMAP_THRESHOLD
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMaxThreshold));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(std::min<std::size_t>(pad * 2, std::size_t{1} << 30)));
  mallopt(M_TOP_PAD, static_cast<int>(pad));
  // Below the threshold, so taken from the heap, which grows by the pad. malloc writes the
  // header of what follows the block right after it, before the madvise below: the 2 MiB
  // there get small pages. So the block is as large as the pad allows, and that place is
  // past what the parse will use (it was in the middle of the tree: 512 page faults).
  void* block = std::malloc(std::min(pad, kMaxThreshold - (std::size_t{1} << 20)));
  if (!block) return;
  const auto from = reinterpret_cast<std::uintptr_t>(block);
  std::free(block);
  const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t start = (from + kHuge - 1) & ~(kHuge - 1);
  if (start >= end) return;
  madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
  // The 2 MiB around `from` already holds small pages (what was allocated before), so it
  // can never become a huge page. Keep it out of use, so that what comes next (the input
  // itself, then the tree) starts on a huge page: about 330 page faults fewer in a
  // 10k-step check (1,012 -> 677, before the block above was made as large). Never touched, it costs address space only; kept reachable, it is no leak.
  static void* spacer = nullptr;
  if (spacer == nullptr && start - from > 64) spacer = std::malloc(start - from);
#else
  (void)input_bytes;
#endif
}

void advise_huge_pages(void* p, std::size_t bytes) {
#if defined(__linux__) && defined(__GLIBC__)
  const auto from = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const auto to = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (from < to) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace sink
