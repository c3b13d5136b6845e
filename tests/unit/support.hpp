// Helpers shared by the unit tests: parse and check text without touching the disk.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "diag/diagnostic.hpp"
#include "modules/loader.hpp"
#include "syntax/parser.hpp"

namespace sink::test {

// Files held in memory, by path.
class MapReader : public FileReader {
 public:
  std::map<std::string, std::string> files;
  Status read(const std::string& path, std::string& out, std::string& error) override {
    const auto it = files.find(path);
    if (it == files.end()) {
      error = "no such file";
      return Status::NotFound;
    }
    out = it->second;
    return Status::Ok;
  }
};

struct Found {
  std::string code;
  unsigned line, col;
  bool operator==(const Found&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Found& f) {
  return os << f.code << "@" << f.line << ":" << f.col;
}

}  // namespace sink::test

// Failed comparisons of diagnostic lists print the lists.
namespace doctest {
template <>
struct StringMaker<std::vector<sink::test::Found>> {
  static String convert(const std::vector<sink::test::Found>& v) {
    std::ostringstream os;
    for (const auto& f : v) os << f << " ";
    return String(os.str().c_str());
  }
};
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::ostringstream os;
    for (const auto& s : v) os << s << " ";
    return String(os.str().c_str());
  }
};
}  // namespace doctest

namespace sink::test {

// Loads `text` as "Sinkfile" (plus `files`) and checks it; returns code@line:col of each
// diagnostic, in order.
inline std::vector<Found> diagnose(const std::string& text, std::map<std::string, std::string> files = {}) {
  MapReader reader;
  reader.files = std::move(files);
  Diagnostics diags;
  Program p = load_program_text("Sinkfile", text, reader, diags);
  if (p.complete) check_program(p, diags);
  diags.sort();
  std::vector<Found> out;
  for (const auto& d : diags.items()) out.push_back({std::string(code_name(d.code)), d.span.line, d.span.col});
  return out;
}

inline std::vector<std::string> codes(const std::string& text, std::map<std::string, std::string> files = {}) {
  std::vector<std::string> out;
  for (const auto& f : diagnose(text, std::move(files))) out.push_back(f.code);
  return out;
}

// Parses `text` alone; the file must parse.
struct Parsed {
  Sources sources;
  std::optional<ast::File> file;
  Diagnostics diags;
};
inline Parsed parse(const std::string& text) {
  Parsed p;
  const auto id = p.sources.add("Sinkfile", text);
  p.file = parse_file(p.sources, id, p.diags);
  return p;
}

}  // namespace sink::test
