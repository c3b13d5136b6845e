#include "cli/commands.hpp"

#include "cli/cli.hpp"
#include "editor/grammar_export.hpp"

namespace sink {

int run_grammar(const Args& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.get("--format", "");  // parse_args allows only textmate and vim
  if (format.empty()) return usage_error(err, "`sink grammar` needs `--format textmate` or `--format vim`", "grammar");
  out << (format == "vim" ? editor::vim_syntax() : editor::textmate_grammar());
  return kExitOk;
}

}  // namespace sink
