// The words of the Sinkfile language, defined once.
//
// The PEGTL grammar (grammar.hpp), the checker, the help text and the editor-grammar
// export all read these tables; nothing else spells a keyword, type, built-in, operator or
// platform name.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sink::lex {

// ---- keywords (reserved: never a fact, question or helper name) ----
inline constexpr std::string_view kw_use = "use";
inline constexpr std::string_view kw_fact = "fact";
inline constexpr std::string_view kw_ask = "ask";
inline constexpr std::string_view kw_env = "env";
inline constexpr std::string_view kw_step = "step";
inline constexpr std::string_view kw_platform = "platform";
inline constexpr std::string_view kw_helper = "helper";
inline constexpr std::string_view kw_run = "run";
inline constexpr std::string_view kw_skip = "skip";
inline constexpr std::string_view kw_if = "if";
inline constexpr std::string_view kw_when = "when";
inline constexpr std::string_view kw_error = "error";
inline constexpr std::string_view kw_dir = "dir";
inline constexpr std::string_view kw_sh = "sh";
inline constexpr std::string_view kw_required = "required";
inline constexpr std::string_view kw_default = "default";
inline constexpr std::string_view kw_secret = "secret";
inline constexpr std::string_view kw_choices = "choices";
inline constexpr std::string_view kw_and = "and";
inline constexpr std::string_view kw_or = "or";
inline constexpr std::string_view kw_not = "not";
inline constexpr std::string_view kw_true = "true";
inline constexpr std::string_view kw_false = "false";
inline constexpr std::string_view kw_raw = "raw";

inline constexpr std::array keywords{
    kw_use, kw_fact, kw_ask, kw_env, kw_step, kw_platform, kw_helper, kw_run,
    kw_skip, kw_if, kw_when, kw_error, kw_dir, kw_sh, kw_required, kw_default,
    kw_secret, kw_choices, kw_and, kw_or, kw_not, kw_true, kw_false, kw_raw};

// Keywords that start a declaration at the top level or inside a platform block.
inline constexpr std::array declaration_keywords{kw_use, kw_fact, kw_ask, kw_env,
                                                 kw_step, kw_platform, kw_helper};
// Keywords that start a field inside a step block.
inline constexpr std::array step_field_keywords{kw_run, kw_skip, kw_when, kw_error,
                                                kw_env, kw_dir};

// ---- value types of facts ----
enum class Type { String, Bool, Int, Version };
struct TypeName {
  std::string_view name;
  Type type;
};
inline constexpr std::array types{TypeName{"string", Type::String}, TypeName{"bool", Type::Bool},
                                  TypeName{"int", Type::Int}, TypeName{"version", Type::Version}};
std::optional<Type> type_from_name(std::string_view name);
std::string_view type_name(Type t);

// ---- comparison operators, in the order of CmpOp (longest first: the grammar tries them in
// this order) ----
enum class CmpOp { Eq, Ne, Le, Ge, Lt, Gt };
inline constexpr std::array<std::string_view, 6> operators{"==", "!=", "<=", ">=", "<", ">"};
constexpr std::string_view op_text(CmpOp op) { return operators[static_cast<std::size_t>(op)]; }

// ---- punctuation shared with editor grammars ----
inline constexpr std::string_view interp_open = "{{";
inline constexpr std::string_view interp_close = "}}";
inline constexpr std::string_view env_prefix = "env.";  // {{env.PATH}}

// ---- built-in values (always available, detected or overridden by --platform; their
// meanings are in docs/language.md) ----
struct Builtin {
  std::string_view name;
  Type type;
};
inline constexpr std::array builtins{
    Builtin{"os", Type::String},       Builtin{"arch", Type::String},   Builtin{"distro", Type::String},
    Builtin{"distro_version", Type::Version}, Builtin{"hostname", Type::String}, Builtin{"user", Type::String},
    Builtin{"home", Type::String},     Builtin{"cpus", Type::Int}};
const Builtin* find_builtin(std::string_view name);

// Environment variables that `{{env.NAME}}` may read without a declaration. Any other
// variable is read through a fact (`fact x = env "NAME"`), or is one that an `env`
// statement of the program sets.
inline constexpr std::array<std::string_view, 27> well_known_env{
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "TMPDIR", "PWD", "EDITOR", "VISUAL", "PAGER", "HOSTNAME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "CI", "SSH_AUTH_SOCK", "DISPLAY", "GOPATH", "CARGO_HOME", "JAVA_HOME", "NVM_DIR", "PYENV_ROOT"};

// ---- platforms ----
// An OS name matches every machine of that OS; a distro name matches one Linux
// distribution, by the ID of /etc/os-release.
struct Platform {
  std::string_view name;
  std::string_view os;  // for an OS: itself
  bool is_os;
};
inline constexpr std::array platforms{
    Platform{"linux", "linux", true},      Platform{"darwin", "darwin", true},
    Platform{"freebsd", "freebsd", true},  Platform{"openbsd", "openbsd", true},
    Platform{"netbsd", "netbsd", true},    Platform{"debian", "linux", false},
    Platform{"ubuntu", "linux", false},    Platform{"fedora", "linux", false},
    Platform{"arch", "linux", false},      Platform{"alpine", "linux", false},
    Platform{"centos", "linux", false},    Platform{"rhel", "linux", false},
    Platform{"rocky", "linux", false},     Platform{"almalinux", "linux", false},
    Platform{"amzn", "linux", false},      Platform{"opensuse", "linux", false},
    Platform{"linuxmint", "linux", false}, Platform{"pop", "linux", false},
    Platform{"manjaro", "linux", false},   Platform{"nixos", "linux", false},
    Platform{"raspbian", "linux", false},  Platform{"gentoo", "linux", false},
    Platform{"void", "linux", false},      Platform{"kali", "linux", false},
};
const Platform* find_platform(std::string_view name);
// Other names people use for a platform.
struct PlatformAlias {
  std::string_view alias, name;
};
inline constexpr std::array platform_aliases{
    PlatformAlias{"macos", "darwin"}, PlatformAlias{"osx", "darwin"},  PlatformAlias{"mac", "darwin"},
    PlatformAlias{"macosx", "darwin"}, PlatformAlias{"redhat", "rhel"}, PlatformAlias{"mint", "linuxmint"},
    PlatformAlias{"amazon", "amzn"}, PlatformAlias{"suse", "opensuse"}};
// The platform that `name` most likely means (another spelling or case, an alias, a typo).
std::optional<std::string_view> platform_meant(std::string_view name);
// "linux, darwin, ...": the names of the OSes (os_only) or of every platform.
std::string platform_list(bool os_only);

bool is_keyword(std::string_view word);

// A letter, digit or `_`: what names are made of, in a Sinkfile as in the shell. ASCII only:
// std::isalnum asks the locale, character by character.
constexpr bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
// The word characters that start `s` (none: "").
std::string_view leading_word(std::string_view s);

}  // namespace sink::lex
