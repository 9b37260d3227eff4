// The runner's main loop: expand the grid, skip what is done, train the rest.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ablate {

struct RunnerOptions {
  std::string experiment;               // the YAML file
  std::vector<std::string> overrides;   // "dotted.key=value"
  std::string db;                       // "" = runs.db next to the experiment
  std::vector<std::filesystem::path> plugin_dirs;  // --plugins, searched first
  bool dry_run = false;
  bool quiet = false;
};

// Exit codes, as documented in `runner --help`.
inline constexpr int kExitOk = 0;           // every cell finished
inline constexpr int kExitRunFailed = 1;    // at least one cell failed
inline constexpr int kExitBadInput = 2;     // bad experiment, plugin or store
inline constexpr int kExitInterrupted = 130;

// Runs (or, with dry_run, lists) the grid. Throws ConfigError/PluginError/StoreError for
// bad input before anything is trained; returns an exit code otherwise.
int run_grid(const RunnerOptions& options);

}  // namespace ablate
