// `sink grammar --format textmate|vim`: prints an editor grammar generated from the lexicon.
#pragma once

#include <ostream>

#include "cli/args.hpp"

namespace sink {

int run_grammar(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace sink
