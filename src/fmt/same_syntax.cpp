// Whether two trees are the same, spans aside (formatter.hpp).
#include "fmt/formatter.hpp"

#include <algorithm>
#include <type_traits>

namespace sink {

bool same_text(const ast::Text& a, const ast::Text& b) {
  return a.form == b.form && a.text == b.text &&
         std::ranges::equal(a.interps, b.interps,
                            [](const auto& x, const auto& y) { return x.name == y.name && x.raw == y.raw && x.at == y.at; });
}

namespace {

bool same(const ast::Text* a, const ast::Text* b) { return a && b ? same_text(*a, *b) : a == b; }
bool same(const ast::Expr* a, const ast::Expr* b) {
  if (!a || !b) return a == b;
  return a->kind == b->kind && a->name == b->name && a->int_value == b->int_value && a->bool_value == b->bool_value &&
         a->op == b->op && a->depth == b->depth && same(a->str.get(), b->str.get()) &&
         same(a->lhs.get(), b->lhs.get()) && same(a->rhs.get(), b->rhs.get());
}

bool same_repeats(const ast::List<ast::RepeatedOption>& a, const ast::List<ast::RepeatedOption>& b) {
  return std::ranges::equal(a, b, {}, &ast::RepeatedOption::option, &ast::RepeatedOption::option);
}

bool same_items(const ast::List<ast::Item>& a, const ast::List<ast::Item>& b);

bool same_node(const ast::Use& a, const ast::Use& b) { return same_text(a.path, b.path); }
bool same_node(const ast::Fact& a, const ast::Fact& b) {
  return a.name == b.name && a.type_name == b.type_name && a.source == b.source && same_text(a.value, b.value) &&
         !a.required == !b.required && !a.secret == !b.secret && same(a.default_value.get(), b.default_value.get()) && same_repeats(a.repeated, b.repeated);
}
bool same_node(const ast::Ask& a, const ast::Ask& b) {
  return a.name == b.name && same_text(a.prompt, b.prompt) && !a.default_value == !b.default_value &&
         (!a.default_value || same_text(*a.default_value, *b.default_value)) && !a.secret == !b.secret &&
         !a.choices_span == !b.choices_span && same_repeats(a.repeated, b.repeated) &&
         std::ranges::equal(a.choices, b.choices, same_text);
}
bool same_node(const ast::EnvSet& a, const ast::EnvSet& b) { return a.name == b.name && same_text(a.value, b.value); }
bool same_node(const ast::Helper& a, const ast::Helper& b) { return a.name == b.name && same_text(a.body, b.body); }
bool same_node(const ast::Step& a, const ast::Step& b) {
  const auto same_field = [](const ast::StepField& x, const ast::StepField& y) {
    return x.kind == y.kind && x.keyword_length == y.keyword_length && same_text(x.text, y.text) &&
           same(x.expr.get(), y.expr.get()) && x.name == y.name;
  };
  return same_text(a.name, b.name) && std::ranges::equal(a.fields, b.fields, same_field);
}
bool same_node(const ast::PlatformBlock& a, const ast::PlatformBlock& b) {
  return std::ranges::equal(a.names, b.names, {}, &ast::PlatformName::name, &ast::PlatformName::name) &&
         same_items(a.items, b.items);
}

bool same_items(const ast::List<ast::Item>& a, const ast::List<ast::Item>& b) {
  return std::ranges::equal(a, b, [](const ast::Item& x, const ast::Item& y) {
    return x.node.index() == y.node.index() &&
           x.visit([&](const auto& n) { return same_node(n, *y.as<std::decay_t<decltype(n)>>()); });
  });
}

}  // namespace

bool same_syntax(const ast::File& a, const ast::File& b) { return same_items(a.items, b.items); }

}  // namespace sink
