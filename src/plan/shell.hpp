// Turning a Sinkfile string with interpolations into a shell script that never executes
// an interpolated value: each value travels in an environment variable, and the script
// refers to that variable, quoted for the place where it stands.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check/values.hpp"
#include "syntax/ast.hpp"

namespace sink {

// Environment variables, NAME and value, in order.
using Env = std::vector<std::pair<std::string, std::string>>;
// Sets `name` in `env`: replaced where it is, else added at the end.
void set_var(Env& env, const std::string& name, std::string value);

// name -> its value; null when it has none.
using Lookup = std::function<const Value*(std::string_view name)>;

struct ShellScript {
  std::string script;  // for /bin/sh -c
  Env vars;  // variables the script refers to
};

// `{{name}}` becomes "${SINK_name}" outside quotes, ${SINK_name} inside double quotes and
// unquoted here-documents, '"${SINK_name}"' inside single quotes, and SINK_name in
// arithmetic (an int only: bash evaluates a variable's text there as an expression). `{{raw name}}` is
// the value's text as it is (the checker allows it only for non-secrets).
ShellScript to_shell(const ast::Text& text, const Lookup& lookup);

// Plain text: each interpolation replaced by its value (env values, dir, messages).
// `shown` = true uses Value::shown(), so secrets are masked.
std::string to_plain(const ast::Text& text, const Lookup& lookup, bool shown = false);

}  // namespace sink
