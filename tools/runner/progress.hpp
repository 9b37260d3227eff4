// What the runner says while a grid trains: the epoch line of a cell, how far a cell is
// from its batches, and the grid's ETA from that. Pure functions; run_grid.cpp prints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/trainer.hpp"

namespace ablate {

// "12s", "3m05s", "1h02m".
std::string format_duration(double seconds);

// "PREFIX epoch 2/5  train loss 0.6931 acc ...": losses with {:g}, so that a diverging
// loss reads 2.0823e+22, not 23 digits and four decimals.
std::string epoch_line(const std::string& prefix, const EpochResult& epoch);

// The share of a cell's training batches done after `batch` of `batches` in `epoch`
// (1-based) of `max_epochs`, in [0, 1]. Early stopping may end the cell sooner.
double cell_fraction(std::int64_t epoch, std::int64_t batch, std::int64_t batches, std::int64_t max_epochs);

// A running cell as the ETA sees it.
struct CellProgress {
  double elapsed_seconds = 0;
  double fraction = 0;  // cell_fraction of its last progress line; 0 before the first
};

// Seconds until the grid is done, `jobs` cells at a time: each running cell's remaining
// share of the mean finished cell's time, plus that time for each pending cell. Before
// any cell finished, a cell's time is extrapolated from the running cells' own batch
// rates (elapsed / fraction). 0 when nothing is known yet.
double grid_eta(std::size_t finished, double finished_seconds, const std::vector<CellProgress>& running,
                std::size_t pending, std::int64_t jobs);

// Seconds between progress lines when stderr is not a terminal (a log file, a Slurm
// job's output): ABLATE_PROGRESS_EVERY, default 30; 0 prints none. ConfigError for a
// value that is not a number of seconds.
double progress_log_interval();

}  // namespace ablate
