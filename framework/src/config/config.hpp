// Experiment files: YAML -> a validated Experiment, with command-line overrides applied.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace ablate {

// `train.augment`: random transformations of training images, seeded per run.
struct AugmentSettings {
  bool horizontal_flip = false;
  bool vertical_flip = false;
  bool rotate90 = false;        // by a random multiple of 90 degrees
  double rotate_degrees = 0;    // a small rotation, uniform in [-d, d]
  double crop_min_area = 1.0;   // random crop keeping [this, 1] of the area; 1 = off

  bool any() const {
    return horizontal_flip || vertical_flip || rotate90 || rotate_degrees > 0 || crop_min_area < 1.0;
  }
};

// The `train:` section with every default filled in. Part of each run's identity.
struct TrainSettings {
  std::string optimizer = "adam";  // adam | adamw | sgd
  double lr = 1e-3;
  double weight_decay = 0.0;
  double momentum = 0.9;  // sgd only
  bool nesterov = false;  // sgd only
  std::int64_t batch_size = 64;
  std::int64_t eval_batch_size = 256;
  std::int64_t max_epochs = 10;
  std::int64_t steps_per_epoch = 0;  // batches per epoch; 0 = the whole train split
  std::string early_stopping_monitor = "val_loss";  // val_loss | val_accuracy | val_auc
  std::int64_t early_stopping_patience = 5;         // 0 = never stop early
  std::string scheduler = "none";                   // none | plateau | cosine | multistep
  double scheduler_factor = 0.5;                    // plateau
  std::int64_t scheduler_patience = 3;              // plateau
  std::string scheduler_monitor = "val_loss";       // plateau: val_loss | val_accuracy | val_auc
  double scheduler_min_lr = 0.0;                    // cosine
  std::vector<std::int64_t> scheduler_milestones = {50, 75};  // multistep, 1-based epochs
  double scheduler_gamma = 0.1;                     // multistep
  std::string class_weights = "none";  // none | balanced
  double label_smoothing = 0.0;
  double grad_clip_norm = 0.0;         // 0 = no clipping
  std::string normalize = "none";      // none | dataset | fixed
  std::vector<double> normalize_mean;  // fixed
  std::vector<double> normalize_std;   // fixed
  AugmentSettings augment;
  bool deterministic = false;          // LibTorch's deterministic algorithms (GPU)
  std::string amp = "none";            // none | bf16: autocast forward passes to bfloat16
  std::string device = "auto";         // auto | cpu | cuda
  std::int64_t threads = 0;            // 0 = every core
  bool channels_last = true;
  // The engine's own CPU fast paths: the one-pass Adam/AdamW, the evaluation fusion and
  // in-place ReLUs. false runs LibTorch's own operations throughout (same predictions to
  // float32 rounding), for chasing a numerical difference or a LibTorch version the fast
  // paths were not verified on.
  bool fast_paths = true;
  std::string images = "memory";       // memory | disk: where the pixels stay while the cell runs (split_pixels.hpp)

  nlohmann::json to_json() const;
};

// `node` is the train mapping (or null for all defaults); `source` names the file.
TrainSettings parse_train(const YAML::Node& node, const std::string& source);

struct ArmSpec {
  std::string name;
  std::string model;     // model plugin
  YAML::Node options;    // the plugin's options mapping (may be null)
};

struct GridAxis {
  std::string key;                // dotted path into a cell, e.g. "train.optimizer.lr"
  std::vector<YAML::Node> values;
};

// One `exclude:` rule: a cell matching every (key, value) pair is left out of the grid.
// Keys are `arm`, `resolution`, `seed` or a grid axis key.
struct ExcludeRule {
  std::vector<std::pair<std::string, YAML::Node>> conditions;
};

struct Experiment {
  std::string source;         // the file as given on the command line
  std::string name;
  std::string text;           // the document after overrides, as YAML
  std::string dataset_plugin;
  YAML::Node dataset_options;  // the dataset mapping without `plugin`
  std::vector<ArmSpec> arms;   // in file order
  std::vector<std::int64_t> resolutions;
  std::vector<std::int64_t> seeds;
  YAML::Node train;
  std::vector<std::string> metrics;
  std::vector<GridAxis> grid;
  std::vector<ExcludeRule> exclude;
};

// Reads and validates an experiment file. `overrides` are "dotted.key=yaml value" strings
// applied before validation. Throws ConfigError naming file, line and key.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides = {});
Experiment parse_experiment(const std::string& yaml_text, const std::string& source,
                            const std::vector<std::string>& overrides = {});

// Sets `dotted_key` (e.g. "train.max_epochs") in `document` to `value`, creating
// mappings on the way. Throws ConfigError when a step is not a mapping.
void set_dotted(YAML::Node document, const std::string& dotted_key, const YAML::Node& value,
                const std::string& what);

// YAML -> JSON with typed scalars (integers, numbers, booleans, null, strings), so that
// 1.0e-3 and 0.001 are the same value in a configuration hash.
nlohmann::json yaml_to_json(const YAML::Node& node);

}  // namespace ablate
