// sink's entry point: hands the arguments to the CLI, nothing more.
#include <exception>
#include <iostream>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  try {
    sink::SystemHost host;
    const std::vector<std::string> args(argv + 1, argv + argc);
    const int status = sink::run_cli(args, host, std::cout, std::cerr);
    // Output that could not be written (a full disk behind `> file`) is an error, not a
    // silent success.
    if (!sink::flush_output(std::cout, std::cerr)) return 1;
    return status;
  } catch (const std::bad_alloc&) {
    std::cerr << "error: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "error: internal error: " << e.what() << "\n  = hint: this is a bug in sink; please report it with the input that caused it\n";
  }
  return 1;
}
