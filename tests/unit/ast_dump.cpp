#include "ast_dump.hpp"

#include "util/json.hpp"

namespace sink {
namespace {

std::string at(const Span& s) {
  return "@" + std::to_string(s.line) + ":" + std::to_string(s.col) + "-" + std::to_string(s.end_line) + ":" +
         std::to_string(s.end_col);
}

const char* form_name(ast::StringForm f) {
  switch (f) {
    case ast::StringForm::Quoted: return "q";
    case ast::StringForm::Raw: return "r";
    case ast::StringForm::QuotedBlock: return "qb";
    case ast::StringForm::RawBlock: return "rb";
  }
  return "?";
}

std::string text(const ast::Text& t) {
  std::string out = std::string(form_name(t.form)) + "[";
  bool first = true;
  auto sep = [&]() {
    out += first ? "" : " ";
    first = false;
  };
  t.visit([&](std::string_view s) { sep(); out += "\"" + json::escape(s) + "\""; },
          [&](const ast::Interp& in) {
            sep();
            out += "{{" + std::string(in.raw ? "raw " : "") + in.name + " " + at(in.span) + "}}";
          });
  return out + "]" + at(t.span);
}

std::string expr(const ast::Expr& e) {
  using K = ast::Expr::Kind;
  switch (e.kind) {
    case K::Name: return e.name + at(e.span);
    case K::String: return text(*e.str);
    case K::Int: return std::to_string(e.int_value) + at(e.span);
    case K::Bool: return std::string(e.bool_value ? "true" : "false") + at(e.span);
    case K::Not: return "(not " + expr(*e.lhs) + ")" + at(e.span);
    case K::And: return "(and " + expr(*e.lhs) + " " + expr(*e.rhs) + ")" + at(e.span);
    case K::Or: return "(or " + expr(*e.lhs) + " " + expr(*e.rhs) + ")" + at(e.span);
    case K::Compare:
      return "(" + std::string(lex::op_text(e.op)) + " " + expr(*e.lhs) + " " + expr(*e.rhs) + ")" + at(e.span);
  }
  return "?";
}

const char* source_name(ast::FactSource s) {
  switch (s) {
    case ast::FactSource::Sh: return "sh";
    case ast::FactSource::Env: return "env";
    case ast::FactSource::Value: return "value";
  }
  return "?";
}

void dump_items(const ast::List<ast::Item>& items, int depth, std::string& out) {
  const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
  for (const auto& item : items) {
    item.visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::Use>) {
            out += pad + "use " + text(n.path) + " " + at(n.span) + "\n";
          } else if constexpr (std::is_same_v<T, ast::Fact>) {
            out += pad + "fact " + n.name + at(n.name_span);
            if (n.type_name) out += " : " + *n.type_name + at(n.type_span);
            out += " = " + std::string(source_name(n.source)) + " " + text(n.value);
            if (n.required) out += " required" + at(*n.required);
            if (n.default_value) {
              const auto& d = *n.default_value;
              out += " default ";
              if (d.kind == ast::Expr::Kind::String) out += text(*d.str);
              else if (d.kind == ast::Expr::Kind::Int) out += std::to_string(d.int_value) + at(d.span);
              else out += std::string(d.bool_value ? "true" : "false") + at(d.span);
            }
            if (n.secret) out += " secret" + at(*n.secret);
            out += " " + at(n.span) + "\n";
          } else if constexpr (std::is_same_v<T, ast::Ask>) {
            out += pad + "ask " + n.name + at(n.name_span) + " " + text(n.prompt);
            if (n.default_value) out += " default " + text(*n.default_value);
            if (n.secret) out += " secret" + at(*n.secret);
            if (!n.choices.empty()) {
              out += " choices" + at(*n.choices_span);
              for (const auto& c : n.choices) out += " " + text(c);
            }
            out += " " + at(n.span) + "\n";
          } else if constexpr (std::is_same_v<T, ast::EnvSet>) {
            out += pad + "env " + n.name + at(n.name_span) + " = " + text(n.value) + " " + at(n.span) + "\n";
          } else if constexpr (std::is_same_v<T, ast::Helper>) {
            out += pad + "helper " + n.name + at(n.name_span) + " " + text(n.body) + " " + at(n.span) + "\n";
          } else if constexpr (std::is_same_v<T, ast::Step>) {
            out += pad + "step " + text(n.name) + " " + at(n.span) + "\n";
            for (const auto& f : n.fields) {
              out += pad + "  ";
              using K = ast::StepField::Kind;
              switch (f.kind) {
                case K::Run: out += "run " + text(f.text); break;
                case K::SkipIfSh: out += "skip-if-sh " + text(f.text); break;
                case K::SkipIfExpr: out += "skip-if " + expr(*f.expr); break;
                case K::When: out += "when " + expr(*f.expr); break;
                case K::WhenSh: out += "when-sh " + text(f.text); break;
                case K::Error: out += "error " + text(f.text); break;
                case K::Dir: out += "dir " + text(f.text); break;
                case K::Env: out += "env " + f.name + at(f.name_span) + " = " + text(f.text); break;
                case K::Unknown: out += "unknown " + f.name; break;
              }
              out += " " + at(f.span) + "\n";
            }
          } else if constexpr (std::is_same_v<T, ast::PlatformBlock>) {
            out += pad + "platform";
            for (const auto& name : n.names) out += " " + name.name + at(name.span);
            out += " " + at(n.span) + "\n";
            dump_items(n.items, depth + 1, out);
          }
        });
  }
}

}  // namespace

std::string dump_ast(const ast::File& file) {
  std::string out;
  dump_items(file.items, 0, out);
  for (const auto& c : file.comments) out += "comment \"" + json::escape(c.text) + "\" " + at(c.span) + "\n";
  return out;
}

}  // namespace sink
