// Syntax error messages: one entry for every rule the grammar requires with must<>.
// `{opened}` in a message is replaced by where the enclosing string, block or
// parenthesis opened ("line 3, column 9").
#pragma once

#include "diag/codes.hpp"
#include "syntax/grammar.hpp"

namespace sink::grammar {

struct ErrorText {
  Code code;
  const char* message;
  const char* hint;
};

template <typename Rule>
inline constexpr ErrorText error_text{Code{}, nullptr, nullptr};

#define SINK_SYNTAX_ERROR(RULE, CODE, MESSAGE, HINT) \
  template <>                                        \
  inline constexpr ErrorText error_text<RULE>{CODE, MESSAGE, HINT};

// clang-format off
SINK_SYNTAX_ERROR(interp_body, E103, "expected a name inside `{{ }}`",
  "write a fact, question, built-in or env.NAME, as in {{home}}; for a literal `{{` write \\{{ or use a '...' string")
SINK_SYNTAX_ERROR(interp_close, E103, "expected `}}` to close the interpolation opened at {opened}",
  "an interpolation holds exactly one name: {{name}} or {{raw name}}")
SINK_SYNTAX_ERROR(escape_code, E102, "unknown escape sequence",
  "the escapes are \\\\ \\\" \\' \\n \\t \\r and \\{; for backslashes as they are, use a '...' string")
SINK_SYNTAX_ERROR(dq_close, E101, "unterminated string: the `\"` at {opened} is never closed",
  "a \"...\" string ends on the line where it starts; close it with `\"`, or use \"\"\"...\"\"\" for several lines")
SINK_SYNTAX_ERROR(sq_close, E101, "unterminated string: the `'` at {opened} is never closed",
  "a '...' string ends on the line where it starts; close it with `'`, or use '''...''' for several lines")
SINK_SYNTAX_ERROR(dqb_close, E101, "unterminated block string: the `\"\"\"` at {opened} is never closed",
  "end the block with `\"\"\"`")
SINK_SYNTAX_ERROR(sqb_close, E101, "unterminated block string: the `'''` at {opened} is never closed",
  "end the block with `'''`")
SINK_SYNTAX_ERROR(env_var_name, E104, "expected a variable name after `env.`",
  "write env.NAME, as in env.PATH")
SINK_SYNTAX_ERROR(expr, E104, "expected a condition after `(`",
  "a condition is a name, a literal, a comparison, or `not`, `and`, `or` of those")
SINK_SYNTAX_ERROR(paren_close, E104, "expected `)` to close the `(` at {opened}",
  "every `(` needs a `)`")
SINK_SYNTAX_ERROR(operand, E104, "expected a value after the comparison operator",
  "compare with a name or a literal, as in node >= \"20\"")
SINK_SYNTAX_ERROR(not_operand, E104, "expected a condition after `not`",
  "as in: not has_docker")
SINK_SYNTAX_ERROR(and_operand, E104, "expected a condition after `and`",
  "as in: has_git and has_docker")
SINK_SYNTAX_ERROR(or_operand, E104, "expected a condition after `or`",
  "as in: os == \"darwin\" or os == \"linux\"")
SINK_SYNTAX_ERROR(shell_and, E111, "`&&` is the shell's; in a condition, write `and`",
  "as in: when has_git and has_docker")
SINK_SYNTAX_ERROR(shell_or, E111, "`||` is the shell's; in a condition, write `or`",
  "as in: when os == \"darwin\" or os == \"linux\"")
SINK_SYNTAX_ERROR(shell_not, E111, "`!` is the shell's; in a condition, write `not`",
  "as in: when not has_docker (`!=` means \"not equal\", as in the shell)")
SINK_SYNTAX_ERROR(shell_assign, E111, "`=` does not compare; write `==`",
  "as in: when os == \"linux\"")
SINK_SYNTAX_ERROR(unquoted_version, E111, "a version must be written in quotes",
  "compare with a string, as in: when node >= \"20.1\"")
SINK_SYNTAX_ERROR(shell_option, E111, "a condition cannot run a command",
  "to use a command's exit status, write it after `sh`, as in: skip if sh \"command -v brew\"")
SINK_SYNTAX_ERROR(shell_test, E111, "`[ ... ]` is the shell's test; a condition cannot run it",
  "write it after `sh`, as in: when sh \"[ -f ~/.zshrc ]\"")
SINK_SYNTAX_ERROR(choice_comma, E104, "expected `,` between two choices",
  "choices are separated by commas, as in: choices \"zsh\", \"bash\", \"fish\"")
SINK_SYNTAX_ERROR(use_path, E104, "expected a module path in quotes after `use`",
  "as in: use \"std/retry\" or use \"./lib/node.sink\"")
SINK_SYNTAX_ERROR(decl_name, E104, "expected a name",
  "a name is made of letters, digits and `_`, does not start with a digit, and is not a keyword")
SINK_SYNTAX_ERROR(type_name, E104, "expected a type after `:`",
  "the types are string, bool, int and version")
SINK_SYNTAX_ERROR(fact_eq, E104, "expected `=` after the fact's name",
  "fact NAME[: TYPE] = sh \"command\" | env \"VARIABLE\" | \"text\"")
SINK_SYNTAX_ERROR(fact_source, E104, "expected where the fact comes from after `=`",
  "sh \"command\" (its output), env \"VARIABLE\", or a \"string\" built from other values")
SINK_SYNTAX_ERROR(sh_command, E104, "expected a command in quotes after `sh`",
  "as in: sh \"git --version\"")
SINK_SYNTAX_ERROR(env_source_name, E104, "expected a variable name in quotes after `env`",
  "as in: env \"GITHUB_TOKEN\"")
SINK_SYNTAX_ERROR(default_literal, E104, "expected a value after `default`",
  "a \"string\", a whole number, true or false")
SINK_SYNTAX_ERROR(ask_prompt, E104, "expected the question in quotes",
  "ask NAME \"Your question?\" [default \"...\"] [secret] [choices \"a\", \"b\"]")
SINK_SYNTAX_ERROR(ask_default_value, E104, "expected the default answer in quotes after `default`",
  "as in: default \"{{user}}\"")
SINK_SYNTAX_ERROR(ask_choice, E104, "expected a choice in quotes",
  "as in: choices \"zsh\", \"bash\", \"fish\"")
SINK_SYNTAX_ERROR(env_name, E104, "expected a variable name after `env`",
  "env NAME = \"value\"")
SINK_SYNTAX_ERROR(env_eq, E104, "expected `=` after the variable name",
  "env NAME = \"value\"")
SINK_SYNTAX_ERROR(env_value, E104, "expected the variable's value in quotes",
  "env NAME = \"value\"")
SINK_SYNTAX_ERROR(helper_body, E104, "expected the helper's shell code in quotes",
  "helper NAME '''...shell code...''': it becomes a shell function NAME that steps can call")
SINK_SYNTAX_ERROR(field_text, E104, "expected a string in quotes",
  "as in: run \"make install\"")
SINK_SYNTAX_ERROR(skip_if_kw, E104, "expected `if` after `skip`",
  "skip if sh \"command\" (already done when it succeeds) or skip if CONDITION")
SINK_SYNTAX_ERROR(skip_check, E104, "expected `sh \"command\"` or a condition after `skip if`",
  "as in: skip if sh \"command -v brew\" or skip if has_docker")
SINK_SYNTAX_ERROR(when_check, E104, "expected `sh \"command\"` or a condition after `when`",
  "as in: when sh \"command -v docker\" or when node >= \"20\"")
SINK_SYNTAX_ERROR(step_name, E104, "expected the step's name in quotes after `step`",
  "step \"Install tools\" { run \"...\" }")
SINK_SYNTAX_ERROR(step_body, E104, "expected `{` after the step's name",
  "step \"Install tools\" { run \"...\" }")
SINK_SYNTAX_ERROR(step_close, E104, "expected a step field or `}` to close the step opened at {opened}",
  "a step holds run, skip if, when, error, env and dir, and ends with `}`: is its `}` missing?")
SINK_SYNTAX_ERROR(platform_names, E104, "expected a platform name after `platform`",
  "as in: platform darwin { ... } or platform debian, ubuntu { ... }")
SINK_SYNTAX_ERROR(platform_name, E104, "expected a platform name after `,`",
  "as in: platform debian, ubuntu { ... }")
SINK_SYNTAX_ERROR(platform_body, E104, "expected `{` after the platform names",
  "platform darwin { ... }")
SINK_SYNTAX_ERROR(block_close, E104, "expected a declaration or `}` to close the platform block opened at {opened}",
  "inside a platform block stand fact, ask, env, step, helper and platform declarations")
SINK_SYNTAX_ERROR(end_of_file, E104, "expected a declaration",
  "a Sinkfile is made of use, fact, ask, env, step, platform and helper declarations")
// clang-format on

#undef SINK_SYNTAX_ERROR

}  // namespace sink::grammar
