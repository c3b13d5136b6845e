// The checker's internals, shared by checker.cpp (declarations, steps, platforms) and
// types.cpp (names and expressions).
#pragma once

#include <bitset>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "check/checker.hpp"
#include "syntax/ast.hpp"
#include "syntax/lexicon.hpp"

namespace sink::check {

// The longest chain of values made from values (a fact built from a fact built from ...).
inline constexpr std::uint32_t kMaxChain = 100;

// A set of machines: a bit for each entry of lex::platforms (an OS entry: that OS's machines
// of no listed distribution) and one for the OSes the table does not list, which only code
// outside any block runs on.
using MachineSet = std::bitset<lex::platforms.size() + 1>;

// "Sinkfile:12": where a declaration stands, in a message.
inline std::string where_text(const Program& p, Span s) { return p.sources.get(s.file).path + ":" + std::to_string(s.line); }

// The type of an expression: lex::Type's four first, in its order, then the kinds of
// literals, which keep their own kind: "20" may compare with a version, 8 with an int.
enum class VType { String, Bool, Int, Version, Unknown, StringLit, IntLit };
VType fact_type(const ast::Fact& f);  // Unknown for an unknown type name

struct Decl {
  const ast::Fact* fact = nullptr;  // exactly one of fact and ask
  const ast::Ask* ask = nullptr;
  std::size_t module = 0;
  std::vector<std::string_view> deps{};  // the names its value needs
  bool used = false;
  bool derived_secret = false;
  bool clash = false;  // also defined in another module: reported once, at the clash
  enum class Mark : unsigned char { None, Active, Done } mark = Mark::None;  // for the cycle search
  std::size_t next_dep = 0;                                                  // and where it stands in deps
  const ast::PlatformBlock* block = nullptr;  // the innermost platform block it is declared in
  MachineSet where{};                         // the machines where it has a value
  std::uint32_t chain = 1;            // the longest chain of values this one is made from, itself included
  const Decl* chain_next = nullptr;  // the next value on that chain
  const ast::Str& name() const { return fact ? fact->name : ask->name; }
  Span name_span() const { return fact ? fact->name_span : ask->name_span; }
  // Declared secret, or a fact whose value is made from a secret.
  bool secret() const { return derived_secret || (fact ? fact->secret.has_value() : ask->secret.has_value()); }
  VType type() const { return fact ? fact_type(*fact) : VType::String; }
};

// Where an interpolated value ends up, which decides what it may contain.
enum class TextUse {
  Shell,    // run, skip if sh, fact sh: passed to the shell as data
  Printed,  // error messages and dir: shown to the user, so no secrets
  Value,    // env values, built facts, defaults: a plain value
};

class Checker {
 public:
  Checker(const Program& program, Diagnostics& diags) : program_(program), diags_(diags) {}
  void run();

 private:
  // checker.cpp
  void compute_visibility();
  void collect(const ast::List<ast::Item>& items, std::size_t module, MachineSet where,
               const ast::PlatformBlock* block);
  void check_items(const ast::List<ast::Item>& items, MachineSet where);
  void check_fact(const ast::Fact& f);
  void check_ask(const ast::Ask& a);
  void check_step(const ast::Step& s);
  void check_cycles();
  void report_unused();

  // types.cpp
  void collect_std_helpers();
  void check_std_helpers(const ast::Text& text);
  // The type of a name; reports it when unknown. `decl` receives its declaration, if any.
  VType resolve(std::string_view name, Span span, Decl** decl = nullptr);
  // Checks the interpolations of a text used as `use`; `shown_in` names a Printed text.
  void check_text(const ast::Text& text, TextUse use, const char* shown_in = "");
  VType type_of(const ast::Expr& e);
  void expect_bool(const ast::Expr& e, std::string_view keyword);  // the operand of `keyword`
  void check_compare(const ast::Expr& e, VType l, VType r);
  void check_default(const ast::Fact& f, VType type);
  void check_value(const ast::Fact& f, VType type);
  Decl* lookup(std::string_view name);

  const Program& program_;
  Diagnostics& diags_;
  std::size_t module_ = 0;  // the module being checked
  MachineSet where_;  // the machines the declaration being checked is for
  std::vector<const ast::PlatformBlock*> outer_;  // the platform blocks around it, innermost last
  // Helpers of the standard modules that no module of the program uses, with their module.
  std::unordered_map<std::string_view, std::string_view> std_helpers_;
  std::vector<std::vector<bool>> sees_;
  // Keys and names are views of the AST, which outlives the checker.
  std::unordered_map<std::string_view, Decl> decls_;
  std::vector<Decl*> decl_order_;
  std::unordered_map<std::string_view, std::pair<const ast::Helper*, std::size_t>> helpers_;
  // The well-known ones and those the program sets or reads; sorted: deterministic suggestions.
  std::set<std::string_view> env_names_{lex::well_known_env.begin(), lex::well_known_env.end()};
  // Variables a secret env fact reads: {{env.NAME}} of one is secret wherever it stands.
  std::unordered_set<std::string_view> secret_env_;
  bool secret_env(std::string_view name) const {
    return name.starts_with(lex::env_prefix) && secret_env_.count(name.substr(lex::env_prefix.size()));
  }
  // The steps of each name so far, with the machines they are for.
  std::unordered_map<std::string_view, std::vector<std::pair<const ast::Step*, MachineSet>>> steps_;
};

}  // namespace sink::check
