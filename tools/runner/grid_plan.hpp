// An experiment resolved against the plugins: every cell with its identity and hash.
// Shared by the grid loop, the child that runs one cell, --dry-run, --emit-slurm and
// --evaluate, so that all of them agree on what a cell is.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "config/config_hash.hpp"
#include "config/grid.hpp"
#include "config/plugin_registry.hpp"

namespace ablate {

// A dataset plugin object built with one set of options, and what it says of its data.
struct PlannedDataset {
  std::shared_ptr<Dataset> dataset;
  DatasetInfo info;
};

struct PlannedCell {
  Cell cell;
  nlohmann::json identity;
  std::string hash;
  // The dataset built from this cell's own dataset options: the experiment's, or those
  // with `dataset.` grid axes applied. Shared by the cells whose options are the same.
  std::shared_ptr<const PlannedDataset> data;
};

struct GridPlan {
  Experiment experiment;
  PluginRegistry registry;
  std::shared_ptr<Dataset> dataset;  // built from the experiment's dataset options
  DatasetInfo info;                  // what that dataset says of its data
  std::vector<std::shared_ptr<Metric>> metrics;
  PluginVersions versions;
  std::vector<PlannedCell> cells;

  const PlannedCell* find(const std::string& hash) const;
};

// Loads the plugins and checks that every plugin the grid names exists and every option
// is valid (building each model once when `validate_models`), before anything runs.
// Throws ConfigError or PluginError.
std::unique_ptr<GridPlan> plan_grid(Experiment experiment, const std::vector<std::filesystem::path>& plugin_dirs,
                                    bool validate_models);

// The cell's splits at its resolution, loaded by its own dataset (planned.data).
DatasetSplits load_cell_data(const PlannedCell& planned);

// The cells of shard `index` of `count`: every count-th cell, starting at index.
std::vector<const PlannedCell*> shard_of(const GridPlan& plan, std::int64_t index, std::int64_t count);

}  // namespace ablate
