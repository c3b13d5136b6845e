#include "editor/grammar_export.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "util/json.hpp"
#include "syntax/grammar.hpp"
#include "syntax/lexicon.hpp"

namespace sink {

// The fixed skeletons of the grammars, src/editor/sink.tmLanguage.json.in and sink.vim.in,
// embedded at build time (meson.build). Each `@{name}` in them is filled in below.
std::string_view textmate_template();
std::string_view vim_template();

namespace editor {
namespace {

namespace pg = tao::pegtl;
namespace g = sink::grammar;

// ---- characters, read from the PEGTL rules (deduced from the rules' base classes) ----

using Ranges = std::vector<std::pair<char, char>>;

template <char... Cs>
Ranges ranges_of(const pg::ranges<Cs...>& /*rule*/) {  // ranges<'a','z','_'>: pairs, then a single
  const char cs[] = {Cs...};
  Ranges out;
  for (std::size_t i = 0; i < sizeof...(Cs); i += 2)
    out.emplace_back(cs[i], i + 1 < sizeof...(Cs) ? cs[i + 1] : cs[i]);
  return out;
}
template <char... Cs>
Ranges ranges_of(const pg::one<Cs...>& /*rule*/) {
  return {{Cs, Cs}...};
}
template <char... Cs>
Ranges ranges_of(const pg::star<pg::one<Cs...>>& /*rule*/) {  // star<one<' ', '\t'>>
  return {{Cs, Cs}...};
}

// ---- two regex dialects: Oniguruma (TextMate) and Vim (magic) ----

// `s` with a backslash before each character that is one of `special`.
std::string escaped(std::string_view s, std::string_view special) {
  std::string out;
  for (const char c : s) {
    if (special.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

struct Dialect {
  bool vim;

  std::string lit(std::string_view s) const { return escaped(s, vim ? "\\^$.*[]~/" : "\\^$.|?*+()[]{}/"); }
  std::string cls(const Ranges& ranges) const {  // a character class; a tab is written \t
    const std::string_view special = vim ? "\\]^-" : "\\]^-[";
    auto one = [&](char c) { return c == '\t' ? std::string("\\t") : escaped(std::string(1, c), special); };
    std::string out = "[";
    for (const auto& [lo, hi] : ranges) out += lo == hi ? one(lo) : one(lo) + "-" + one(hi);
    return out + "]";
  }
  std::string words(std::vector<std::string_view> ws) const {  // non-capturing, longest first
    std::stable_sort(ws.begin(), ws.end(), [](auto a, auto b) { return a.size() > b.size(); });
    std::string out = vim ? "\\%(" : "(?:";
    for (std::size_t i = 0; i < ws.size(); ++i) out += (i ? (vim ? "\\|" : "|") : "") + lit(ws[i]);
    return out + (vim ? "\\)" : ")");
  }
};

template <typename Table, typename Field>
std::vector<std::string_view> column(const Table& table, Field field) {
  std::vector<std::string_view> out;
  for (const auto& row : table) out.push_back(row.*field);
  return out;
}

// The keywords by how editors colour them, under the templates' names. Vim matches `env`
// and `platform` (they start more than a word) and gives `fact`, `ask` and `helper` rules
// of their own, in its template.
std::map<std::string, std::vector<std::string_view>> keyword_classes(bool vim) {
  const auto in = [](std::string_view kw, const auto& list) { return std::ranges::find(list, kw) != list.end(); };
  std::map<std::string, std::vector<std::string_view>> out;
  for (const auto kw : lex::keywords) {
    if (vim && in(kw, std::array{lex::kw_env, lex::kw_platform, lex::kw_fact, lex::kw_ask, lex::kw_helper})) continue;
    const char* name = "other";
    if (in(kw, lex::declaration_keywords)) name = "declaration";
    else if (in(kw, lex::step_field_keywords) || kw == lex::kw_if) name = "control";
    else if (in(kw, std::array{lex::kw_and, lex::kw_or, lex::kw_not})) name = "logical";
    else if (in(kw, std::array{lex::kw_true, lex::kw_false})) name = "boolean";
    out[name].push_back(kw);
  }
  return out;
}

// The value of each `@{name}` of the templates, in the dialect's syntax.
std::map<std::string, std::string> placeholders(const Dialect& d) {
  std::map<std::string, std::string> values;
  const auto name_first = ranges_of(g::ident_first{}), name_other = ranges_of(g::ident_other{});
  values["name_first"] = d.cls(name_first);
  values["word"] = d.cls(name_first) + d.cls(name_other) + "*";
  values["before"] = d.vim ? d.cls(name_other) + "\\@<!" : "(?<!" + d.cls(name_other) + ")";
  values["after"] = d.vim ? "\\%(" + d.cls(name_other) + "\\)\\@!" : "(?!" + d.cls(name_other) + ")";
  const std::string not_keyword = d.words({lex::keywords.begin(), lex::keywords.end()}) + values["after"];
  values["identifier"] = (d.vim ? "\\%(" + not_keyword + "\\)\\@!" : "(?!" + not_keyword + ")") + values["word"];
  values["blanks"] = d.cls(ranges_of(g::hblank{}));
  values["escape_codes"] = d.cls(ranges_of(g::escape_code{}));
  values["operators"] = d.words({lex::operators.begin(), lex::operators.end()});
  std::vector<std::string> codes;  // Vim's 'iskeyword': the name characters, as codes
  for (const auto& [lo, hi] : name_other)
    codes.push_back(lo == hi ? fmt::format("{}", int{lo}) : fmt::format("{}-{}", int{lo}, int{hi}));
  values["iskeyword"] = fmt::format("{}", fmt::join(codes, ","));
  // Word lists: an alternation in a regex; Vim's `syn keyword` takes them spaced.
  auto words = [&](const std::string& name, const std::vector<std::string_view>& ws) {
    values[name] = d.vim ? fmt::format("{}", fmt::join(ws, " ")) : d.words(ws);
  };
  for (const auto& [name, kws] : keyword_classes(d.vim)) words(name, kws);
  words("builtins", column(lex::builtins, &lex::Builtin::name));
  words("platforms", column(lex::platforms, &lex::Platform::name));
  words("types", column(lex::types, &lex::TypeName::name));
  return values;
}

// A template with each `@{name}` replaced by its value (JSON-escaped in a JSON template).
std::string fill(std::string_view tmpl, const Dialect& d) {
  const auto values = placeholders(d);
  std::string out;
  for (std::size_t at; (at = tmpl.find("@{")) != std::string_view::npos;) {
    const std::size_t end = tmpl.find('}', at);
    const std::string& value = values.at(std::string(tmpl.substr(at + 2, end - at - 2)));
    out.append(tmpl.substr(0, at)).append(d.vim ? value : json::escape(value));
    tmpl.remove_prefix(end + 1);
  }
  return out.append(tmpl);
}

}  // namespace

std::string textmate_grammar() { return fill(textmate_template(), Dialect{false}); }

std::string vim_syntax() { return fill(vim_template(), Dialect{true}); }

}  // namespace editor
}  // namespace sink
