// The `train:` settings. One table (train_settings.cpp) declares each: its key, where it is
// stored, its default, its valid values, its place in a run's identity and a line of
// documentation. Parsing, defaults, identities (config_hash.cpp) and the test of
// docs/experiments.md all read that table.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "config/choices.hpp"

namespace ablate {

// `train.augment`: random transformations of training images, seeded per run. Part of
// TrainSettings, whose constructor gives it its defaults.
struct AugmentSettings {
  bool horizontal_flip{};
  bool vertical_flip{};
  bool rotate90{};
  double rotate_degrees{};
  double crop_min_area{};

  bool any() const { return horizontal_flip || vertical_flip || rotate90 || rotate_degrees > 0 || crop_min_area < 1.0; }
};

// `train.vary`: the sources of randomness that a run's seed drives. The others are held:
// they draw the same numbers whatever the seed (engine/seed_streams.hpp).
class SeedSources {
 public:
  SeedSources() = default;
  SeedSources(std::initializer_list<SeedSource> sources) {
    for (const SeedSource source : sources) add(source);
  }
  // Every source but `split`: what one seed drove before train.vary existed.
  static SeedSources usual() {
    return {SeedSource::kInit, SeedSource::kOrder, SeedSource::kAugment, SeedSource::kDropout};
  }

  bool varies(SeedSource source) const { return (bits_ & bit(source)) != 0; }
  void add(SeedSource source) { bits_ |= bit(source); }
  bool operator==(const SeedSources& other) const { return bits_ == other.bits_; }
  bool operator!=(const SeedSources& other) const { return bits_ != other.bits_; }

 private:
  static unsigned bit(SeedSource source) { return 1U << static_cast<unsigned>(source); }
  unsigned bits_ = 0;
};

// The `train:` section with every default filled in. The members' defaults, valid values and
// meanings are the table's (train_settings.cpp); the constructor sets every default.
struct TrainSettings {
  TrainSettings();

  Optimizer optimizer{};
  double lr{};
  double weight_decay{};
  double momentum{};
  bool nesterov{};
  std::int64_t batch_size{};
  std::int64_t eval_batch_size{};
  std::int64_t max_epochs{};
  std::int64_t steps_per_epoch{};
  Monitor early_stopping_monitor{};
  std::int64_t early_stopping_patience{};
  Scheduler scheduler{};
  double scheduler_factor{};
  std::int64_t scheduler_patience{};
  Monitor scheduler_monitor{};
  double scheduler_min_lr{};
  std::vector<std::int64_t> scheduler_milestones;
  double scheduler_gamma{};
  ClassWeights class_weights{};
  double label_smoothing{};
  double grad_clip_norm{};
  Normalize normalize{};
  std::vector<double> normalize_mean;  // Normalize::kFixed
  std::vector<double> normalize_std;   // Normalize::kFixed
  AugmentSettings augment;
  SeedSources vary;
  Device device{};
  bool deterministic{};
  Amp amp{};
  std::int64_t threads{};
  bool channels_last{};
  bool fast_paths{};
  Images images{};
};

// How one setting's value is read, defaulted, compared and written into an identity.
class SettingValue {
 public:
  virtual ~SettingValue() = default;
  // Reads `node` into `train`; throws ConfigError naming `what` (the dotted key) and `source`.
  virtual void parse(const YAML::Node& node, const std::string& what, const std::string& source,
                     TrainSettings& train) const = 0;
  virtual void set_default(TrainSettings& train) const = 0;
  virtual bool is_default(const TrainSettings& train) const = 0;
  virtual nlohmann::json to_json(const TrainSettings& train) const = 0;
};

// Whether a setting is part of a run's identity (config_hash.cpp).
enum class Identity {
  kAlways,         // it changes what a cell computes
  kNever,          // it changes only how a cell runs
  kUnlessDefault,  // added after runs were stored: only another value joins, so they keep their hashes
};

// One row of the table.
struct TrainSetting {
  std::string key;  // under `train:`, dotted: "optimizer.lr"
  std::string doc;  // one line
  std::shared_ptr<const SettingValue> value;
  Identity identity = Identity::kAlways;
  // When set, the setting joins the identity only while this holds (SGD's momentum with SGD).
  bool (*applies)(const TrainSettings&) = nullptr;
};

// The table, in the order of docs/experiments.md: also the order of the known keys listed
// in errors and the order in which values are read (so which of two errors is reported).
const std::vector<TrainSetting>& train_settings();

// `node` is the train mapping (or null for all defaults); `source` names the file.
TrainSettings parse_train(const YAML::Node& node, const std::string& source);

}  // namespace ablate
