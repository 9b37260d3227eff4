// Experiment files: parsing, validation messages and overrides.
#include <gtest/gtest.h>

#include <chrono>

#include <fmt/format.h>

#include "ablate/error.hpp"
#include "config/config.hpp"

namespace ablate {
namespace {

const char* kMinimal = R"(name: t
dataset: {plugin: synthetic, classes: 3}
arms:
  a: {model: baseline_cnn}
  b: {model: baseline_cnn, options: {dense: 32}}
resolutions: [16, 32]
seeds: [0, 1, 2]
)";

std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_experiment(text, "exp.yaml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ConfigTest, ParsesArmsInFileOrderWithDefaults) {
  const Experiment e = parse_experiment(kMinimal, "exp.yaml");
  EXPECT_EQ(e.name, "t");
  ASSERT_EQ(e.arms.size(), 2u);
  EXPECT_EQ(e.arms[0].name, "a");
  EXPECT_EQ(e.arms[1].name, "b");
  EXPECT_EQ(e.arms[1].options["dense"].as<int>(), 32);
  EXPECT_EQ(e.dataset_plugin, "synthetic");
  EXPECT_EQ(e.dataset_options["classes"].as<int>(), 3);
  EXPECT_FALSE(e.dataset_options["plugin"]);
  EXPECT_EQ(e.resolutions, (std::vector<std::int64_t>{16, 32}));
  EXPECT_EQ(e.metrics, std::vector<std::string>{"classification"});
  const TrainSettings train = parse_train(e.train, "exp.yaml");
  EXPECT_EQ(train.optimizer, Optimizer::kAdam);
  EXPECT_EQ(train.batch_size, 64);
}

TEST(ConfigTest, YamlSyntaxErrorNamesFileLineAndColumn) {
  const std::string message = error_of("name: t\narms: [a, b\nseeds: [0]\n");
  EXPECT_NE(message.find("exp.yaml:"), std::string::npos) << message;
  EXPECT_NE(message.find("YAML syntax error"), std::string::npos) << message;
}

TEST(ConfigTest, UnknownTopLevelKeySuggestsTheClosestAndListsKnownKeys) {
  const std::string message = error_of(std::string(kMinimal) + "trian: {max_epochs: 3}\n");
  EXPECT_NE(message.find("exp.yaml:8:1"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key 'trian'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'train'?"), std::string::npos) << message;
  EXPECT_NE(message.find("known keys: name,"), std::string::npos) << message;
}

TEST(ConfigTest, UnknownTrainKeyIsAnErrorWithItsLine) {
  const std::string message = error_of(std::string(kMinimal) + "train:\n  batch_sise: 3\n");
  EXPECT_NE(message.find("exp.yaml:9:3"), std::string::npos) << message;
  EXPECT_NE(message.find("'batch_sise' in train"), std::string::npos) << message;
}

TEST(ConfigTest, WrongTypeNamesKeyAndValue) {
  const std::string message = error_of(std::string(kMinimal) + "train: {max_epochs: many}\n");
  EXPECT_NE(message.find("train.max_epochs must be an integer, got 'many'"), std::string::npos) << message;
}

TEST(ConfigTest, InvalidChoiceListsValidValues) {
  const std::string message = error_of(std::string(kMinimal) + "train: {optimizer: {name: lion}}\n");
  EXPECT_NE(message.find("'lion'; valid values: adam, adamw, sgd"), std::string::npos) << message;
}

TEST(ConfigTest, MissingRequiredKeyIsNamed) {
  const std::string message = error_of("dataset: {plugin: synthetic}\narms: {a: {model: m}}\nseeds: [0]\n");
  EXPECT_NE(message.find("missing required key 'resolutions'"), std::string::npos) << message;
}

TEST(ConfigTest, ArmWithoutModelIsAnError) {
  const std::string message =
      error_of("dataset: {plugin: s}\narms: {a: {options: {}}}\nresolutions: [16]\nseeds: [0]\n");
  EXPECT_NE(message.find("arm 'a' needs a `model` key"), std::string::npos) << message;
}

TEST(ConfigTest, DuplicateSeedIsAnError) {
  const std::string message = error_of(std::string(kMinimal) + "", {"seeds=[1, 1]"});
  EXPECT_NE(message.find("lists 1 twice"), std::string::npos) << message;
}

// yaml-cpp keeps both pairs of a key given twice but finds only the first: each would
// silently lose what the user wrote.
TEST(ConfigTest, ArmDefinedTwiceIsAnErrorNamingBothLines) {
  const std::string text = R"(name: t
dataset: {plugin: synthetic}
arms:
  a: {model: baseline_cnn}
  a: {model: unet_encoder}
resolutions: [16]
seeds: [0]
)";
  EXPECT_EQ(error_of(text),
            "exp.yaml:5:3: key 'a' is given twice in one mapping (first at line 4): YAML would silently keep only one "
            "of them; remove or rename one");
}

TEST(ConfigTest, KeyGivenTwiceAnywhereIsAnError) {
  EXPECT_NE(error_of(std::string(kMinimal) + "seeds: [3]\n").find("exp.yaml:8:1: key 'seeds' is given twice"),
            std::string::npos);
  const std::string nested = R"(name: t
dataset: {plugin: synthetic, classes: 3, classes: 4}
arms: {a: {model: baseline_cnn}}
resolutions: [16]
seeds: [0]
train: {batch_size: 8, optimizer: {lr: 0.1, lr: 0.2}}
)";
  EXPECT_NE(error_of(nested).find("exp.yaml:2:42: key 'classes' is given twice in one mapping (first at line 2)"),
            std::string::npos)
      << error_of(nested);
  const std::string in_list = "name: t\ndataset: {plugin: synthetic}\narms: {a: {model: baseline_cnn}}\n"
                              "resolutions: [16]\nseeds: [0]\ngrid: {train.batch_size: [8]}\n"
                              "exclude: [{arm: a, arm: a}]\n";
  EXPECT_NE(error_of(in_list).find("key 'arm' is given twice"), std::string::npos) << error_of(in_list);
}

TEST(ConfigTest, KeyGivenTwiceInAnOverrideValueIsAnError) {
  EXPECT_NE(error_of(kMinimal, {"train={batch_size: 8, batch_size: 16}"})
                .find("override 1 'train={batch_size: 8, batch_size: 16}':1:17: key 'batch_size' is given twice"),
            std::string::npos)
      << error_of(kMinimal, {"train={batch_size: 8, batch_size: 16}"});
}

// A bad value from the command line is blamed on its override, by its place among the
// KEY=VALUE arguments, not on the experiment file's first line (issue 18).
TEST(ConfigTest, ABadOverrideValueNamesTheOverrideNotTheFile) {
  const std::string error = error_of(kMinimal, {"seeds=[0]", "train.max_epochs=one"});
  EXPECT_NE(error.find("override 2 'train.max_epochs=one': train.max_epochs must be an integer, got 'one'"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find("exp.yaml"), std::string::npos) << error;
  // Inside a mapping given whole, and in a list.
  const std::string nested = error_of(kMinimal, {"train={optimizer: {name: adam, lr: -1}}"});
  EXPECT_NE(nested.find("override 1 'train={optimizer: {name: adam, lr: -1}}': train.optimizer.lr is -1"),
            std::string::npos)
      << nested;
  const std::string listed = error_of(kMinimal, {"seeds=[0, x]"});
  EXPECT_NE(listed.find("override 1 'seeds=[0, x]': seeds must be a list of integers, got 'x'"), std::string::npos)
      << listed;
  // A value from the file still names its line, next to an override.
  const std::string from_file = error_of(std::string(kMinimal) + "train: {batch_size: none}\n", {"train.max_epochs=2"});
  EXPECT_NE(from_file.find("exp.yaml:8:21: train.batch_size must be an integer"), std::string::npos) << from_file;
}

TEST(ConfigTest, AliasesAreNotDuplicates) {
  const std::string text = R"(name: t
dataset: {plugin: synthetic}
arms:
  a: &arm {model: baseline_cnn}
  b: *arm
resolutions: [16]
seeds: [0]
)";
  EXPECT_EQ(parse_experiment(text, "exp.yaml").arms.size(), 2u);
}

// Issue 20, item 6: a 1.5 KB "billion laughs" document under exclude: grew to 5.4 GB.
TEST(ConfigTest, AnAliasBombIsRefusedBeforeAnythingWalksIt) {
  std::string text = std::string(kMinimal) + "exclude:\n  - &l0 {arm: [x, x, x, x, x, x, x, x, x, x]}\n";
  for (int level = 1; level <= 9; ++level) {
    text += fmt::format("  - &l{} [", level);
    for (int i = 0; i < 10; ++i) text += fmt::format("{}*l{}", i ? ", " : "", level - 1);
    text += "]\n";
  }
  ASSERT_LT(text.size(), 1500u);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = error_of(text);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10)) << "refused, not expanded";
  EXPECT_NE(message.find("exp.yaml: the document expands to more than 100000 YAML nodes through its aliases"),
            std::string::npos)
      << message;
  // An override's value too.
  EXPECT_NE(error_of(kMinimal,
                     {"exclude=" + std::string("[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a],"
                                               " &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,"
                                               "*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]]")})
                .find("expands to more than 100000 YAML nodes"),
            std::string::npos);
}

TEST(ConfigTest, NameWithAControlCharacterIsAnError) {
  std::string text = kMinimal;
  text.replace(0, 7, "name: \"x\\e[2Jy\"");
  EXPECT_EQ(error_of(text), "exp.yaml:1:7: name must be printable text, but it contains the control character 0x1b (at "
                            "character 2)");
  EXPECT_NE(error_of(kMinimal, {"name=\"a\\r\\nb\""}).find("contains the control character 0x0d"), std::string::npos);
}

TEST(ConfigTest, OverridesReplaceValuesAndCreateNestedKeys) {
  const Experiment e =
      parse_experiment(kMinimal, "exp.yaml", {"seeds=[7]", "train.optimizer.lr=0.01", "dataset.classes=5"});
  EXPECT_EQ(e.seeds, std::vector<std::int64_t>{7});
  EXPECT_DOUBLE_EQ(parse_train(e.train, "exp.yaml").lr, 0.01);
  EXPECT_EQ(e.dataset_options["classes"].as<int>(), 5);
}

TEST(ConfigTest, OverrideOfAnUnknownKeyIsRejected) {
  const std::string message = error_of(kMinimal, {"train.epochs=3"});
  EXPECT_NE(message.find("unknown key 'epochs' in train"), std::string::npos) << message;
}

TEST(ConfigTest, MalformedOverrideExplainsTheForm) {
  const std::string message = error_of(kMinimal, {"=3"});
  EXPECT_NE(message.find("must look like key=value"), std::string::npos) << message;
}

TEST(ConfigTest, GridAxisMustBeUnderTrainDatasetOrModelOptions) {
  const std::string message = error_of(std::string(kMinimal) + "grid: {seeds: [1, 2]}\n");
  EXPECT_NE(message.find("grid axis 'seeds'"), std::string::npos) << message;
}

TEST(ConfigTest, YamlToJsonTypesPlainScalarsAndKeepsQuotedStrings) {
  const YAML::Node node = YAML::Load("{a: 1.0e-3, b: 0.001, c: 3, d: true, e: '3', f: text, g: ~}");
  const nlohmann::json json = yaml_to_json(node);
  EXPECT_EQ(json["a"], json["b"]);
  EXPECT_TRUE(json["c"].is_number_integer());
  EXPECT_TRUE(json["d"].is_boolean());
  EXPECT_TRUE(json["e"].is_string());
  EXPECT_EQ(json["f"], "text");
  EXPECT_TRUE(json["g"].is_null());
}

}  // namespace
}  // namespace ablate
