// The Sinkfile syntax tree. Every node owns its data (no views into the source buffer)
// and carries the Span it was parsed from.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "syntax/lexicon.hpp"
#include "syntax/span.hpp"

namespace sink::ast {

// `{{name}}`, `{{env.NAME}}` or `{{raw name}}` inside a string.
struct Interp {
  std::string name;      // "git_name", "env.PATH"
  bool raw = false;      // inserted as shell text, not as a quoted value
  Span span;             // the whole {{...}}
  std::uint32_t at = 0;  // where it goes: a byte offset into Text::text
};

enum class StringForm { Quoted, Raw, QuotedBlock, RawBlock };  // "..", '..', """..""", '''..'''

// A string: its literal text (escapes decoded, block indentation removed) and the
// interpolations that go into it, in order. Most strings have none: one allocation.
struct Text {
  std::string text;
  std::vector<Interp> interps;
  StringForm form = StringForm::Quoted;
  Span span;

  bool has_interp() const { return !interps.empty(); }
  std::string literal() const;  // the text with each interpolation shown as {{name}}
  // Calls on_text(std::string_view) and on_interp(const Interp&) in order; empty
  // stretches of text are skipped.
  template <typename OnText, typename OnInterp>
  void visit(OnText&& on_text, OnInterp&& on_interp) const {
    std::size_t from = 0;
    for (const auto& in : interps) {
      if (in.at > from) on_text(std::string_view(text).substr(from, in.at - from));
      on_interp(in);
      from = in.at;
    }
    if (from < text.size()) on_text(std::string_view(text).substr(from));
  }
};

struct Expr {
  enum class Kind { Name, String, Int, Bool, Not, And, Or, Compare };
  Kind kind = Kind::Name;
  Span span;
  std::string name;           // Kind::Name: fact, question, built-in or env.NAME
  std::unique_ptr<Text> str;  // Kind::String
  std::int64_t int_value = 0;
  bool bool_value = false;
  lex::CmpOp op = lex::CmpOp::Eq;  // Kind::Compare
  std::unique_ptr<Expr> lhs, rhs;  // Not uses lhs
  std::uint32_t depth = 0;         // levels of operators in this expression (a name: 0)
};

struct Use {
  Text path;
  Span span;
};

enum class FactSource { Sh, Env, Value };

// An option written more than once (`required required`): the checker reports it.
struct RepeatedOption {
  std::string option;
  Span span;
};

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
  std::vector<RepeatedOption> repeated;
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
  std::vector<RepeatedOption> repeated;
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
  std::uint32_t keyword_length = 0;  // of the field's first word
  Span span;                    // the whole field
  Text text;                    // Run, SkipIfSh, Error, Dir; Env: the value
  std::unique_ptr<Expr> expr;   // SkipIfExpr, When
  std::string name;             // Env: the variable; Unknown: the word that is not a field
  Span name_span;               // Env: the variable's span

  Span keyword_span() const { return {span.file, span.line, span.col, span.line, span.col + keyword_length}; }
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

// A declaration. Each is boxed, so that lists of them stay small and cheap to grow.
struct Item {
  std::variant<std::unique_ptr<Use>, std::unique_ptr<Fact>, std::unique_ptr<Ask>, std::unique_ptr<EnvSet>,
               std::unique_ptr<Step>, std::unique_ptr<PlatformBlock>, std::unique_ptr<Helper>>
      node;

  template <typename T>
  static Item of(T&& value) {
    return Item{std::make_unique<std::decay_t<T>>(std::forward<T>(value))};
  }
  // The declaration if it is a T, else null.
  template <typename T>
  const T* as() const {
    const auto* p = std::get_if<std::unique_ptr<T>>(&node);
    return p ? p->get() : nullptr;
  }
  // Calls f with the declaration, whatever its type.
  template <typename F>
  decltype(auto) visit(F&& f) const {
    return std::visit([&](const auto& p) -> decltype(auto) { return f(*p); }, node);
  }
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
