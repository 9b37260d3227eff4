// The runner's grid loop: plan the grid, skip what is done, run the rest, each cell in
// its own child process, several at once with --jobs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace ablate {

struct RunnerOptions {
  std::string experiment;                          // the YAML file
  std::vector<std::string> overrides;              // "dotted.key=value"
  std::string db;                                  // "" = EXPERIMENT.db next to the experiment
  std::vector<std::filesystem::path> plugin_dirs;  // --plugins, searched first
  bool dry_run = false;
  bool quiet = false;
  bool verbose = false;
  bool retry_failed = false;
  bool force = false;
  bool fresh_processes = false;  // start each cell as a new runner process, not a fork
  std::int64_t jobs = 1;
  std::int64_t threads = 0;  // per cell; 0 = the cores split between --jobs cells
  std::int64_t shard_index = 0;
  std::int64_t shard_count = 1;
  // A running run whose heartbeat is older than this is taken over (its runner is taken
  // for dead: killed, or suspended past it). Heartbeats are written every
  // min(10 s, stale_after_seconds / 4).
  double stale_after_seconds = 120;
  std::size_t max_cells = kMaxCells;  // the most cells the grid may have
  bool oversubscribe = false;         // allow more threads per cell than cores (up to 16x)
  // How the cells' OpenMP threads wait between operations: "auto" (passive on busy cores,
  // else libgomp's default), "spin" (libgomp's default, or the OMP_WAIT_POLICY the user
  // set; cells are forks) or "passive" (OMP_WAIT_POLICY=PASSIVE; cells are fresh processes).
  std::string wait_policy = "auto";
};

// Exit codes, as documented in `runner --help`.
inline constexpr int kExitOk = 0;         // every cell finished
inline constexpr int kExitRunFailed = 1;  // at least one cell failed, now or in an earlier run
inline constexpr int kExitBadInput = 2;   // bad experiment, plugin, data or store
inline constexpr int kExitInterrupted = 130;

// The store a run of `options` uses.
std::string store_path(const RunnerOptions& options);

// Runs (or, with dry_run, lists) the grid. Throws ConfigError/PluginError/StoreError for
// bad input before anything is trained; returns an exit code otherwise.
int run_grid(const RunnerOptions& options);

}  // namespace ablate
