// The standard library modules, compiled into the binary from stdlib/*.sink.
#pragma once

#include <string_view>
#include <vector>

namespace sink {

struct StdModule {
  std::string_view name;  // "std/retry"
  std::string_view text;
};

const std::vector<StdModule>& stdlib_modules();

}  // namespace sink
