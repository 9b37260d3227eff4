// One grid cell in its own process: `runner EXPERIMENT --cell HASH --run-id N` (the grid
// loop starts these; they are not meant to be typed).
#pragma once

#include <cstdint>
#include <string>

#include "grid_plan.hpp"

namespace ablate {

struct CellOptions {
  std::string db;
  std::string hash;
  std::int64_t run_id = 0;
  std::int64_t attempt = 0;        // the grid's claim on the run: every write is fenced by it
  std::int64_t threads = 0;        // 0: the cell's train.threads
  bool progress_protocol = false;  // print "@progress" lines for the parent's status line
  bool quiet = false;
  bool verbose = false;  // also say how long the store writes and progress output took
};

// Trains the cell and records it in the store (finished, failed or killed). Returns the
// process exit code: 0 finished, 1 failed, 2 bad data, 130 interrupted.
int run_cell(const GridPlan& plan, const CellOptions& options);

// Re-evaluates a stored run's checkpoint on val and test and prints stored against
// recomputed metrics. Returns 0 when every stored metric is reproduced.
int evaluate_run(const std::string& db, const std::string& reference,
                 const std::vector<std::filesystem::path>& plugin_dirs);

}  // namespace ablate
