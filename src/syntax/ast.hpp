// The Sinkfile syntax tree: plain std containers. Each node carries the Span it was parsed
// from. A declaration or a sub-expression is a unique_ptr to its node (nothing shares one),
// and the tree is never changed once parsed, so a pointer into it stays valid as long as
// the File, wherever the File is moved.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "syntax/lexicon.hpp"
#include "diag/span.hpp"

namespace sink::ast {

using Str = std::string;
template <typename T>
using List = std::vector<T>;
template <typename T>
using Ptr = std::unique_ptr<const T>;

// `{{name}}`, `{{env.NAME}}` or `{{raw name}}` inside a string.
struct Interp {
  Str name;      // "git_name", "env.PATH"
  bool raw = false;      // inserted as shell text, not as a quoted value
  Span span;             // the whole {{...}}
  std::uint32_t at = 0;  // where it goes: a byte offset into Text::text
};

enum class StringForm { Quoted, Raw, QuotedBlock, RawBlock };  // "..", '..', """..""", '''..'''

// A string: its literal text (escapes decoded, block indentation removed) and the
// interpolations that go into it, in order.
struct Text {
  Str text;
  List<Interp> interps;
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
  Str name;                   // Kind::Name: fact, question, built-in or env.NAME
  Ptr<Text> str;              // Kind::String
  std::int64_t int_value = 0;
  bool bool_value = false;
  lex::CmpOp op = lex::CmpOp::Eq;  // Kind::Compare
  Ptr<Expr> lhs, rhs;              // Not uses lhs
  std::uint32_t depth = 0;         // levels of operators in this expression (a name: 0)
};

struct Use {
  Text path;
  Span span;
};

enum class FactSource { Sh, Env, Value };

// An option written more than once (`required required`): the checker reports it.
struct RepeatedOption {
  Str option;
  Span span;
};

struct Fact {
  Str name;
  Span name_span;
  std::optional<Str> type_name;  // as written; the checker validates it
  Span type_span;
  FactSource source = FactSource::Value;
  Text value;  // the command, the variable name, or the built string
  std::optional<Span> required;
  Ptr<Expr> default_value;  // a literal, as in a condition: Kind::String, Int or Bool
  std::optional<Span> secret;
  List<RepeatedOption> repeated;
  Span span;
  lex::Type type() const { return lex::type_from_name(type_name.value_or("string")).value_or(lex::Type::String); }
};

struct Ask {
  Str name;
  Span name_span;
  Text prompt;
  std::optional<Text> default_value;
  std::optional<Span> secret;
  List<Text> choices;
  std::optional<Span> choices_span;
  List<RepeatedOption> repeated;
  Span span;
};

struct EnvSet {
  Str name;
  Span name_span;
  Text value;
  Span span;
};

struct Helper {
  Str name;
  Span name_span;
  Text body;
  Span span;
};

struct StepField {
  enum class Kind { Run, SkipIfSh, SkipIfExpr, When, WhenSh, Error, Env, Dir, Unknown };
  Kind kind = Kind::Unknown;
  std::uint32_t keyword_length = 0;  // of the field's first word
  Span span;                    // the whole field
  Text text;                    // Run, SkipIfSh, WhenSh, Error, Dir; Env: the value
  Ptr<Expr> expr;               // SkipIfExpr, When
  Str name;                     // Env: the variable; Unknown: the word that is not a field
  Span name_span;               // Env: the variable's span

  Span keyword_span() const { return {span.file, span.line, span.col, span.line, span.col + keyword_length}; }
  bool is_script() const { return kind == Kind::Run || kind == Kind::SkipIfSh || kind == Kind::WhenSh; }
};

struct Step {
  Text name;
  List<StepField> fields;
  Span span;
  const StepField* field(StepField::Kind k, StepField::Kind or_k) const;  // the first of either kind
  const StepField* field(StepField::Kind k) const { return field(k, k); }
  const StepField* skip_if() const { return field(StepField::Kind::SkipIfSh, StepField::Kind::SkipIfExpr); }
  const StepField* when() const { return field(StepField::Kind::WhenSh, StepField::Kind::When); }
};

struct Item;

struct PlatformName {
  Str name;
  Span span;
};

struct PlatformBlock {
  List<PlatformName> names;
  List<Item> items;
  Span span;
};

// The block's platforms as written: "debian, ubuntu".
inline std::string names_of(const PlatformBlock& b) {
  std::string names;
  for (const auto& n : b.names) names += (names.empty() ? "" : ", ") + n.name;
  return names;
}

// A declaration.
struct Item {
  std::variant<Ptr<Use>, Ptr<Fact>, Ptr<Ask>, Ptr<EnvSet>, Ptr<Step>, Ptr<PlatformBlock>, Ptr<Helper>> node;

  // The declaration if it is a T, else null.
  template <typename T>
  const T* as() const {
    const auto* p = std::get_if<Ptr<T>>(&node);
    return p ? p->get() : nullptr;
  }
  // Calls f with the declaration, whatever its type.
  template <typename F>
  decltype(auto) visit(F&& f) const {
    return std::visit([&](const auto& p) -> decltype(auto) { return f(*p); }, node);
  }
};

struct Comment {
  Str text;  // without the leading '#'
  Span span;
};

struct File {
  std::uint32_t file_id = 0;
  List<Item> items;
  List<Comment> comments;
};

// Calls f(const T&) for each declaration of type T in `items`, in order, inside platform
// blocks too (a block itself comes before what it holds). With T = Item, f gets every item.
template <typename T, typename F>
void for_each(const List<Item>& items, F&& f) {
  for (const auto& item : items) {
    if constexpr (std::is_same_v<T, Item>) f(item);
    else if (const auto* d = item.as<T>()) f(*d);
    if (const auto* b = item.as<PlatformBlock>()) for_each<T>(b->items, f);
  }
}

}  // namespace sink::ast
