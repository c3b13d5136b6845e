// Editor grammars: generated from the lexicon, and the checked-in copies in editors/ are
// exactly what `sink grammar` prints now. tests/editor_grammars.py runs them in
// vscode-textmate and Vim.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli/cli.hpp"
#include "editor/grammar_export.hpp"
#include "syntax/lexicon.hpp"

namespace {

std::string read_source(const std::string& rel) {
  std::ifstream in(std::string(SINK_SOURCE_ROOT) + "/" + rel, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << rel);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool contains(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

struct Run {
  int status;
  std::string out, err;
};

Run grammar(const std::vector<std::string>& argv) {
  std::ostringstream out, err;
  const int status = sink::run_cli(argv, sink::SystemHost{}, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace

TEST_CASE("the checked-in TextMate grammar is what `sink grammar --format textmate` prints") {
  const std::string generated = sink::editor::textmate_grammar();
  const bool same = read_source("editors/vscode/syntaxes/sink.tmLanguage.json") == generated;
  CHECK_MESSAGE(same, "regenerate: build/sink grammar --format textmate > editors/vscode/syntaxes/sink.tmLanguage.json");
}

TEST_CASE("the checked-in Vim syntax file is what `sink grammar --format vim` prints") {
  const std::string generated = sink::editor::vim_syntax();
  const bool same = read_source("editors/vim/syntax/sink.vim") == generated;
  CHECK_MESSAGE(same, "regenerate: build/sink grammar --format vim > editors/vim/syntax/sink.vim");
}

TEST_CASE("every word of the lexicon is in both grammars") {
  const std::string tm = sink::editor::textmate_grammar(), vim = sink::editor::vim_syntax();
  for (const auto kw : sink::lex::keywords) {
    CHECK_MESSAGE(contains(tm, kw), kw);
    CHECK_MESSAGE(contains(vim, kw), kw);
  }
  for (const auto& b : sink::lex::builtins) {
    CHECK_MESSAGE(contains(tm, b.name), b.name);
    CHECK_MESSAGE(contains(vim, b.name), b.name);
  }
  for (const auto& p : sink::lex::platforms) {
    CHECK_MESSAGE(contains(tm, p.name), p.name);
    CHECK_MESSAGE(contains(vim, " " + std::string(p.name)), p.name);
  }
  for (const auto& t : sink::lex::types) {
    CHECK_MESSAGE(contains(tm, t.name), t.name);
    CHECK_MESSAGE(contains(vim, t.name), t.name);
  }
  for (const auto o : sink::lex::operators) {
    CHECK_MESSAGE(contains(tm, o), o);
    CHECK_MESSAGE(contains(vim, o), o);
  }
  CHECK(contains(tm, "\"scopeName\": \"source.sink\""));
  CHECK(contains(tm, "\"match\": \"(#).*$\""));
  CHECK(contains(tm, "\"match\": \"(\\\\{\\\\{)"));  // the interpolation starts with {{
  CHECK(contains(vim, "syn match sinkComment /#.*$/"));
  CHECK(contains(vim, "let b:current_syntax = 'sink'"));
}

TEST_CASE("escapes come from the grammar's escape rule, in both grammars") {
  CHECK(contains(sink::editor::textmate_grammar(), R"("match": "\\\\[\\\\\"'ntr{]")"));
  CHECK(contains(sink::editor::vim_syntax(), R"(syn match sinkEscape /\\[\\"'ntr{]/ contained)"));
}

TEST_CASE("the VS Code extension and the Vim plugin name Sinkfile, *.sink and # comments") {
  const std::string package = read_source("editors/vscode/package.json");
  CHECK(contains(package, R"("filenames": [)"));
  CHECK(contains(package, R"("Sinkfile")"));
  CHECK(contains(package, R"(".sink")"));
  CHECK(contains(package, R"("path": "./syntaxes/sink.tmLanguage.json")"));
  CHECK(contains(package, R"("scopeName": "source.sink")"));
  const std::string config = read_source("editors/vscode/language-configuration.json");
  CHECK(contains(config, R"("lineComment": "#")"));
  CHECK(contains(config, R"(["{", "}"])"));
  CHECK(contains(config, R"x(["(", ")"])x"));
  const std::string ftdetect = read_source("editors/vim/ftdetect/sink.vim");
  CHECK(contains(ftdetect, "Sinkfile,*.sink setfiletype sink"));
  CHECK(contains(read_source("editors/vim/ftplugin/sink.vim"),
                 "commentstring=#\\ %s"));
}

TEST_CASE("sink grammar prints the grammar that --format names") {
  const auto tm = grammar({"grammar", "--format", "textmate"});
  CHECK(tm.status == sink::kExitOk);
  CHECK(tm.out == sink::editor::textmate_grammar());
  CHECK(tm.err.empty());
  const auto vim = grammar({"grammar", "--format=vim"});
  CHECK(vim.status == sink::kExitOk);
  CHECK(vim.out == sink::editor::vim_syntax());
}

TEST_CASE("sink grammar without a known --format is a usage error") {
  const auto none = grammar({"grammar"});
  CHECK(none.status == sink::kExitUsage);
  CHECK(none.out.empty());
  CHECK(contains(none.err, "needs `--format textmate` or `--format vim`"));
  const auto json = grammar({"grammar", "--format", "json"});
  CHECK(json.status == sink::kExitUsage);
  CHECK(contains(json.err, "must be one of textmate, vim"));
  const auto extra = grammar({"grammar", "--format", "vim", "Sinkfile"});
  CHECK(extra.status == sink::kExitUsage);
}
