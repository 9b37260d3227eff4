// The train settings table: its defaults, its choices' names, and docs/experiments.md's table of
// train keys, which must list every setting with its default.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ablate/error.hpp"
#include "config/config.hpp"
#include "config/config_hash.hpp"
#include "config/grid.hpp"
#include "config/train_settings.hpp"

namespace ablate {
namespace {

struct DocumentedSetting {
  std::string key;
  std::string default_text;  // as the doc writes it, e.g. 1.0e-3
};

// The rows of the table under "## `train`". A row may name several keys ("`scheduler.factor`,
// `.patience`": the later ones relative to the first's group) with a default each, or one
// default for all of them.
std::vector<DocumentedSetting> documented_train_settings() {
  std::ifstream in(std::string(ABLATE_SOURCE_DIR) + "/docs/experiments.md");
  EXPECT_TRUE(in) << "cannot read docs/experiments.md";
  const std::regex code("`([^`]*)`");
  std::vector<DocumentedSetting> settings;
  bool in_train = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_train = line == "## `train`";
    if (!in_train || line.rfind("| `", 0) != 0) continue;
    const std::string key_cell = line.substr(0, line.find('|', 1));
    const std::string default_cell = line.substr(line.rfind('|', line.size() - 2));
    std::vector<std::string> keys;
    std::vector<std::string> defaults;
    for (std::sregex_iterator it(key_cell.begin(), key_cell.end(), code), end; it != end; ++it) {
      const std::string key = (*it)[1];
      keys.push_back(key.front() == '.' ? keys.front().substr(0, keys.front().find('.')) + key : key);
    }
    for (std::sregex_iterator it(default_cell.begin(), default_cell.end(), code), end; it != end; ++it) {
      defaults.push_back((*it)[1]);
    }
    EXPECT_TRUE(defaults.size() == 1 || defaults.size() == keys.size()) << line;
    for (std::size_t i = 0; i < keys.size() && !defaults.empty(); ++i) {
      settings.push_back({keys[i], defaults[defaults.size() == 1 ? 0 : i]});
    }
  }
  return settings;
}

TEST(TrainSettingsTest, DocsListEveryTrainKeyInTheTablesOrder) {
  std::vector<std::string> documented;
  for (const auto& setting : documented_train_settings()) documented.push_back(setting.key);
  std::vector<std::string> declared;
  for (const auto& setting : train_settings()) declared.push_back(setting.key);
  EXPECT_EQ(documented, declared) << "docs/experiments.md's table of train keys and the table in "
                                     "framework/src/config/train_settings.cpp differ";
}

TEST(TrainSettingsTest, DocsGiveEachTrainKeyItsDefault) {
  const auto documented = documented_train_settings();
  ASSERT_FALSE(documented.empty());
  for (const auto& setting : train_settings()) {
    const auto doc = std::find_if(documented.begin(), documented.end(),
                                  [&](const DocumentedSetting& d) { return d.key == setting.key; });
    if (doc == documented.end()) continue;  // DocsListEveryTrainKeyInTheTablesOrder says so
    // Read the documented default as a file would give it: 1.0e-3 and 0.001 are the same default.
    TrainSettings parsed;
    try {
      setting.value->parse(YAML::Load(doc->default_text), "train." + setting.key, "docs/experiments.md", parsed);
    } catch (const ConfigError& e) {
      ADD_FAILURE() << "the documented default of " << setting.key << " is not valid: " << e.what();
      continue;
    }
    EXPECT_TRUE(setting.value->is_default(parsed)) << "docs/experiments.md gives " << setting.key << " (" << setting.doc
                                                   << ") the default " << doc->default_text << ", the table another";
  }
}

TEST(TrainSettingsTest, EveryRowHasADocLineAndAUniqueKey) {
  std::vector<std::string> keys;
  for (const auto& setting : train_settings()) {
    EXPECT_FALSE(setting.doc.empty()) << setting.key;
    EXPECT_EQ(setting.doc.find('\n'), std::string::npos) << setting.key;
    EXPECT_EQ(std::count(keys.begin(), keys.end(), setting.key), 0) << setting.key;
    keys.push_back(setting.key);
  }
}

TEST(TrainSettingsTest, DefaultConstructionFillsInTheTablesDefaults) {
  const TrainSettings train;
  for (const auto& setting : train_settings()) EXPECT_TRUE(setting.value->is_default(train)) << setting.key;
  EXPECT_EQ(train.optimizer, Optimizer::kAdam);
  EXPECT_DOUBLE_EQ(train.lr, 1e-3);
  EXPECT_EQ(train.scheduler_milestones, (std::vector<std::int64_t>{50, 75}));
  EXPECT_DOUBLE_EQ(train.augment.crop_min_area, 1.0);
  EXPECT_FALSE(train.augment.any());
  EXPECT_EQ(train.images, Images::kMemory);
  EXPECT_TRUE(train.fast_paths);
}

TEST(TrainSettingsTest, ChoicesAreReadAndNamedByTheirNameTables) {
  const YAML::Node node = YAML::Load("{optimizer: {name: adamw}, scheduler: {name: multistep}, amp: bf16, "
                                     "images: disk, class_weights: balanced, device: cuda, "
                                     "early_stopping: {monitor: val_auc}, normalize: dataset}");
  const TrainSettings train = parse_train(node, "t.yaml");
  EXPECT_EQ(train.optimizer, Optimizer::kAdamW);
  EXPECT_EQ(train.scheduler, Scheduler::kMultistep);
  EXPECT_EQ(train.amp, Amp::kBf16);
  EXPECT_EQ(train.images, Images::kDisk);
  EXPECT_EQ(train.class_weights, ClassWeights::kBalanced);
  EXPECT_EQ(train.device, Device::kCuda);
  EXPECT_EQ(train.early_stopping_monitor, Monitor::kValAuc);
  EXPECT_EQ(train.normalize, Normalize::kDataset);
  EXPECT_EQ(name_of(Optimizer::kAdamW), "adamw");
  EXPECT_EQ(name_of(Monitor::kValAccuracy), "val_accuracy");
  EXPECT_EQ(name_of(Images::kDisk), "disk");
}

TEST(TrainSettingsTest, NormalizeMappingIsFixedStatistics) {
  const TrainSettings train = parse_train(YAML::Load("{normalize: {mean: [0.5], std: [0.25]}}"), "t.yaml");
  EXPECT_EQ(train.normalize, Normalize::kFixed);
  EXPECT_EQ(train.normalize_mean, std::vector<double>{0.5});
  EXPECT_EQ(train.normalize_std, std::vector<double>{0.25});
}

TEST(TrainSettingsTest, SgdSettingsWithAnotherOptimizerAreAnError) {
  try {
    parse_train(YAML::Load("{optimizer: {name: adamw, momentum: 0.5}}"), "t.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("momentum and nesterov apply to sgd only, not adamw"), std::string::npos)
        << e.what();
  }
}

// ---- train.vary ---------------------------------------------------------------------------

std::string vary_error(const std::string& vary) {
  try {
    parse_train(YAML::Load("{vary: " + vary + "}"), "t.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

std::string cell_hash(const std::vector<std::string>& overrides) {
  const char* base = "dataset: {plugin: synthetic}\narms: {a: {model: m}}\nresolutions: [16]\nseeds: [0]\n";
  const Experiment experiment = parse_experiment(base, "x.yaml", overrides);
  return config_hash(cell_identity(expand_grid(experiment).front(), {{"m", "1.0.0"}, {"synthetic", "1.0.0"}}));
}

TEST(TrainVaryTest, TheDefaultIsWhatOneSeedDroveBeforeAndStaysOutOfTheIdentity) {
  const TrainSettings train;
  EXPECT_TRUE(train.vary.varies(SeedSource::kInit));
  EXPECT_TRUE(train.vary.varies(SeedSource::kOrder));
  EXPECT_TRUE(train.vary.varies(SeedSource::kAugment));
  EXPECT_TRUE(train.vary.varies(SeedSource::kDropout));
  EXPECT_FALSE(train.vary.varies(SeedSource::kSplit));
  // Runs stored before train.vary existed keep their hashes: the default adds nothing.
  EXPECT_FALSE(train_identity(train).contains("vary"));
  const std::string reference = cell_hash({});
  EXPECT_EQ(reference, cell_hash({"train.vary=[init, order, augment, dropout]"}));
  EXPECT_EQ(reference, cell_hash({"train.vary=[dropout, augment, order, init]"}));  // order does not matter
}

TEST(TrainVaryTest, AnyOtherListJoinsTheIdentityByNameInOneOrder) {
  const TrainSettings some = parse_train(YAML::Load("{vary: [order, init]}"), "t.yaml");
  EXPECT_TRUE(some.vary.varies(SeedSource::kInit));
  EXPECT_TRUE(some.vary.varies(SeedSource::kOrder));
  EXPECT_FALSE(some.vary.varies(SeedSource::kDropout));
  EXPECT_EQ(train_identity(some)["vary"].dump(), R"(["init","order"])");
  const TrainSettings none = parse_train(YAML::Load("{vary: []}"), "t.yaml");
  EXPECT_EQ(train_identity(none)["vary"].dump(), "[]");

  const std::string reference = cell_hash({});
  const std::string with_split = cell_hash({"train.vary=[init, order, augment, dropout, split]"});
  const std::string held = cell_hash({"train.vary=[]"});
  const std::string init_only = cell_hash({"train.vary=[init]"});
  EXPECT_NE(reference, with_split);
  EXPECT_NE(reference, held);
  EXPECT_NE(reference, init_only);
  EXPECT_NE(held, init_only);
  EXPECT_EQ(with_split, cell_hash({"train.vary=[split, dropout, augment, order, init]"}));
}

TEST(TrainVaryTest, AnUnknownSourceIsNamedWithItsLineAndTheClosestName) {
  const std::string error = vary_error("[init, ordr]");
  EXPECT_NE(error.find("t.yaml:1:15: train.vary is 'ordr' (did you mean 'order'?); valid values: init, order, "
                       "augment, dropout, split"),
            std::string::npos)
      << error;
  // Far from every name: no guess, still the valid values.
  const std::string far = vary_error("[weights]");
  EXPECT_NE(far.find("train.vary is 'weights'; valid values: init, order"), std::string::npos) << far;
}

TEST(TrainVaryTest, ASourceTwiceOrAScalarIsAnError) {
  const std::string twice = vary_error("[init, order, init]");
  EXPECT_NE(twice.find("t.yaml:1:22: train.vary lists init twice"), std::string::npos) << twice;
  const std::string scalar = vary_error("init");
  EXPECT_NE(scalar.find("train.vary must be a list of sources of randomness, e.g. [init, order]"), std::string::npos)
      << scalar;
}

}  // namespace
}  // namespace ablate
