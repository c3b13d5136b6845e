// The syntax tree's memory: nodes, their lists and their strings are carved out of
// large blocks and freed all at once with the arena, never one by one. Only trivially
// destructible types go in, so nothing needs a destructor call. Why the tree has an
// arena at all: docs/decisions.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sink {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* allocate(std::size_t bytes, std::size_t align) {
    void* p = cur_;
    std::size_t room = static_cast<std::size_t>(end_ - cur_);
    if (!std::align(align, bytes, p, room)) {
      const std::size_t size = std::max(bytes + align, next_block_);
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
      cur_ = blocks_.back().get();
      end_ = cur_ + size;
      next_block_ = size * 2;
      p = cur_;
      room = size;
      std::align(align, bytes, p, room);
    }
    cur_ = static_cast<char*>(p) + bytes;
    return p;
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

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cur_ = nullptr;
  char* end_ = nullptr;
  std::size_t next_block_ = std::size_t{64} << 10;
};

}  // namespace sink
