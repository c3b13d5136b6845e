// libFuzzer target: any bytes as a Sinkfile, through everything that runs no command.
// Load (parse), check, render the diagnostics (text and JSON), and, when the file checks
// clean, select steps and plan them on two machines against a runner that runs nothing.
// A crash, a sanitizer report or a broken invariant (abort) is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "check/checker.hpp"
#include "cli/render.hpp"
#include "modules/loader.hpp"
#include "plan/planner.hpp"
#include "plan/resolver.hpp"
#include "plan/selection.hpp"
#include "fuzz_support.hpp"

using namespace sink;

namespace {

Machine machine(const char* os, const char* distro) {
  Machine m;
  m.os = os;
  m.distro = distro;
  m.distro_version = "22.04";
  m.arch = "x86_64";
  m.user = "ada";
  m.home = "/home/ada";
  m.cpus = "2";
  m.environment = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/home/ada"}, {"TOKEN", "s3cret"}};
  return m;
}

void plan_on(const Program& program, const Machine& m) {
  fuzz::NullRunner runner;
  Inputs inputs;
  const Selection selection = select_steps(program, m);
  Resolver resolver(selection, m, runner, inputs, nullptr, "/repo");
  if (!resolver.run()) fuzz::fail("the resolver was interrupted with no signal");
  Planner planner{program.sources, resolver};
  for (const auto& step : selection.steps) {
    const StepPlan plan = planner.decide(step);
    (void)plan;
    const StepSetup setup = planner.setup(step);
    (void)setup;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::NoFiles reader;
  Diagnostics diags;
  Program program = load_program_text("Sinkfile", text, reader, diags);
  if (program.complete) check_program(program, diags);
  if (!program.complete && !diags.has_errors()) fuzz::fail("an incomplete program without an error");

  // Every diagnostic renders, and points inside its file.
  Renderer renderer(program.sources, false);
  for (const auto& d : diags.items()) {
    const std::string code(sink::code_name(d.code));
    if (d.span.line == 0 || d.span.col == 0) fuzz::fail("a diagnostic without a position: " + code);
    if (d.message.empty()) fuzz::fail("a diagnostic without a message: " + code);
    (void)renderer.text(d);
  }
  (void)renderer.json(diags.items());

  if (program.complete && !diags.has_errors()) {
    plan_on(program, machine("linux", "ubuntu"));
    plan_on(program, machine("darwin", "darwin"));
  }
  return 0;
}
