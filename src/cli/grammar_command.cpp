#include "cli/commands.hpp"

#include "cli/cli.hpp"
#include "editor/grammar_export.hpp"

namespace sink {

int run_grammar(const Args& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.get("--format", "");
  if (format == "textmate") {
    out << editor::textmate_grammar();
    return kExitOk;
  }
  if (format == "vim") {
    out << editor::vim_syntax();
    return kExitOk;
  }
  return usage_error(err, "`sink grammar` needs `--format textmate` or `--format vim`", "grammar");
}

}  // namespace sink
