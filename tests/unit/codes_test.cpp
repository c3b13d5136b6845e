// The table of diagnostic codes against docs/diagnostics.md: every code in the table is
// documented with its severity, and every documented code is in the table.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "diag/codes.hpp"

TEST_CASE("every code in the table is documented, with its severity, and every documented code is in it") {
  std::ifstream in(std::string(SINK_SOURCE_ROOT) + "/docs/diagnostics.md");
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  std::map<std::string, std::set<std::string>> documented;  // code -> the severities its rows give
  const std::regex row(R"(\n\| ([EW]\d{3}) \| (\w+) \|)");
  for (auto m = std::sregex_iterator(text.begin(), text.end(), row); m != std::sregex_iterator(); ++m)
    documented[(*m)[1]].insert((*m)[2]);
  REQUIRE(documented.size() > 40);

  std::set<std::string> in_table;
  for (std::size_t i = 0; i < std::size(sink::kCodeNames); ++i) {
    const auto code = static_cast<sink::Code>(i);
    const std::string name(sink::code_name(code));
    INFO(name);
    CHECK(in_table.insert(name).second);  // listed once
    CHECK(documented[name] == std::set<std::string>{sink::severity_of(code) == sink::Severity::Error ? "error" : "warning"});
  }
  for (const auto& [name, severities] : documented) {
    INFO(name);
    CHECK(in_table.count(name) == 1);
  }
}
