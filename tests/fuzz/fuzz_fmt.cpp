// libFuzzer target: `sink fmt`'s round trip. When the bytes parse, formatting must succeed
// (E206/E265, the constructs the parser keeps only in part, aside), the result must parse
// to the same tree with the same comments (format_sinkfile checks that itself and reports
// E005 if not), and formatting the result again must change nothing.
#include <cstdint>
#include <string>

#include "fmt/formatter.hpp"
#include "syntax/parser.hpp"
#include "fuzz_support.hpp"

using namespace sink;

namespace {

bool only_partial_constructs(const Diagnostics& diags) {
  for (const auto& d : diags.items())
    if (d.code != sink::E206 && d.code != sink::E265) return false;
  return !diags.items().empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Sources sources;
  const auto id = sources.add("Sinkfile", std::string(reinterpret_cast<const char*>(data), size));
  Diagnostics parse_diags;
  if (!parse_file(sources, id, parse_diags)) return 0;  // only files that parse

  Diagnostics diags;
  const auto once = format_sinkfile(sources, id, diags);
  if (!once) {
    if (only_partial_constructs(diags)) return 0;
    std::string codes;
    for (const auto& d : diags.items()) codes += std::string(sink::code_name(d.code)) + " " + d.message + "\n";
    fuzz::fail("a file that parses could not be formatted:\n" + codes);
  }
  const auto id2 = sources.add("Sinkfile (formatted)", *once);
  Diagnostics diags2;
  const auto twice = format_sinkfile(sources, id2, diags2);
  if (!twice) fuzz::fail("the formatted file could not be formatted again");
  if (*twice != *once) fuzz::fail("formatting is not idempotent:\n--- once\n" + *once + "\n--- twice\n" + *twice);
  return 0;
}
