// Grid expansion and run identity (config hashing).
#include <gtest/gtest.h>

#include "ablate/error.hpp"
#include "config/config.hpp"
#include "config/config_hash.hpp"
#include "config/grid.hpp"

namespace ablate {
namespace {

const char* kExperiment = R"(name: g
dataset: {plugin: synthetic, path: /somewhere}
arms:
  a: {model: m}
  b: {model: m, options: {width: 2}}
resolutions: [16, 32]
seeds: [0, 1]
train: {optimizer: {lr: 1.0e-3}}
grid:
  train.optimizer.lr: [1.0e-3, 1.0e-4]
  model.options.depth: [2, 3, 4]
)";

const PluginVersions kVersions{{"m", "1.0.0"}, {"synthetic", "1.0.0"}, {"classification", "1.0.0"}};

TEST(GridTest, ExpandsCartesianProductInDeclaredOrder) {
  const auto cells = expand_grid(parse_experiment(kExperiment, "g.yaml"));
  ASSERT_EQ(cells.size(), 2u * 2u * 2u * 3u * 2u);
  // Arms outermost, then resolutions, then axes (first declared outermost), seeds innermost.
  EXPECT_EQ(cells[0].label(), "a r16 s0 train.optimizer.lr=1.0e-3 model.options.depth=2");
  EXPECT_EQ(cells[1].label(), "a r16 s1 train.optimizer.lr=1.0e-3 model.options.depth=2");
  EXPECT_EQ(cells[2].label(), "a r16 s0 train.optimizer.lr=1.0e-3 model.options.depth=3");
  EXPECT_EQ(cells[6].label(), "a r16 s0 train.optimizer.lr=1.0e-4 model.options.depth=2");
  EXPECT_EQ(cells[12].label(), "a r32 s0 train.optimizer.lr=1.0e-3 model.options.depth=2");
  EXPECT_EQ(cells[24].arm, "b");
  for (std::size_t i = 0; i < cells.size(); ++i) EXPECT_EQ(cells[i].index, i);
}

TEST(GridTest, ArmLabelCarriesTheGridAxisValues) {
  const auto cells = expand_grid(parse_experiment(kExperiment, "g.yaml"));
  EXPECT_EQ(cells[2].arm_label(), "a@lr=1.0e-3,depth=3");
  const auto plain = expand_grid(parse_experiment(
      "dataset: {plugin: s}\narms: {a: {model: m}}\nresolutions: [28]\nseeds: [0]\n", "x.yaml"));
  EXPECT_EQ(plain[0].arm_label(), "a");
}

TEST(GridTest, AxisValuesReachTheCellsTrainAndModelOptions) {
  const auto cells = expand_grid(parse_experiment(kExperiment, "g.yaml"));
  EXPECT_DOUBLE_EQ(cells[6].train.lr, 1e-4);
  EXPECT_EQ(cells[2].model_options["depth"].as<int>(), 3);
  EXPECT_EQ(cells[24].model_options["width"].as<int>(), 2);  // the arm's own options stay
  EXPECT_FALSE(cells[0].model_options["width"]);              // and do not leak into arm a
}

TEST(GridTest, WithoutAxesEachArmResolutionSeedIsOneCell) {
  const auto cells = expand_grid(parse_experiment(
      "dataset: {plugin: s}\narms: {a: {model: m}}\nresolutions: [28]\nseeds: [0, 1, 2]\n", "x.yaml"));
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[2].label(), "a r28 s2");
}

TEST(GridTest, ExcludeRulesRemoveMatchingCells) {
  std::string text = kExperiment;
  text += "exclude:\n  - {arm: b, resolution: 32}\n  - {train.optimizer.lr: 0.0001, model.options.depth: 4}\n";
  const auto cells = expand_grid(parse_experiment(text, "g.yaml"));
  // 48 cells; b at 32 is 12 of them; lr 1e-4 with depth 4 is 2 per arm and resolution,
  // minus the one of those already gone with b at 32 (2 cells): 48 - 12 - 8 + 2 = 30.
  EXPECT_EQ(cells.size(), 30u);
  for (const auto& cell : cells) {
    EXPECT_FALSE(cell.arm == "b" && cell.resolution == 32) << cell.label();
    EXPECT_FALSE(cell.train.lr == 1e-4 && cell.model_options["depth"].as<int>() == 4) << cell.label();
  }
}

TEST(GridTest, ExcludeRuleWithAnUnknownKeyOrArmIsAnError) {
  EXPECT_THROW(parse_experiment(std::string(kExperiment) + "exclude: [{arms: a}]\n", "g.yaml"), ConfigError);
  EXPECT_THROW(parse_experiment(std::string(kExperiment) + "exclude: [{arm: z}]\n", "g.yaml"), ConfigError);
  EXPECT_THROW(parse_experiment(std::string(kExperiment) + "exclude: {arm: a}\n", "g.yaml"), ConfigError);
}

TEST(GridTest, InvalidAxisValueIsAConfigError) {
  EXPECT_THROW(expand_grid(parse_experiment(
                   "dataset: {plugin: s}\narms: {a: {model: m}}\nresolutions: [28]\nseeds: [0]\n"
                   "grid: {train.batch_size: [32, zero]}\n",
                   "x.yaml")),
               ConfigError);
}

TEST(ConfigHashTest, IsStableAndIgnoresHowNumbersAreWritten) {
  const auto first = expand_grid(parse_experiment(kExperiment, "g.yaml"));
  std::string rewritten = kExperiment;
  rewritten.replace(rewritten.find("lr: 1.0e-3}"), 11, "lr: 0.001}");
  const auto second = expand_grid(parse_experiment(rewritten, "elsewhere.yaml"));
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(config_hash(cell_identity(first[i], kVersions)), config_hash(cell_identity(second[i], kVersions)));
  }
  EXPECT_EQ(config_hash(cell_identity(first[0], kVersions)).size(), 64u);
}

TEST(ConfigHashTest, EveryCellOfAGridHasItsOwnHash) {
  const auto cells = expand_grid(parse_experiment(kExperiment, "g.yaml"));
  std::set<std::string> hashes;
  for (const auto& cell : cells) hashes.insert(config_hash(cell_identity(cell, kVersions)));
  EXPECT_EQ(hashes.size(), cells.size());
}

TEST(ConfigHashTest, ChangesWithSettingsAndPluginVersionsButNotDataLocation) {
  const char* base = "dataset: {plugin: synthetic, path: /a}\narms: {a: {model: m}}\nresolutions: [16]\nseeds: [0]\n";
  const auto hash_of = [](const Experiment& e, const PluginVersions& v) {
    return config_hash(cell_identity(expand_grid(e).front(), v));
  };
  const std::string reference = hash_of(parse_experiment(base, "x.yaml"), kVersions);
  EXPECT_EQ(reference, hash_of(parse_experiment(base, "x.yaml", {"dataset.path=/b"}), kVersions));
  EXPECT_NE(reference, hash_of(parse_experiment(base, "x.yaml", {"train.max_epochs=11"}), kVersions));
  EXPECT_NE(reference, hash_of(parse_experiment(base, "x.yaml", {"dataset.classes=3"}), kVersions));
  PluginVersions newer = kVersions;
  newer["m"] = "1.1.0";
  EXPECT_NE(reference, hash_of(parse_experiment(base, "x.yaml"), newer));
  // An explicit default is the same configuration as an omitted one.
  EXPECT_EQ(reference, hash_of(parse_experiment(base, "x.yaml", {"train.batch_size=64"}), kVersions));
  // How a cell runs is not what it computes.
  EXPECT_EQ(reference, hash_of(parse_experiment(base, "x.yaml", {"train.threads=1"}), kVersions));
  EXPECT_EQ(reference, hash_of(parse_experiment(base, "x.yaml", {"train.images=disk"}), kVersions));
  EXPECT_THROW(parse_experiment(base, "x.yaml", {"train.images=ram"}), ConfigError);
}

TEST(ConfigHashTest, FastPathsOffIsAnotherConfigurationAndOnKeepsEarlierHashes) {
  const char* base = "dataset: {plugin: synthetic}\narms: {a: {model: m}}\nresolutions: [16]\nseeds: [0]\n";
  const auto hash_of = [](const Experiment& e) { return config_hash(cell_identity(expand_grid(e).front(), kVersions)); };
  const std::string reference = hash_of(parse_experiment(base, "x.yaml"));
  EXPECT_NE(reference, hash_of(parse_experiment(base, "x.yaml", {"train.fast_paths=false"})));
  EXPECT_EQ(reference, hash_of(parse_experiment(base, "x.yaml", {"train.fast_paths=true"})));
  // The default adds nothing to the identity: runs stored before the setting existed keep
  // their hashes, and a resumed grid does not train them again.
  EXPECT_FALSE(TrainSettings{}.to_json().contains("fast_paths"));
  EXPECT_THROW(parse_experiment(base, "x.yaml", {"train.fast_paths=sometimes"}), ConfigError);
}

}  // namespace
}  // namespace ablate
