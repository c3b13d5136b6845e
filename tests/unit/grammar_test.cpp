// Grammar rules, checked through the AST the parser builds and the errors it reports.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>

#include "support.hpp"

using namespace sink;
using sink::test::parse;

namespace {

const ast::Step& first_step(const ast::File& f) { return *f.items.at(0).as<ast::Step>(); }
const ast::Fact& first_fact(const ast::File& f) { return *f.items.at(0).as<ast::Fact>(); }

// The run text of a one-step file, with interpolations shown as {{name}}.
std::string run_of(const std::string& src) {
  auto p = parse(src);
  REQUIRE(p.file);
  return first_step(*p.file).field(ast::StepField::Kind::Run)->text.literal();
}

const Diagnostic& only_error(const test::Parsed& p) {
  REQUIRE_FALSE(p.file);
  REQUIRE(p.diags.items().size() == 1);
  return p.diags.items()[0];
}

}  // namespace

TEST_CASE("double-quoted strings decode escapes and keep interpolations apart") {
  auto p = parse(R"(step "s" { run "a\tb \"q\" \\ \{{x}} {{home}} {{ env.PATH }} {{raw user}}" })");
  REQUIRE(p.file);
  const auto& t = first_step(*p.file).field(ast::StepField::Kind::Run)->text;
  CHECK(t.text == "a\tb \"q\" \\ {{x}}   ");
  REQUIRE(t.interps.size() == 3);
  CHECK(t.interps[0].name == "home");
  CHECK(t.interps[0].at == 16);
  CHECK(t.interps[0].span.col == 38);
  CHECK(t.interps[1].name == "env.PATH");
  CHECK(t.interps[1].at == 17);
  CHECK(t.interps[2].name == "user");
  CHECK(t.interps[2].raw);
  CHECK_FALSE(t.interps[0].raw);
  CHECK(t.literal() == "a\tb \"q\" \\ {{x}} {{home}} {{env.PATH}} {{raw user}}");
  CHECK(t.form == ast::StringForm::Quoted);
}

TEST_CASE("raw strings keep everything as written") {
  CHECK(run_of(R"(step "s" { run 'docker inspect -f "{{.State}}" \n x' })") ==
        R"(docker inspect -f "{{.State}}" \n x)");
  auto p = parse("step \"s\" { run '''\n    a {{b}}\n      c\\n\n  ''' }");
  REQUIRE(p.file);
  const auto& t = first_step(*p.file).field(ast::StepField::Kind::Run)->text;
  CHECK(t.form == ast::StringForm::RawBlock);
  CHECK_FALSE(t.has_interp());
  CHECK(t.literal() == "a {{b}}\n  c\\n");
}

TEST_CASE("block strings strip indentation around interpolations") {
  auto p = parse("step \"s\" {\n  run \"\"\"\n    echo {{user}}\n      {{home}} end\n  \"\"\"\n}\n");
  REQUIRE(p.file);
  const auto& t = first_step(*p.file).field(ast::StepField::Kind::Run)->text;
  CHECK(t.literal() == "echo {{user}}\n  {{home}} end");
  CHECK(t.text == "echo \n   end");
  CHECK(t.interps.at(0).at == 5);
  CHECK(t.interps.at(1).at == 8);
  CHECK(t.interps.at(0).span.line == 3);
  CHECK(t.interps.at(0).span.col == 10);
  CHECK(t.interps.at(1).span.line == 4);
}

TEST_CASE("CRLF line endings and a BOM parse like LF files") {
  auto a = parse("\xEF\xBB\xBFstep \"s\" {\r\n  run \"\"\"\r\n    x\r\n    y\r\n  \"\"\"\r\n}\r\n");
  REQUIRE(a.file);
  CHECK(first_step(*a.file).field(ast::StepField::Kind::Run)->text.literal() == "x\ny");
  CHECK(first_step(*a.file).span.line == 1);
}

TEST_CASE("facts take every source, type and option") {
  auto p = parse(R"(fact n: version = sh "node --version" default "0" secret)");
  REQUIRE(p.file);
  const auto& f = first_fact(*p.file);
  CHECK(f.name == "n");
  CHECK(*f.type_name == "version");
  CHECK(f.source == ast::FactSource::Sh);
  CHECK(f.value.literal() == "node --version");
  REQUIRE(f.default_value);
  CHECK(f.default_value->str->literal() == "0");
  CHECK(f.secret);
  CHECK_FALSE(f.required);
  CHECK(f.span.col == 1);
  CHECK(f.span.end_col == 57);

  auto e = parse(R"(fact k = env "KEY" required)");
  REQUIRE(e.file);
  CHECK(first_fact(*e.file).source == ast::FactSource::Env);
  CHECK(first_fact(*e.file).required);

  auto v = parse(R"(fact c: int = "{{cpus}}" default -1)");
  REQUIRE(v.file);
  CHECK(first_fact(*v.file).source == ast::FactSource::Value);
  CHECK(first_fact(*v.file).default_value->int_value == -1);
}

TEST_CASE("ask takes default, secret and choices in any order") {
  auto p = parse(R"(ask s "Shell?" choices "zsh", "bash" default "zsh" secret)");
  REQUIRE(p.file);
  const auto& a = *p.file->items.at(0).as<ast::Ask>();
  CHECK(a.prompt.literal() == "Shell?");
  CHECK(a.choices.size() == 2);
  CHECK(a.default_value->literal() == "zsh");
  CHECK(a.secret);
}

TEST_CASE("expressions: not binds tighter than and, and tighter than or") {
  auto p = parse(R"(step "s" { when not a and b or c == "x" and (d or e) run "true" })");
  REQUIRE(p.file);
  const ast::Expr& e = *first_step(*p.file).field(ast::StepField::Kind::When)->expr;
  REQUIRE(e.kind == ast::Expr::Kind::Or);
  CHECK(e.lhs->kind == ast::Expr::Kind::And);
  CHECK(e.lhs->lhs->kind == ast::Expr::Kind::Not);
  CHECK(e.rhs->kind == ast::Expr::Kind::And);
  CHECK(e.rhs->lhs->kind == ast::Expr::Kind::Compare);
  CHECK(e.rhs->rhs->kind == ast::Expr::Kind::Or);
}

TEST_CASE("comparison operators, longest first") {
  for (const auto& [text, op] : std::vector<std::pair<std::string, lex::CmpOp>>{
           {"<=", lex::CmpOp::Le}, {">=", lex::CmpOp::Ge}, {"<", lex::CmpOp::Lt},
           {">", lex::CmpOp::Gt}, {"==", lex::CmpOp::Eq}, {"!=", lex::CmpOp::Ne}}) {
    auto p = parse("step \"s\" { when a " + text + " 3 run \"x\" }");
    REQUIRE(p.file);
    CHECK(first_step(*p.file).field(ast::StepField::Kind::When)->expr->op == op);
  }
}

TEST_CASE("skip if takes a command or a condition") {
  auto p = parse("step \"s\" {\n  skip if sh \"test -f x\"\n  run \"touch x\"\n}\nstep \"t\" { skip if done run \"x\" }");
  REQUIRE(p.file);
  CHECK(first_step(*p.file).skip_if()->kind == ast::StepField::Kind::SkipIfSh);
  CHECK(p.file->items.at(1).as<ast::Step>()->skip_if()->kind == ast::StepField::Kind::SkipIfExpr);
}

TEST_CASE("platform blocks nest and hold every declaration") {
  auto p = parse("platform linux {\n  env A = \"1\"\n  platform debian, ubuntu {\n    step \"s\" { run \"x\" }\n  }\n}\n");
  REQUIRE(p.file);
  const auto& outer = *p.file->items.at(0).as<ast::PlatformBlock>();
  CHECK(outer.names.at(0).name == "linux");
  const auto& inner = *outer.items.at(1).as<ast::PlatformBlock>();
  CHECK(inner.names.size() == 2);
  CHECK(inner.names[1].name == "ubuntu");
  CHECK(inner.span.line == 3);
  CHECK(inner.span.end_line == 5);
}

TEST_CASE("comments are kept with their spans") {
  auto p = parse("# one\nstep \"s\" { # two\n  run \"x\" # three\n}\n");
  REQUIRE(p.file);
  REQUIRE(p.file->comments.size() == 3);
  CHECK(p.file->comments[0].text == " one");
  CHECK(p.file->comments[2].span.line == 3);
}

TEST_CASE("a keyword is not a name, but may start one") {
  CHECK(parse("fact runner = sh \"x\"").file);
  CHECK(parse("fact if_ = sh \"x\"").file);
  const auto p = parse("fact run = sh \"x\"");
  CHECK(only_error(p).code == sink::E104);
  CHECK(only_error(p).span.col == 6);
}

TEST_CASE("syntax errors are located where the text goes wrong") {
  struct Case {
    std::string src, code;
    unsigned line, col;
    std::string in_message;
  };
  const std::vector<Case> cases{
      {"step \"s\" {\n  run \"abc\n}", "E101", 2, 11, "line 2, column 7"},
      {"step \"s\" {\n  run '''\n x\n", "E101", 4, 1, "line 2, column 7"},
      {"step \"s\" { run \"a\\z\" }", "E102", 1, 19, "escape"},
      {"step \"s\" { run \"{{a b}}\" }", "E103", 1, 21, "}}"},
      {"step \"s\" { run \"{{}}\" }", "E103", 1, 19, "name"},
      {"platform linux {\n", "E104", 2, 1, "line 1, column 16"},
      {"step \"s\" {\n run \"x\"\n", "E104", 3, 1, "line 1, column 10"},
      {"step \"s\" { when (a run \"x\" }", "E104", 1, 20, "`(`"},
      {"fact x: = sh \"y\"", "E104", 1, 9, "type"},
      {"ask q", "E104", 1, 6, "question"},
      {"step s { run \"x\" }", "E104", 1, 6, "name"},
      {"step \"s\" run \"x\"", "E104", 1, 10, "`{`"},
      {"}", "E104", 1, 1, "declaration"},
      {"fact a = sh \"x\" default", "E104", 1, 24, "default"},
      {"use std", "E104", 1, 5, "path"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.src);
    const auto p = parse(c.src);
    const auto& d = only_error(p);
    CHECK(sink::code_name(d.code) == c.code);
    CHECK(d.span.line == c.line);
    CHECK(d.span.col == c.col);
    CHECK(d.message.find(c.in_message) != std::string::npos);
    CHECK_FALSE(d.hint.empty());
  }
}

namespace {

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(SINK_SOURCE_ROOT) + "/" + relative);
  REQUIRE_MESSAGE(in, relative);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The names that `pattern`'s first group finds, line by line.
std::set<std::string> names(const std::string& text, const std::regex& pattern) {
  std::set<std::string> out;
  std::istringstream lines(text);
  std::string line, previous;
  for (; std::getline(lines, line); previous = line) {
    std::smatch m;
    // A template is PEG notation (kw(W), ^e), not a rule.
    if (std::regex_search(line, m, pattern) && previous.rfind("template", 0) != 0) out.insert(m[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("grammar/sinkfile.peg names the same rules as the PEGTL grammar") {
  const auto peg = names(read_source("grammar/sinkfile.peg"), std::regex(R"(^([a-z_][a-z0-9_]*)\s*<-)"));
  const auto pegtl = names(read_source("src/syntax/grammar.hpp"), std::regex(R"(^struct ([a-z_][a-z0-9_]*)\s*(:|$))"));
  CHECK(peg.size() > 100);
  std::vector<std::string> only_peg, only_pegtl;
  std::set_difference(peg.begin(), peg.end(), pegtl.begin(), pegtl.end(), std::back_inserter(only_peg));
  std::set_difference(pegtl.begin(), pegtl.end(), peg.begin(), peg.end(), std::back_inserter(only_pegtl));
  CHECK(only_peg == std::vector<std::string>{});
  CHECK(only_pegtl == std::vector<std::string>{});
}
