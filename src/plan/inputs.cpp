#include "plan/inputs.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <toml++/toml.h>

#include "util/files.hpp"

namespace sink {

bool read_toml_values(const std::string& path, const char* flag, Sources& sources, Diagnostics& diags,
                      std::map<std::string, std::string, std::less<>>& out, std::map<std::string, Span, std::less<>>* at) {
  std::error_code ec;
  const bool folder = std::filesystem::is_directory(path, ec);
  const auto content = folder ? std::nullopt : read_whole_file(path);
  if (!content) {
    const std::string why = folder ? "it is a directory" : std::strerror(errno);
    Diagnostic d{"E410", Severity::Error, std::string("cannot read the ") + flag + " file `" + path + "`: " + why, {},
                 "check the path given to " + std::string(flag), sources.add(path, "")};
    diags.add(std::move(d));
    return false;
  }
  const std::string& text = *content;
  const std::uint32_t file = sources.add(path, text);
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    const auto line = static_cast<std::uint32_t>(b.line), col = static_cast<std::uint32_t>(b.column);
    diags.error("E411", {file, line, col, line, col + 1}, std::string(flag) + " file is not valid TOML: " + std::string(e.description()),
                "write one `NAME = \"value\"` per line");
    return false;
  }
  bool ok = true;
  for (const auto& [key, node] : table) {
    const auto& src = node.source().begin;
    const Span span{file, static_cast<std::uint32_t>(src.line), static_cast<std::uint32_t>(src.column),
                    static_cast<std::uint32_t>(src.line), static_cast<std::uint32_t>(src.column + 1)};
    const std::string name(key.str());
    if (at) {
      const auto& k = key.source().begin;
      const auto line = static_cast<std::uint32_t>(k.line), col = static_cast<std::uint32_t>(k.column);
      (*at)[name] = Span{file, line, col, line, static_cast<std::uint32_t>(col + name.size())};
    }
    if (const auto* s = node.as_string()) out[name] = s->get();
    else if (const auto* i = node.as_integer()) out[name] = std::to_string(i->get());
    else if (const auto* b = node.as_boolean()) out[name] = b->get() ? "true" : "false";
    else {
      diags.error("E412", span, "`" + name + "` in the " + std::string(flag) + " file is not a string, number or boolean",
                  "write it as NAME = \"value\"");
      ok = false;
    }
  }
  return ok;
}

}  // namespace sink
