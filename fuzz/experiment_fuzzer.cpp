// The experiment parser on arbitrary text: every input either parses into an experiment
// whose grid expands, or is refused with an ablate::Error (ConfigError) that names the
// problem. Anything else (a crash, a sanitizer report, another exception type, a hang
// or a blow-up in memory) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ablate/error.hpp"
#include "config/config.hpp"
#include "config/grid.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    ablate::Experiment experiment = ablate::parse_experiment(text, "fuzz.yaml");
    // Real grids are small; a large one is refused by the same check a user meets.
    experiment.max_cells = 1000;
    ablate::expand_grid(experiment);
  } catch (const ablate::Error&) {
    // A clear refusal is the expected answer to most inputs.
  }
  return 0;
}
