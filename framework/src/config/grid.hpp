// Grid expansion: an Experiment -> its cells, arms x resolutions x grid axes x seeds.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/config.hpp"

namespace ablate {

// One grid cell = one run.
struct Cell {
  std::size_t index = 0;  // position in the expanded grid, 0-based
  std::string arm;
  std::string model;
  YAML::Node model_options;  // mapping, possibly empty
  std::string dataset_plugin;
  YAML::Node dataset_options;  // mapping, possibly empty
  std::int64_t resolution = 0;
  std::int64_t seed = 0;
  TrainSettings train;
  std::vector<std::string> metrics;
  std::vector<std::pair<std::string, std::string>> axes;  // grid axis -> value, for display
  std::string source;  // the experiment file, which messages about the cell's options name

  // "baseline r28 s0" plus any grid axes: how progress lines and errors name a cell.
  std::string label() const;
  // The arm as the store and report know it: the arm's name, followed by the cell's grid
  // axis values when there are any ("se@se_reduction=8", "baseline@lr=0.0001"), so that
  // cells differing only in an axis are compared as different arms.
  std::string arm_label() const;
};

// Cells in declared order: arms outermost, then resolutions, then grid axes (first
// declared outermost), then seeds innermost, so a grid stopped half-way has whole seed
// sets for the configurations it did reach.
std::vector<Cell> expand_grid(const Experiment& experiment);

}  // namespace ablate
