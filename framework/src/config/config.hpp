// Experiment files: YAML -> a validated Experiment, with command-line overrides applied.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "config/train_settings.hpp"

namespace ablate {

struct ArmSpec {
  std::string name;
  std::string model;      // model plugin
  YAML::Node model_node;  // where the file (or an override) names it, for messages
  YAML::Node options;     // the plugin's options mapping (may be null)
};

struct GridAxis {
  std::string key;  // dotted path into a cell, e.g. "train.optimizer.lr"
  std::vector<YAML::Node> values;
};

// One `exclude:` rule: a cell matching every (key, value) pair is left out of the grid.
// Keys are `arm`, `resolution`, `seed` or a grid axis key.
struct ExcludeRule {
  std::vector<std::pair<std::string, YAML::Node>> conditions;
};

// The most cells one grid may have unless raised (`runner --max-cells`): far beyond any
// real study (the seed study has 30), it bounds what a typo (a long axis, many axes) can
// make the runner plan and store.
constexpr std::size_t kMaxCells = 1'000'000;

struct Experiment {
  std::string source;  // the file as given on the command line
  std::string name;
  std::string text;  // the document after overrides, as YAML
  std::string dataset_plugin;
  YAML::Node dataset_plugin_node;  // where it is named, for messages
  YAML::Node dataset_options;      // the dataset mapping without `plugin`
  std::vector<ArmSpec> arms;       // in file order
  std::vector<std::int64_t> resolutions;
  std::vector<std::int64_t> seeds;
  YAML::Node train;
  std::vector<std::string> metrics;
  std::vector<YAML::Node> metric_nodes;  // where each is named (null: the default metric)
  std::vector<GridAxis> grid;
  std::vector<ExcludeRule> exclude;
  std::size_t max_cells = kMaxCells;  // not part of the file: set by `runner --max-cells`
};

// Reads and validates an experiment file. `overrides` are "dotted.key=yaml value" strings
// applied before validation. Throws ConfigError naming file, line and key.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides = {});
Experiment parse_experiment(const std::string& yaml_text, const std::string& source,
                            const std::vector<std::string>& overrides = {});

// Sets `dotted_key` (e.g. "train.max_epochs") in `document` to `value`, creating
// mappings on the way. Throws ConfigError when a step is not a mapping.
void set_dotted(YAML::Node document, const std::string& dotted_key, const YAML::Node& value, const std::string& what);

// YAML -> JSON with typed scalars (integers, numbers, booleans, null, strings), so that
// 1.0e-3 and 0.001 are the same value in a configuration hash.
nlohmann::json yaml_to_json(const YAML::Node& node);

}  // namespace ablate
