// Groups of runs by configuration: what `table`, `--compare` and `html` aggregate over.
//
// A group is the run's stored configuration (runs.config_json, the identity its config
// hash is taken of: docs/store.md) without the seed, so that runs of one arm with another
// max_epochs, data set or plugin version never pool. Each group is labelled by the keys in
// which it differs from the other groups of its arm: `baseline [train.max_epochs=1]`.
// A seed that appears twice in one group keeps its latest finished run (the rule in
// docs/report.md), and the dropped runs are named in a note.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store_queries.hpp"

namespace ablate::report {

// A configuration flattened to dotted keys: {"train":{"max_epochs":5}} gives
// train.max_epochs -> "5". Strings without quotes, arrays and numbers as compact JSON.
// Text that is not a JSON object gives no keys.
using Settings = std::map<std::string, std::string>;
Settings flatten_config(const std::string& config_json);

// What an absent key reads as in labels: a train setting left at its default is not part
// of the identity (docs/experiments.md), so its absence means "the default".
inline constexpr const char* kDefaultValue = "default";

struct ConfigGroup {
  std::string arm;
  Settings settings;   // the configuration without the seed and the excluded keys
  std::string suffix;  // "train.max_epochs=1, dataset.options.classes=8"; "" when alone
  std::string label() const { return suffix.empty() ? arm : arm + " [" + suffix + "]"; }
  // The value of `key` here, kDefaultValue when absent.
  std::string value(const std::string& key) const;
};

struct Grouping {
  std::vector<ConfigGroup> groups;     // by arm, then settings
  std::vector<std::size_t> group_of;   // per sample, an index into groups
  std::vector<std::string> differing;  // keys that differ within some arm, sorted
  std::map<std::string, std::set<std::string>> differing_by_arm;
};

// Groups `samples` by (arm, configuration minus "seed", "arm" and `excluded`). With
// `arm_from_config` the arm is the configuration's "arm" (the arm as the experiment file
// names it, without the grid-axis suffix runs.arm carries); else runs.arm.
Grouping group_by_configuration(const std::vector<MetricSample>& samples, const std::set<std::string>& excluded,
                                bool arm_from_config);

// Keeps one sample per seed: the latest finished run (greatest finished_at, then the
// greatest id). Adds a note per dropped run to `notes`, naming `where`.
std::vector<MetricSample> latest_per_seed(const std::vector<MetricSample>& samples, const std::string& where,
                                          std::vector<std::string>* notes);

// The label of each run's group among `runs`: runs.arm and the settings in which its
// configuration (without seed and resolution) differs from the arm's other groups. What
// curves, confusion matrices and the html charts are drawn per, with the resolution.
// `configs`: run id -> config_json (StoreReader::configs_of).
std::vector<std::string> configuration_labels(const std::vector<db::RunRow>& runs,
                                              const std::map<std::int64_t, std::string>& configs);

// Every dotted configuration key the runs of the store have, for --where and --by.
std::set<std::string> config_keys(const std::vector<std::string>& config_jsons);

// Resolves what the user typed to a stored key: the key itself, or dataset.X and model.X
// for dataset.options.X and model.options.X (as the experiment file writes them), or the
// last part of exactly one key (se_reduction, as arm names carry grid axes). nullopt when
// none or several match.
std::optional<std::string> resolve_config_key(const std::string& typed, const std::set<std::string>& keys);

}  // namespace ablate::report
