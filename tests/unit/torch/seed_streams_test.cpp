// What a run's seed drives (train.vary): for each source, two seeds with only that source
// varied change that source's draws and leave every other one bit-identical.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "ablate/error.hpp"
#include "engine/seed_streams.hpp"

namespace ablate {
namespace {

constexpr std::int64_t kImages = 40;  // train 30 + val 10: each image's pixels are its number
constexpr std::int64_t kTrain = 30;

ImageSet numbered_images(std::int64_t first, std::int64_t count) {
  ImageSet set;
  set.count = count;
  set.height = set.width = 2;
  set.channels = 1;
  for (std::int64_t i = first; i < first + count; ++i) {
    for (int p = 0; p < 4; ++p) set.pixels.push_back(static_cast<std::uint8_t>(i));
    set.labels.push_back(i);  // the label names the image too, so a swap must move both
  }
  return set;
}

// Everything one source draws, in the order the trainer draws it.
struct Draws {
  torch::Tensor init;     // a layer's initial weights
  torch::Tensor dropout;  // a dropout mask drawn after building
  torch::Tensor order;    // two epochs' permutations
  torch::Tensor augment;  // augmentation draws, interleaved with the order as in training
  ImageSet train, val;
};

Draws draw(std::int64_t seed, const SeedSources& vary) {
  Draws d;
  d.train = numbered_images(0, kTrain);
  d.val = numbered_images(kTrain, kImages - kTrain);
  SeedStreams streams(seed, vary);
  streams.redraw_split(d.train, d.val);
  streams.seed_initialisation();
  torch::nn::Linear layer(16, 16);
  d.init = layer->weight.detach().clone();
  streams.seed_dropout();
  d.dropout = torch::dropout(torch::ones({256}), 0.5, /*train=*/true);
  std::vector<torch::Tensor> order, augment;
  for (int epoch = 0; epoch < 2; ++epoch) {
    order.push_back(torch::randperm(kTrain, streams.order(), torch::kInt64));
    augment.push_back(torch::rand({8}, streams.augment(), torch::kFloat32));
  }
  d.order = torch::cat(order);
  d.augment = torch::cat(augment);
  return d;
}

bool same_split(const Draws& a, const Draws& b) {
  return a.train.pixels == b.train.pixels && a.train.labels == b.train.labels && a.val.pixels == b.val.pixels &&
         a.val.labels == b.val.labels;
}

// Which of the five sources drew differently in `a` and `b`.
std::array<bool, 5> changed(const Draws& a, const Draws& b) {
  return {!torch::equal(a.init, b.init), !torch::equal(a.order, b.order), !torch::equal(a.augment, b.augment),
          !torch::equal(a.dropout, b.dropout), !same_split(a, b)};
}

const std::array<SeedSource, 5> kSources = {SeedSource::kInit, SeedSource::kOrder, SeedSource::kAugment,
                                            SeedSource::kDropout, SeedSource::kSplit};

TEST(SeedStreamsTest, EachSourceVariedAloneChangesOnlyItsOwnDraws) {
  for (const SeedSource varied : kSources) {
    const auto differs = changed(draw(1, {varied}), draw(2, {varied}));
    for (std::size_t i = 0; i < kSources.size(); ++i) {
      EXPECT_EQ(differs[i], kSources[i] == varied)
          << "varying only " << name_of(varied) << ": " << name_of(kSources[i])
          << (differs[i] ? " changed between seeds 1 and 2" : " stayed the same between seeds 1 and 2");
    }
  }
}

TEST(SeedStreamsTest, EachSourceHeldAloneStaysBitIdenticalWhileTheOthersChange) {
  for (const SeedSource held : kSources) {
    SeedSources vary;
    for (const SeedSource source : kSources) {
      if (source != held) vary.add(source);
    }
    const auto differs = changed(draw(1, vary), draw(2, vary));
    for (std::size_t i = 0; i < kSources.size(); ++i) {
      EXPECT_EQ(differs[i], kSources[i] != held) << "holding only " << name_of(held) << ": " << name_of(kSources[i]);
    }
  }
}

TEST(SeedStreamsTest, NothingVariedDrawsTheSameForEverySeedAndOneSeedRepeatsItself) {
  const auto held = changed(draw(1, {}), draw(7, {}));
  EXPECT_EQ(std::count(held.begin(), held.end(), true), 0);
  const SeedSources all = {SeedSource::kInit, SeedSource::kOrder, SeedSource::kAugment, SeedSource::kDropout,
                           SeedSource::kSplit};
  const auto repeated = changed(draw(3, all), draw(3, all));
  EXPECT_EQ(std::count(repeated.begin(), repeated.end(), true), 0);
}

// The default draws exactly what one seed drew before train.vary: the global generator
// seeded with the seed for initialisation, then dropout; one data generator for the
// order, then augmentation. Stored runs therefore keep their results with their hashes.
TEST(SeedStreamsTest, TheDefaultDrawsWhatOneSeedDrewBefore) {
  const std::int64_t seed = 5;
  const Draws now = draw(seed, SeedSources::usual());
  torch::manual_seed(static_cast<std::uint64_t>(seed));
  torch::nn::Linear layer(16, 16);
  at::Generator data = at::detail::createCPUGenerator(static_cast<std::uint64_t>(seed));
  EXPECT_TRUE(torch::equal(now.init, layer->weight.detach()));
  EXPECT_TRUE(torch::equal(now.dropout, torch::dropout(torch::ones({256}), 0.5, true)));
  const torch::Tensor order = torch::randperm(kTrain, data, torch::kInt64);
  const torch::Tensor augment = torch::rand({8}, data, torch::kFloat32);
  EXPECT_TRUE(torch::equal(now.order.slice(0, 0, kTrain), order));
  EXPECT_TRUE(torch::equal(now.augment.slice(0, 0, 8), augment));
  const Draws plugin_split = draw(seed, {});
  EXPECT_TRUE(same_split(now, plugin_split)) << "the default must keep the dataset's own split";
  EXPECT_EQ(now.val.labels, numbered_images(kTrain, kImages - kTrain).labels);
}

TEST(SeedStreamsTest, RedrawnSplitKeepsEveryImageOnceValsSizeAndPixelsWithLabels) {
  std::vector<std::vector<std::int64_t>> vals;
  for (std::int64_t seed = 0; seed < 4; ++seed) {
    const Draws d = draw(seed, {SeedSource::kSplit});
    ASSERT_EQ(d.train.count, kTrain);
    ASSERT_EQ(d.val.count, kImages - kTrain);
    ASSERT_EQ(d.val.labels.size(), static_cast<std::size_t>(d.val.count));
    std::vector<std::int64_t> all = d.train.labels;
    all.insert(all.end(), d.val.labels.begin(), d.val.labels.end());
    std::sort(all.begin(), all.end());
    for (std::int64_t i = 0; i < kImages; ++i) ASSERT_EQ(all[static_cast<std::size_t>(i)], i);
    for (const ImageSet* set : {&d.train, &d.val}) {
      for (std::int64_t i = 0; i < set->count; ++i) {
        ASSERT_EQ(set->pixels[static_cast<std::size_t>(4 * i)], set->labels[static_cast<std::size_t>(i)])
            << "pixels and label of one image were parted";
      }
    }
    std::vector<std::int64_t> val = d.val.labels;
    std::sort(val.begin(), val.end());
    vals.push_back(val);
  }
  // Four seeds, four validation sets (10 of 40 images: a repeat would be a 1 in 8e8 chance).
  std::sort(vals.begin(), vals.end());
  EXPECT_EQ(std::unique(vals.begin(), vals.end()), vals.end());
}

TEST(SeedStreamsTest, RedrawingSplitsOfDifferentImageSizesIsADataError) {
  ImageSet train = numbered_images(0, 4);
  ImageSet val = numbered_images(4, 2);
  val.height = val.width = 1;
  val.pixels.resize(2);
  try {
    SeedStreams(0, {SeedSource::kSplit}).redraw_split(train, val);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("train has 2x2x1, val 1x1x1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ablate
