// Preparing the heap before a large parse.
#pragma once

#include <cstddef>

namespace sink {

// Before parsing `input_bytes` of source: on Linux, grows the heap in one step large enough
// for the AST and asks for transparent huge pages there, so that a big file costs a few
// hundred page faults instead of tens of thousands (each one expensive in a virtual
// machine). Does nothing for small inputs or elsewhere. See docs/performance.md.
void prepare_heap(std::size_t input_bytes);

// Asks for transparent huge pages on [p, p + bytes) before it is first touched (Linux; a
// no-op elsewhere): for the arena's large blocks, which malloc maps apart from the heap.
void advise_huge_pages(void* p, std::size_t bytes);

}  // namespace sink
