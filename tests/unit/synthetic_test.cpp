// Tests of the synthetic dataset plugin, loaded through the real plugin loader.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "ablate/dataset.hpp"
#include "ablate/error.hpp"
#include "config/plugin_registry.hpp"

namespace ablate {
namespace {

class SyntheticTest : public ::testing::Test {
 protected:
  void SetUp() override { registry_.load_directories({ABLATE_PLUGIN_DIR}); }

  std::shared_ptr<Dataset> create(const std::string& options) const {
    return registry_.create_dataset("synthetic", YAML::Load(options));
  }

  // The ConfigError message of creating the plugin, or "" if it was accepted.
  std::string config_error(const std::string& options) const {
    try {
      create(options);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  PluginRegistry registry_;
};

std::map<std::int64_t, int> per_class(const ImageSet& set) {
  std::map<std::int64_t, int> counts;
  for (std::int64_t label : set.labels) ++counts[label];
  return counts;
}

// The mean image of each class, as floats: the class patterns should set them apart.
std::vector<std::vector<double>> class_means(const ImageSet& set, std::int64_t classes) {
  const std::int64_t stride = set.height * set.width * set.channels;
  std::vector<std::vector<double>> means(static_cast<std::size_t>(classes),
                                         std::vector<double>(static_cast<std::size_t>(stride)));
  const auto counts = per_class(set);
  for (std::int64_t i = 0; i < set.count; ++i) {
    auto& mean = means[static_cast<std::size_t>(set.labels[static_cast<std::size_t>(i)])];
    for (std::int64_t p = 0; p < stride; ++p)
      mean[static_cast<std::size_t>(p)] += set.pixels[static_cast<std::size_t>(i * stride + p)];
  }
  for (std::int64_t c = 0; c < classes; ++c) {
    for (auto& value : means[static_cast<std::size_t>(c)]) value /= counts.at(c);
  }
  return means;
}

TEST_F(SyntheticTest, DefaultsGiveThreeChannelSixteenPixelImagesInFourClasses) {
  const auto dataset = create("{}");
  const DatasetInfo info = dataset->info();
  EXPECT_EQ(info.name, "synthetic");
  EXPECT_EQ(info.channels, 3);
  EXPECT_EQ(info.num_classes, 4);
  EXPECT_EQ(info.native_resolution, 16);
  EXPECT_EQ(info.class_names, (std::vector<std::string>{"class_0", "class_1", "class_2", "class_3"}));

  const DatasetSplits splits = dataset->load(32);
  EXPECT_EQ(splits.train.count, 256);
  EXPECT_EQ(splits.val.count, 64);
  EXPECT_EQ(splits.test.count, 64);
  for (const ImageSet* set : {&splits.train, &splits.val, &splits.test}) {
    EXPECT_EQ(set->height, 16);
    EXPECT_EQ(set->width, 16);
    EXPECT_EQ(set->channels, 3);
    EXPECT_EQ(set->pixels.size(), static_cast<std::size_t>(set->count * 16 * 16 * 3));
    EXPECT_EQ(set->labels.size(), static_cast<std::size_t>(set->count));
  }
}

TEST_F(SyntheticTest, HonoursSizeChannelsClassesAndCounts) {
  const auto dataset = create("{classes: 7, channels: 1, size: 12, train: 30, val: 9, test: 5, noise: 0.5}");
  EXPECT_EQ(dataset->info().num_classes, 7);
  EXPECT_EQ(dataset->info().channels, 1);
  EXPECT_EQ(dataset->info().native_resolution, 12);
  const DatasetSplits splits = dataset->load(12);
  EXPECT_EQ(splits.train.count, 30);
  EXPECT_EQ(splits.val.count, 9);
  EXPECT_EQ(splits.test.count, 5);
  EXPECT_EQ(splits.train.pixels.size(), 30u * 12 * 12);
  for (std::int64_t label : splits.train.labels) {
    EXPECT_GE(label, 0);
    EXPECT_LT(label, 7);
  }
}

TEST_F(SyntheticTest, SameOptionsGiveIdenticalBytesAndAnotherSeedOthers) {
  const std::string options = "{seed: 3, classes: 5, train: 40, val: 10, test: 10}";
  const DatasetSplits a = create(options)->load(16);
  const DatasetSplits b = create(options)->load(16);
  EXPECT_EQ(a.train.pixels, b.train.pixels);
  EXPECT_EQ(a.train.labels, b.train.labels);
  EXPECT_EQ(a.val.pixels, b.val.pixels);
  EXPECT_EQ(a.test.pixels, b.test.pixels);
  EXPECT_EQ(a.test.labels, b.test.labels);

  const DatasetSplits c = create("{seed: 4, classes: 5, train: 40, val: 10, test: 10}")->load(16);
  EXPECT_NE(a.train.pixels, c.train.pixels);
  EXPECT_NE(a.train.labels, c.train.labels);
  // The splits are independent draws, not copies of one another.
  EXPECT_NE(std::vector<std::uint8_t>(a.train.pixels.begin(), a.train.pixels.begin() + a.val.pixels.size()),
            a.val.pixels);
}

TEST_F(SyntheticTest, LabelsAreBalancedAndShuffled) {
  const DatasetSplits splits = create("{classes: 4, train: 100, val: 10}")->load(16);
  EXPECT_EQ(per_class(splits.train), (std::map<std::int64_t, int>{{0, 25}, {1, 25}, {2, 25}, {3, 25}}));
  // 10 images in 4 classes: within one of each other.
  EXPECT_EQ(per_class(splits.val), (std::map<std::int64_t, int>{{0, 3}, {1, 3}, {2, 2}, {3, 2}}));
  std::vector<std::int64_t> round_robin;
  for (int i = 0; i < 100; ++i) round_robin.push_back(i % 4);
  EXPECT_NE(splits.train.labels, round_robin);
}

TEST_F(SyntheticTest, ClassesHaveDistinctPatterns) {
  // Without noise, no two classes may share an image: the label is in the pixels.
  const DatasetSplits clean = create("{classes: 12, channels: 1, size: 8, noise: 0}")->load(8);
  const std::int64_t stride = 8 * 8;
  for (std::int64_t i = 0; i < clean.train.count; ++i) {
    for (std::int64_t j = i + 1; j < clean.train.count; ++j) {
      if (clean.train.labels[static_cast<std::size_t>(i)] == clean.train.labels[static_cast<std::size_t>(j)]) continue;
      ASSERT_FALSE(std::equal(clean.train.pixels.begin() + i * stride, clean.train.pixels.begin() + (i + 1) * stride,
                              clean.train.pixels.begin() + j * stride))
          << "images " << i << " and " << j << " of different classes are identical";
    }
  }
  // With noise, the per-class mean images still differ clearly (colour and stripes).
  const DatasetSplits noisy = create("{classes: 4}")->load(16);
  const auto means = class_means(noisy.train, 4);
  for (std::size_t a = 0; a < 4; ++a) {
    for (std::size_t b = a + 1; b < 4; ++b) {
      double distance = 0;
      for (std::size_t p = 0; p < means[a].size(); ++p) distance += std::abs(means[a][p] - means[b][p]);
      EXPECT_GT(distance / static_cast<double>(means[a].size()), 20.0) << a << " vs " << b;
    }
  }
}

TEST_F(SyntheticTest, NoiseOneIsPureNoiseAndNoiseZeroHasOnlyPatternValues) {
  const DatasetSplits clean = create("{channels: 1, noise: 0}")->load(16);
  for (std::uint8_t pixel : clean.train.pixels) ASSERT_TRUE(pixel == 0 || pixel == 255);
  const DatasetSplits noise = create("{channels: 1, noise: 1}")->load(16);
  const auto distinct = std::count_if(noise.train.pixels.begin(), noise.train.pixels.end(),
                                      [](std::uint8_t p) { return p != 0 && p != 255; });
  EXPECT_GT(distinct, static_cast<long>(noise.train.pixels.size() * 9 / 10));
}

TEST_F(SyntheticTest, RejectsInvalidOptionsNamingThemAndWhatIsValid) {
  EXPECT_NE(config_error("{classes: 1}").find("'classes'"), std::string::npos);
  EXPECT_NE(config_error("{classes: 1}").find("expected 2 to"), std::string::npos);
  EXPECT_NE(config_error("{classes: 13, size: 8}").find("expected 2 to 12"), std::string::npos);
  EXPECT_NE(config_error("{channels: 2}").find("expected 1 or 3"), std::string::npos);
  EXPECT_NE(config_error("{size: 7}").find("'size'"), std::string::npos);
  EXPECT_NE(config_error("{train: 0}").find("'train'"), std::string::npos);
  EXPECT_NE(config_error("{val: -1}").find("'val'"), std::string::npos);
  EXPECT_NE(config_error("{test: 0}").find("'test'"), std::string::npos);
  EXPECT_NE(config_error("{noise: 1.5}").find("'noise'"), std::string::npos);
  EXPECT_NE(config_error("{noise: -0.1}").find("expected 0 to 1"), std::string::npos);
  EXPECT_NE(config_error("{train: 100000000}").find("'train'"), std::string::npos);
  EXPECT_NE(config_error("{classes: four}").find("must be an integer"), std::string::npos);
  const std::string unknown = config_error("{clases: 3}");
  EXPECT_NE(unknown.find("'clases'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("classes"), std::string::npos) << unknown;
  EXPECT_EQ(config_error("{classes: 2, channels: 1, size: 8, train: 1, val: 1, test: 1, noise: 0}"), "");
}

}  // namespace
}  // namespace ablate
