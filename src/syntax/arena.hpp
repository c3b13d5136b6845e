// A bump allocator for the syntax tree: nodes, their lists and their strings are carved
// out of large blocks and freed all at once with the arena, never one by one. Only
// trivially destructible types go in, so nothing needs a destructor call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "util/heap.hpp"

namespace sink {

class Arena {
 public:
  // `block_hint`: the size of the first block (later ones are at least as large).
  explicit Arena(std::size_t block_hint = 0) : next_block_(block_hint < kMinBlock ? kMinBlock : block_hint) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* allocate(std::size_t bytes, std::size_t align) {
    auto p = (reinterpret_cast<std::uintptr_t>(cur_) + (align - 1)) & ~(std::uintptr_t{align} - 1);
    if (p + bytes > reinterpret_cast<std::uintptr_t>(end_)) {
      grow(bytes + align);
      p = (reinterpret_cast<std::uintptr_t>(cur_) + (align - 1)) & ~(std::uintptr_t{align} - 1);
    }
    cur_ = reinterpret_cast<char*>(p + bytes);
    return reinterpret_cast<void*>(p);
  }

  template <typename T, typename... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "the arena never runs destructors");
    return new (allocate(sizeof(T), alignof(T))) T{std::forward<Args>(args)...};
  }

  // A copy of `items` that lives as long as the arena.
  template <typename T>
  T* copy(const T* items, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    if (n == 0) return nullptr;
    auto* out = static_cast<T*>(allocate(sizeof(T) * n, alignof(T)));
    std::memcpy(static_cast<void*>(out), items, sizeof(T) * n);
    return out;
  }

  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    return {copy(s.data(), s.size()), s.size()};
  }

  // Bytes handed out or lost to alignment so far, for tests and measurements.
  std::size_t used() const { return used_before_ + static_cast<std::size_t>(cur_ - begin_); }

 private:
  static constexpr std::size_t kMinBlock = std::size_t{16} << 10;
  static constexpr std::size_t kHugeBlock = std::size_t{8} << 20;

  void grow(std::size_t at_least) {
    used_before_ += static_cast<std::size_t>(cur_ - begin_);
    const std::size_t size = at_least > next_block_ ? at_least : next_block_;
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    begin_ = cur_ = blocks_.back().get();
    if (size >= kHugeBlock) advise_huge_pages(begin_, size);  // malloc maps such blocks apart
    end_ = begin_ + size;
    next_block_ = size * 2;
  }

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* begin_ = nullptr;
  char* cur_ = nullptr;
  char* end_ = nullptr;
  std::size_t next_block_;
  std::size_t used_before_ = 0;
};

}  // namespace sink
