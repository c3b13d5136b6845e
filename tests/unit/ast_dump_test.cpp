// The AST of every example and std module, dumped as text and compared with tests/ast/.
// SINK_UPDATE_GOLDEN=1 rewrites the expectations.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support.hpp"
#include "util/files.hpp"
#include "ast_dump.hpp"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) { return sink::read_whole_file(p.string()).value_or(""); }

std::vector<fs::path> corpus() {
  const fs::path root = SINK_SOURCE_ROOT;
  std::vector<fs::path> files;
  for (const char* dir : {"examples", "stdlib"})
    for (const auto& e : fs::recursive_directory_iterator(root / dir))
      if (e.is_regular_file() && (e.path().filename() == "Sinkfile" || e.path().extension() == ".sink"))
        files.push_back(fs::relative(e.path(), root));
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("AST dumps of the examples and std modules match tests/ast/") {
  const fs::path root = SINK_SOURCE_ROOT;
  const bool update = std::getenv("SINK_UPDATE_GOLDEN") != nullptr;
  const auto files = corpus();
  CHECK(files.size() >= 5);
  for (const auto& rel : files) {
    CAPTURE(rel.string());
    auto p = sink::test::parse(read(root / rel));
    REQUIRE(p.file);
    const std::string dump = sink::dump_ast(*p.file);
    std::string name = rel.string();
    std::replace(name.begin(), name.end(), '/', '_');
    const fs::path expected_path = root / "tests" / "ast" / (name + ".ast");
    if (update) {
      fs::create_directories(expected_path.parent_path());
      std::ofstream(expected_path, std::ios::binary) << dump;
    }
    CHECK_MESSAGE(fs::exists(expected_path), "no expectation; run with SINK_UPDATE_GOLDEN=1");
    CHECK(dump == read(expected_path));
  }
}
