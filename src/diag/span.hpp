// Source locations and the table of loaded source files.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

namespace sink {

// A range in a source file. Lines and columns are 1-based; columns count bytes (the
// renderer turns them into characters). A default Span (line 0) points at no text.
struct Span {
  std::uint32_t file = 0;
  std::uint32_t line = 0, col = 0;
  std::uint32_t end_line = 0, end_col = 0;  // exclusive end column
  bool valid() const { return line != 0; }
};

// The file of a Span that points into no file, such as a misused flag's: the renderer
// shows no place for it.
inline constexpr std::uint32_t kNoFile = UINT32_MAX;

struct SourceFile {
  std::string path;  // as shown to the user
  std::string text;  // the bytes as read (BOM included)
};

// Every file sink has read, indexed by Span::file. A file's text never changes once added,
// and a reference to a file stays valid while others are added.
class Sources {
 public:
  std::uint32_t add(std::string path, std::string text) {
    files_.push_back({std::move(path), std::move(text)});
    return static_cast<std::uint32_t>(files_.size() - 1);
  }
  const SourceFile& get(std::uint32_t id) const { return files_.at(id); }
  std::size_t size() const { return files_.size(); }

 private:
  std::deque<SourceFile> files_;
};

}  // namespace sink
