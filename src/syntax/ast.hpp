// The Sinkfile syntax tree. It is owned: every node, list and string lives in the arena
// of its File, or in the source text, which the File holds a share of (names are views
// of it, so they live as long as the tree, whatever becomes of the Sources it was parsed
// from). Each node carries the Span it was parsed from. Nodes are plain data (trivially
// copyable); the arena frees them all at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "syntax/arena.hpp"
#include "syntax/lexicon.hpp"
#include "diag/span.hpp"

namespace sink::ast {

// A string of the tree: a view of text in the File's arena (or of a static string). It
// reads like a std::string_view and turns into a std::string where one is needed.
struct Str : std::string_view {
  constexpr Str() = default;
  constexpr Str(const char* s) : std::string_view(s) {}
  constexpr explicit Str(std::string_view s) : std::string_view(s) {}
  operator std::string() const { return std::string(data(), size()); }
};
inline std::string operator+(const char* a, Str b) { return std::string(a).append(b); }
inline std::string operator+(const std::string& a, Str b) { return std::string(a).append(b); }
inline std::string operator+(std::string&& a, Str b) { return std::move(a.append(b)); }
inline std::string operator+(Str a, const char* b) { return std::string(a).append(b); }
inline std::string operator+(Str a, const std::string& b) { return std::string(a).append(b); }
inline std::string operator+(Str a, Str b) { return std::string(a).append(b); }
inline std::string operator+(char a, Str b) { return std::string(1, a).append(b); }
inline std::string operator+(Str a, char b) { return std::string(a) + b; }

// A list of nodes in the arena, in order.
template <typename T>
class List {
 public:
  constexpr List() = default;
  constexpr List(const T* data, std::size_t size) : data_(data), size_(static_cast<std::uint32_t>(size)) {}
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  const T& at(std::size_t i) const {
    if (i >= size_) throw std::out_of_range("ast::List::at");
    return data_[i];
  }
  const T& front() const { return data_[0]; }
  const T& back() const { return data_[size_ - 1]; }

 private:
  const T* data_ = nullptr;
  std::uint32_t size_ = 0;
};

// A link to a node in the arena (null: none).
template <typename T>
class Ptr {
 public:
  constexpr Ptr() = default;
  constexpr Ptr(std::nullptr_t) {}
  constexpr explicit Ptr(const T* p) : p_(p) {}
  const T* get() const { return p_; }
  const T& operator*() const { return *p_; }
  const T* operator->() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  const T* p_ = nullptr;
};

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
      if (in.at > from) on_text(text.substr(from, in.at - from));
      on_interp(in);
      from = in.at;
    }
    if (from < text.size()) on_text(text.substr(from));
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
  Str name;
  Span name_span;
  std::optional<Str> type_name;  // as written; the checker validates it
  Span type_span;
  FactSource source = FactSource::Value;
  Text value;  // the command, the variable name, or the built string
  std::optional<Span> required;
  std::optional<Literal> default_value;
  std::optional<Span> secret;
  List<RepeatedOption> repeated;
  Span span;
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
};

struct Step {
  Text name;
  List<StepField> fields;
  Span span;
  const StepField* field(StepField::Kind k) const;  // the first of that kind
  const StepField* skip_if() const;                 // SkipIfSh or SkipIfExpr
  const StepField* when() const;                    // When or WhenSh
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

// A declaration: a link to its node, so that lists of them stay small.
struct Item {
  std::variant<const Use*, const Fact*, const Ask*, const EnvSet*, const Step*, const PlatformBlock*, const Helper*>
      node;

  // The declaration if it is a T, else null.
  template <typename T>
  const T* as() const {
    const auto* p = std::get_if<const T*>(&node);
    return p ? *p : nullptr;
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

// One parsed file. Its arena and its source own every node, list and string of the tree.
struct File {
  std::uint32_t file_id = 0;
  List<Item> items;
  List<Comment> comments;
  std::shared_ptr<const SourceFile> source;
  std::unique_ptr<Arena> arena;
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

// Nodes live in an arena that runs no destructors.
static_assert(std::is_trivially_destructible_v<Step> && std::is_trivially_copyable_v<Step>);
static_assert(std::is_trivially_destructible_v<Fact> && std::is_trivially_copyable_v<Fact>);
static_assert(std::is_trivially_destructible_v<Ask> && std::is_trivially_copyable_v<Ask>);
static_assert(std::is_trivially_destructible_v<PlatformBlock> && std::is_trivially_copyable_v<Item>);
static_assert(std::is_trivially_destructible_v<Expr> && std::is_trivially_copyable_v<Comment>);

}  // namespace sink::ast
