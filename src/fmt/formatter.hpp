// `sink fmt`: one canonical layout for a Sinkfile, comments kept (docs/formatting.md).
// A pure function of the text: no file is read or written here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "syntax/ast.hpp"
#include "diag/span.hpp"

namespace sink {

// The text of sources.get(file_id) in the canonical layout. On a syntax error, or on a
// construct the parser keeps only in part (an unknown step field, E206; an option given
// twice, E265), adds the diagnostics and returns nothing. The result is checked before it
// is returned: it parses to the same tree and holds the same comments (else E005).
std::optional<std::string> format_sinkfile(const Sources& sources, std::uint32_t file_id, Diagnostics& diags);

// Whether two trees, or two strings of them, are the same, spans aside: what `sink fmt`
// checks before it hands back a text (same_syntax.cpp). Comments are not compared.
bool same_syntax(const ast::File& a, const ast::File& b);
bool same_text(const ast::Text& a, const ast::Text& b);

// The texts of a file's comments without trailing blanks, sorted: what formatting keeps.
std::vector<std::string> comment_texts(const ast::File& file);

}  // namespace sink
