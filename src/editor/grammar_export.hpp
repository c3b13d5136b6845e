// Editor grammars, generated from the same definitions the parser uses: fixed templates
// (src/editor/*.in) filled in with the words of lexicon.hpp (keywords, types, built-ins,
// platforms, operators) and the character rules of grammar.hpp (names, escapes, blanks).
// `sink grammar` prints them; editors/ holds the checked-in copies, which a unit test
// compares with these functions.
#pragma once

#include <string>

namespace sink::editor {

// The TextMate grammar (scope `source.sink`) as JSON, indented like
// JSON.stringify(value, null, 2), ending in a newline.
std::string textmate_grammar();

// The Vim syntax file (syntax/sink.vim).
std::string vim_syntax();

}  // namespace sink::editor
