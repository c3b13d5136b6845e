#include "fmt/same_syntax.hpp"

#include <algorithm>
#include <type_traits>

#include "fmt/formatter.hpp"

namespace sink {

bool same_text(const ast::Text& a, const ast::Text& b) {
  if (a.form != b.form || a.text != b.text || a.interps.size() != b.interps.size()) return false;
  for (std::size_t i = 0; i < a.interps.size(); ++i) {
    const auto &x = a.interps[i], &y = b.interps[i];
    if (x.name != y.name || x.raw != y.raw || x.at != y.at) return false;
  }
  return true;
}

namespace {

bool same(const ast::Expr* a, const ast::Expr* b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind || a->name != b->name || a->int_value != b->int_value || a->bool_value != b->bool_value ||
      a->op != b->op || a->depth != b->depth || !a->str != !b->str)
    return false;
  if (a->str && !same_text(*a->str, *b->str)) return false;
  return same(a->lhs.get(), b->lhs.get()) && same(a->rhs.get(), b->rhs.get());
}

bool same_repeats(const ast::List<ast::RepeatedOption>& a, const ast::List<ast::RepeatedOption>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.option == y.option; });
}

bool same_items(const ast::List<ast::Item>& a, const ast::List<ast::Item>& b);

bool same_node(const ast::Use& a, const ast::Use& b) { return same_text(a.path, b.path); }
bool same_node(const ast::Fact& a, const ast::Fact& b) {
  if (a.name != b.name || a.type_name != b.type_name || a.source != b.source || !same_text(a.value, b.value) ||
      !a.required != !b.required || !a.secret != !b.secret || !a.default_value != !b.default_value ||
      !same_repeats(a.repeated, b.repeated))
    return false;
  if (!a.default_value) return true;
  const auto &x = *a.default_value, &y = *b.default_value;
  return x.kind == y.kind && same_text(x.str, y.str) && x.int_value == y.int_value && x.bool_value == y.bool_value;
}
bool same_node(const ast::Ask& a, const ast::Ask& b) {
  return a.name == b.name && same_text(a.prompt, b.prompt) && !a.default_value == !b.default_value &&
         (!a.default_value || same_text(*a.default_value, *b.default_value)) && !a.secret == !b.secret &&
         !a.choices_span == !b.choices_span && same_repeats(a.repeated, b.repeated) &&
         std::equal(a.choices.begin(), a.choices.end(), b.choices.begin(), b.choices.end(), same_text);
}
bool same_node(const ast::EnvSet& a, const ast::EnvSet& b) { return a.name == b.name && same_text(a.value, b.value); }
bool same_node(const ast::Helper& a, const ast::Helper& b) { return a.name == b.name && same_text(a.body, b.body); }
bool same_node(const ast::Step& a, const ast::Step& b) {
  return same_text(a.name, b.name) &&
         std::equal(a.fields.begin(), a.fields.end(), b.fields.begin(), b.fields.end(), [](const auto& x, const auto& y) {
           return x.kind == y.kind && x.keyword_length == y.keyword_length && same_text(x.text, y.text) &&
                  same(x.expr.get(), y.expr.get()) && x.name == y.name;
         });
}
bool same_node(const ast::PlatformBlock& a, const ast::PlatformBlock& b) {
  return std::equal(a.names.begin(), a.names.end(), b.names.begin(), b.names.end(),
                    [](const auto& x, const auto& y) { return x.name == y.name; }) &&
         same_items(a.items, b.items);
}

bool same_items(const ast::List<ast::Item>& a, const ast::List<ast::Item>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].node.index() != b[i].node.index()) return false;
    const bool eq = a[i].visit([&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      return same_node(x, *b[i].as<T>());
    });
    if (!eq) return false;
  }
  return true;
}

}  // namespace

bool same_syntax(const ast::File& a, const ast::File& b) { return same_items(a.items, b.items); }

}  // namespace sink
