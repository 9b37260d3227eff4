// Grid expansion and run identity (config hashing).
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ablate/error.hpp"
#include "ablate/options.hpp"
#include "api/options_yaml.hpp"
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

TEST(GridTest, AGridBeyondTheCellLimitIsAnErrorNotAWrappedCount) {
  // 64 axes of two values once wrapped the count to 0: the grid ran nothing and exited 0.
  std::string text = "dataset: {plugin: synthetic}\narms: {a: {model: m}}\nresolutions: [16]\nseeds: [0]\ngrid:\n";
  for (int axis = 1; axis <= 64; ++axis) text += "  model.options.a" + std::to_string(axis) + ": [1, 2]\n";
  try {
    expand_grid(parse_experiment(text, "big.yaml"));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    // 2^20 = 1,048,576 is the first count over the limit.
    EXPECT_EQ(std::string(e.what()),
              "big.yaml: the grid has more than 1000000 cells (arms x resolutions x seeds x each grid axis's values, "
              "counted up to grid axis 'model.options.a20'); split it into several experiments, or raise the limit "
              "with `runner --max-cells N`");
  }
  // The limit can be raised (runner --max-cells sets it): 2^20 cells with 21 axes is then the
  // first count over it.
  Experiment raised = parse_experiment(text, "big.yaml");
  raised.max_cells = std::size_t{1} << 20;
  try {
    expand_grid(raised);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("more than 1048576 cells (arms x resolutions x seeds x each grid axis's "
                                         "values, counted up to grid axis 'model.options.a21')"),
              std::string::npos)
        << e.what();
  }
}

TEST(GridTest, ArmLabelCarriesTheGridAxisValues) {
  const auto cells = expand_grid(parse_experiment(kExperiment, "g.yaml"));
  EXPECT_EQ(cells[2].arm_label(), "a@lr=1.0e-3,depth=3");
  const auto plain = expand_grid(
      parse_experiment("dataset: {plugin: s}\narms: {a: {model: m}}\nresolutions: [28]\nseeds: [0]\n", "x.yaml"));
  EXPECT_EQ(plain[0].arm_label(), "a");
}

TEST(GridTest, AxisValuesReachTheCellsTrainAndModelOptions) {
  const auto cells = expand_grid(parse_experiment(kExperiment, "g.yaml"));
  EXPECT_DOUBLE_EQ(cells[6].train.lr, 1e-4);
  EXPECT_EQ(cells[2].model_options["depth"].as<int>(), 3);
  EXPECT_EQ(cells[24].model_options["width"].as<int>(), 2);  // the arm's own options stay
  EXPECT_FALSE(cells[0].model_options["width"]);             // and do not leak into arm a
}

TEST(GridTest, WithoutAxesEachArmResolutionSeedIsOneCell) {
  const auto cells = expand_grid(
      parse_experiment("dataset: {plugin: s}\narms: {a: {model: m}}\nresolutions: [28]\nseeds: [0, 1, 2]\n", "x.yaml"));
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
  EXPECT_THROW(
      expand_grid(parse_experiment("dataset: {plugin: s}\narms: {a: {model: m}}\nresolutions: [28]\nseeds: [0]\n"
                                   "grid: {train.batch_size: [32, zero]}\n",
                                   "x.yaml")),
      ConfigError);
}

// A grid value keeps its place in the file: an error about it in a cell names its line,
// for the train settings and for a plugin's options alike (issue 18).
TEST(GridTest, ABadAxisValueNamesItsLine) {
  const std::string text =
      "dataset: {plugin: s}\narms: {a: {model: m, options: {width: 2}}}\nresolutions: [28]\nseeds: [0]\n"
      "grid:\n  train.batch_size: [32, zero]\n  model.options.depth: [2, deep]\n";
  try {
    expand_grid(parse_experiment(text, "x.yaml"));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("x.yaml:6:26: train.batch_size must be an integer, got 'zero'"),
              std::string::npos)
        << e.what();
  }
  const auto cells = expand_grid(parse_experiment(
      "dataset: {plugin: s}\narms: {a: {model: m, options: {width: 2}}}\nresolutions: [28]\nseeds: [0]\n"
      "grid:\n  model.options.depth: [2, deep]\n",
      "x.yaml"));
  ASSERT_EQ(cells.size(), 2u);
  const Options options = make_options(cells[1].model_options, "model plugin 'm'", "x.yaml");
  try {
    options.get_int("depth", 1);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "model plugin 'm': option 'depth' (x.yaml:6:28) must be an integer, got 'deep'");
  }
  // The arm's own options keep their lines too.
  try {
    make_options(cells[1].model_options, "model plugin 'm'", "x.yaml").reject_unknown();
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown option 'width' (x.yaml:2:32)"), std::string::npos) << e.what();
  }
}

// A grid value set from the command line names the override it came from.
TEST(GridTest, AnAxisValueFromAnOverrideNamesTheOverride) {
  const auto cells =
      expand_grid(parse_experiment("dataset: {plugin: s}\narms: {a: {model: m}}\nresolutions: [28]\nseeds: [0]\n",
                                   "x.yaml", {"seeds=[0]", "grid={model.options.depth: [2, deep]}"}));
  ASSERT_EQ(cells.size(), 2u);
  try {
    make_options(cells[1].model_options, "model plugin 'm'", "x.yaml").get_int("depth", 1);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "model plugin 'm': option 'depth' (override 2 'grid={model.options.depth: [2, deep]}') must be an "
              "integer, got 'deep'");
  }
}

// Setting one cell's axis values leaves the experiment, and so the other cells, as they
// were: the axis applied second sets lr inside the mapping the first one gave.
TEST(GridTest, AxisValuesDoNotLeakBetweenCells) {
  const Experiment experiment =
      parse_experiment("dataset: {plugin: s}\narms: {a: {model: m}}\nresolutions: [28]\nseeds: [0]\n"
                       "grid:\n  train.optimizer.lr: [0.1, 0.01]\n  train.optimizer: [{name: sgd}, {name: adam}]\n",
                       "x.yaml");
  const auto cells = expand_grid(experiment);
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_DOUBLE_EQ(cells[0].train.lr, 0.1);
  EXPECT_DOUBLE_EQ(cells[1].train.lr, 0.1);
  EXPECT_DOUBLE_EQ(cells[2].train.lr, 0.01);
  EXPECT_DOUBLE_EQ(cells[3].train.lr, 0.01);
  EXPECT_EQ(cells[2].axes[1].second, "{name: sgd}");
  EXPECT_EQ(cells[3].axes[1].second, "{name: adam}");
  EXPECT_FALSE(experiment.grid[1].values[0]["lr"]) << "a cell's lr was written into the experiment's axis value";
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
  const auto hash_of = [](const Experiment& e) {
    return config_hash(cell_identity(expand_grid(e).front(), kVersions));
  };
  const std::string reference = hash_of(parse_experiment(base, "x.yaml"));
  EXPECT_NE(reference, hash_of(parse_experiment(base, "x.yaml", {"train.fast_paths=false"})));
  EXPECT_EQ(reference, hash_of(parse_experiment(base, "x.yaml", {"train.fast_paths=true"})));
  // The default adds nothing to the identity: runs stored before the setting existed keep
  // their hashes, and a resumed grid does not train them again.
  EXPECT_FALSE(train_identity(TrainSettings{}).contains("fast_paths"));
  EXPECT_THROW(parse_experiment(base, "x.yaml", {"train.fast_paths=sometimes"}), ConfigError);
}

// The defaults' identity, written out: what the table's identity rules produce (no threads,
// images or fast_paths; SGD's and the schedules' own settings only with them).
TEST(ConfigHashTest, TrainIdentityOfTheDefaultsIsTheWrittenOutJson) {
  const auto written_out = nlohmann::json::parse(R"({
    "amp": "none",
    "augment": {"crop_min_area": 1.0, "horizontal_flip": false, "rotate90": false, "rotate_degrees": 0.0,
                "vertical_flip": false},
    "batch_size": 64, "channels_last": true, "class_weights": "none", "deterministic": false, "device": "auto",
    "early_stopping": {"monitor": "val_loss", "patience": 5},
    "eval_batch_size": 256, "grad_clip_norm": 0.0, "label_smoothing": 0.0, "max_epochs": 10, "normalize": "none",
    "optimizer": {"lr": 0.001, "name": "adam", "weight_decay": 0.0},
    "scheduler": {"name": "none"},
    "steps_per_epoch": 0
  })");
  // Compared as text, so that 1.0 and 1 (a float and an integer: another hash) differ.
  EXPECT_EQ(train_identity(TrainSettings{}).dump(), written_out.dump());
}

// Literal hashes, computed before the train settings became a table: a refactoring that
// changed any of them would train every stored run again.
TEST(ConfigHashTest, HashesOfKnownConfigurationsNeverChange) {
  const char* base = "dataset: {plugin: synthetic}\narms: {a: {model: m}}\nresolutions: [16]\nseeds: [0]\n";
  const auto hash_of = [&](const std::vector<std::string>& overrides) {
    return config_hash(cell_identity(expand_grid(parse_experiment(base, "x.yaml", overrides)).front(), kVersions));
  };
  EXPECT_EQ(hash_of({}), "70b59ae9ce913132be50d9ca07799a5034aef9f86c044323ae270cf261b2512a");
  EXPECT_EQ(hash_of({"train.optimizer={name: sgd, lr: 0.1, momentum: 0.8, nesterov: true, weight_decay: 1.0e-4}"}),
            "e9ca659b4970e8f87ea2f7c4511b365206f079ff797df4ba3bdbe85d33159299");
  EXPECT_EQ(hash_of({"train.optimizer.name=adamw", "train.batch_size=32", "train.eval_batch_size=100",
                     "train.max_epochs=3", "train.steps_per_epoch=7"}),
            "b7ef1029e54dd105f54cceabacaeda2f2925d98b0d430f75b6593a8c68b5dd2e");
  EXPECT_EQ(hash_of({"train.scheduler={name: plateau, factor: 0.2, patience: 1, monitor: val_auc}",
                     "train.early_stopping={monitor: val_accuracy, patience: 0}"}),
            "3c71cffabe8bd4ba851e4e82750cc4985bdf8f3aaa50ee4fb1249c0251167609");
  EXPECT_EQ(hash_of({"train.scheduler={name: cosine, min_lr: 1.0e-5}"}),
            "ddc2fd8a7a3a3e525ed2835e844b08b8c78b84501461fccf2e5b51870fd4ccf8");
  EXPECT_EQ(hash_of({"train.scheduler={name: multistep, milestones: [3, 5], gamma: 0.5}"}),
            "a2e24eb16c3d0135fe2d3ae054f24931b03c1227d6c3435bb993099c89e80f9c");
  EXPECT_EQ(hash_of({"train.class_weights=balanced", "train.label_smoothing=0.1", "train.grad_clip_norm=2"}),
            "47437834360ad41ee580931abe218541a307a9f32815c948e09050656ed1a6a2");
  EXPECT_EQ(hash_of({"train.normalize=dataset"}), "46fead3cf6252ad95ac7a8e3952f3b39e0525804dd308a65017c19a9c61a9a93");
  EXPECT_EQ(hash_of({"train.normalize={mean: [0.5], std: [0.25, 0.5, 1]}"}),
            "ad8394904c55a2c3f57f2668f3d2b9b2a100ff7fa1d5329c81d91bf01a99f4aa");
  EXPECT_EQ(hash_of({"train.augment={horizontal_flip: true, vertical_flip: true, rotate90: true, "
                     "rotate_degrees: 15, crop_min_area: 0.5}"}),
            "5ebcdc7501db809cd8b4fc2e443d6bdcd7cdfa725058aa6ae49f2a8fe0c5b904");
  EXPECT_EQ(hash_of({"train.device=cpu", "train.deterministic=true", "train.amp=bf16", "train.channels_last=false",
                     "train.fast_paths=false", "train.threads=2", "train.images=disk"}),
            "a132cfb5f4b13d357973b90e1ace3f4b78992850a636487cba36ec811e29ac3d");
}

}  // namespace
}  // namespace ablate
