// The Sinkfile syntax tree. Every node owns its data (no views into the source buffer)
// and carries the Span it was parsed from.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "syntax/lexicon.hpp"
#include "syntax/span.hpp"

namespace sink::ast {

// `{{name}}`, `{{env.NAME}}` or `{{raw name}}` inside a string.
struct Interp {
  std::string name;  // "git_name", "env.PATH"
  bool raw = false;  // inserted as shell text, not as a quoted value
  Span span;         // the whole {{...}}
};

// One piece of a string: literal text (escapes decoded) or an interpolation.
struct Piece {
  std::string text;
  std::optional<Interp> interp;
};

enum class StringForm { Quoted, Raw, QuotedBlock, RawBlock };  // "..", '..', """..""", '''..'''

struct Text {
  std::vector<Piece> pieces;
  StringForm form = StringForm::Quoted;
  Span span;
  bool has_interp() const;
  std::string literal() const;  // the text with each interpolation shown as {{name}}
};

struct Expr {
  enum class Kind { Name, String, Int, Bool, Not, And, Or, Compare };
  Kind kind = Kind::Name;
  Span span;
  std::string name;  // Kind::Name: fact, question, built-in or env.NAME
  Text str;          // Kind::String
  std::int64_t int_value = 0;
  bool bool_value = false;
  lex::CmpOp op = lex::CmpOp::Eq;  // Kind::Compare
  std::unique_ptr<Expr> lhs, rhs;  // Not uses lhs
  std::uint32_t depth = 1;         // levels of operators below and including this one
};

struct Use {
  Text path;
  Span span;
};

enum class FactSource { Sh, Env, Value };

// A literal after `default`: a string, an integer or true/false.
struct Literal {
  enum class Kind { String, Int, Bool };
  Kind kind = Kind::String;
  Text str;
  std::int64_t int_value = 0;
  bool bool_value = false;
  Span span;
};

struct Fact {
  std::string name;
  Span name_span;
  std::optional<std::string> type_name;  // as written; the checker validates it
  Span type_span;
  FactSource source = FactSource::Value;
  Text value;  // the command, the variable name, or the built string
  std::optional<Span> required;
  std::optional<Literal> default_value;
  std::optional<Span> secret;
  Span span;
};

struct Ask {
  std::string name;
  Span name_span;
  Text prompt;
  std::optional<Text> default_value;
  std::optional<Span> secret;
  std::vector<Text> choices;
  std::optional<Span> choices_span;
  Span span;
};

struct EnvSet {
  std::string name;
  Span name_span;
  Text value;
  Span span;
};

struct Helper {
  std::string name;
  Span name_span;
  Text body;
  Span span;
};

struct StepField {
  enum class Kind { Run, SkipIfSh, SkipIfExpr, When, Error, Env, Dir, Unknown };
  Kind kind = Kind::Unknown;
  Span span;                    // the whole field
  Span keyword_span;            // the field's first word
  Text text;                    // Run, SkipIfSh, Error, Dir; Env: the value
  std::unique_ptr<Expr> expr;   // SkipIfExpr, When
  std::string name;             // Env: the variable; Unknown: the word that is not a field
  Span name_span;               // Env: the variable's span
};

struct Step {
  Text name;
  std::vector<StepField> fields;
  Span span;
  const StepField* field(StepField::Kind k) const;  // the first of that kind
  const StepField* skip_if() const;                 // SkipIfSh or SkipIfExpr
};

struct Item;

struct PlatformName {
  std::string name;
  Span span;
};

struct PlatformBlock {
  std::vector<PlatformName> names;
  std::vector<Item> items;
  Span span;
};

struct Item {
  std::variant<Use, Fact, Ask, EnvSet, Step, PlatformBlock, Helper> node;
};

struct Comment {
  std::string text;  // without the leading '#'
  Span span;
};

// One parsed file.
struct File {
  std::uint32_t file_id = 0;
  std::vector<Item> items;
  std::vector<Comment> comments;
};

}  // namespace sink::ast
