// The trainer's parts: learning-rate schedules and the per-batch input pipeline.
#include <gtest/gtest.h>

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "ablate/error.hpp"
#include "engine/input_pipeline.hpp"
#include "engine/model_factory.hpp"
#include "engine/model_summary.hpp"
#include "engine/optimization.hpp"
#include "engine/split_pixels.hpp"

namespace ablate {
namespace {

struct ScheduleFixture {
  explicit ScheduleFixture(TrainSettings settings) : train(std::move(settings)) {
    parameter = torch::zeros({1}, torch::requires_grad());
    optimizer = make_optimizer(train, {parameter});
    schedule = std::make_unique<LearningRateSchedule>(train, *optimizer);
  }
  double lr() const { return learning_rate(*optimizer); }
  TrainSettings train;
  torch::Tensor parameter;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::unique_ptr<LearningRateSchedule> schedule;
};

TEST(LearningRateScheduleTest, PlateauHalvesAfterPatienceEpochsWithoutImprovement) {
  TrainSettings settings;
  settings.scheduler = Scheduler::kPlateau;
  settings.scheduler_factor = 0.5;
  settings.scheduler_patience = 2;
  ScheduleFixture f(settings);
  const double losses[] = {1.0, 0.9, 0.95, 0.92, 0.91, 0.8};
  // Epochs 3 and 4 do not improve on 0.9: the second of them cuts the rate (Keras' rule).
  const double expected[] = {1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 5e-4};
  for (int epoch = 1; epoch <= 6; ++epoch) {
    f.schedule->after_epoch(epoch, EpochMonitors{losses[epoch - 1], 0.0});
    EXPECT_DOUBLE_EQ(f.lr(), expected[epoch - 1]) << "after epoch " << epoch;
  }
}

TEST(LearningRateScheduleTest, PlateauOnAccuracyTreatsHigherAsBetter) {
  TrainSettings settings;
  settings.scheduler = Scheduler::kPlateau;
  settings.scheduler_monitor = Monitor::kValAccuracy;
  settings.scheduler_patience = 1;
  ScheduleFixture f(settings);
  f.schedule->after_epoch(1, EpochMonitors{9.0, 0.5});
  f.schedule->after_epoch(2, EpochMonitors{9.0, 0.6});  // better accuracy, worse loss: no cut
  EXPECT_DOUBLE_EQ(f.lr(), 1e-3);
  f.schedule->after_epoch(3, EpochMonitors{0.1, 0.6});
  EXPECT_DOUBLE_EQ(f.lr(), 5e-4);
}

TEST(LearningRateScheduleTest, CosineAnnealsToMinimumAtTheLastEpoch) {
  TrainSettings settings;
  settings.scheduler = Scheduler::kCosine;
  settings.max_epochs = 4;
  settings.scheduler_min_lr = 1e-5;
  ScheduleFixture f(settings);
  f.schedule->after_epoch(2, EpochMonitors{});
  EXPECT_NEAR(f.lr(), 1e-5 + (1e-3 - 1e-5) * 0.5, 1e-12);  // half-way: the mean
  f.schedule->after_epoch(4, EpochMonitors{});
  EXPECT_NEAR(f.lr(), 1e-5, 1e-12);
}

TEST(LearningRateScheduleTest, MultistepMultipliesAfterEachMilestone) {
  TrainSettings settings;
  settings.scheduler = Scheduler::kMultistep;
  settings.scheduler_milestones = {2, 4};
  settings.scheduler_gamma = 0.1;
  ScheduleFixture f(settings);
  double expected[] = {1e-3, 1e-4, 1e-4, 1e-5, 1e-5};
  for (int epoch = 1; epoch <= 5; ++epoch) {
    f.schedule->after_epoch(epoch, EpochMonitors{});
    EXPECT_NEAR(f.lr(), expected[epoch - 1], 1e-15) << "after epoch " << epoch;
  }
}

// A 2-image RGB set with known pixels.
ImageSet tiny_set() {
  ImageSet set;
  set.count = 2;
  set.height = set.width = 4;
  set.channels = 3;
  set.labels = {0, 1};
  for (int i = 0; i < 2 * 4 * 4 * 3; ++i) set.pixels.push_back(static_cast<std::uint8_t>(i % 3 == 0 ? 255 : i % 251));
  return set;
}

torch::Tensor pixels(ImageSet& set) {
  return torch::from_blob(set.pixels.data(), {set.count, set.height, set.width, set.channels}, torch::kUInt8);
}

TEST(InputPipelineTest, ScalesToUnitRangeAsNchwWithoutAugmentation) {
  ImageSet set = tiny_set();
  TrainSettings settings;
  const InputPipeline pipeline(settings, set, 4, torch::kCPU);
  const torch::Tensor batch = pipeline.eval_batch(pixels(set));
  EXPECT_EQ(batch.sizes(), (std::vector<std::int64_t>{2, 3, 4, 4}));
  EXPECT_TRUE(batch.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_FLOAT_EQ(batch[0][0][0][0].item<float>(), 1.0f);  // channel 0 is all 255
  EXPECT_NEAR(batch[0][1][0][0].item<float>(), 1 / 255.0, 1e-7);
}

TEST(InputPipelineTest, DatasetNormalisationGivesZeroMeanUnitStdPerChannel) {
  ImageSet set = tiny_set();
  TrainSettings settings;
  settings.normalize = Normalize::kDataset;
  const InputPipeline pipeline(settings, set, 4, torch::kCPU);
  const torch::Tensor batch = pipeline.eval_batch(pixels(set));
  for (int c = 1; c < 3; ++c) {  // channel 0 is constant: its std is floored, not divided by 0
    EXPECT_NEAR(batch.select(1, c).mean().item<double>(), 0.0, 1e-5);
    EXPECT_NEAR(batch.select(1, c).std(/*unbiased=*/false).item<double>(), 1.0, 1e-4);
  }
}

TEST(InputPipelineTest, ResizesToTheCellsResolution) {
  ImageSet set = tiny_set();
  TrainSettings settings;
  const InputPipeline pipeline(settings, set, 8, torch::kCPU);
  EXPECT_EQ(pipeline.eval_batch(pixels(set)).sizes(), (std::vector<std::int64_t>{2, 3, 8, 8}));
}

TEST(InputPipelineTest, AugmentationIsSeededAndKeepsPixelsForFlipsAndQuarterTurns) {
  ImageSet set = tiny_set();
  TrainSettings settings;
  settings.augment.horizontal_flip = true;
  settings.augment.vertical_flip = true;
  settings.augment.rotate90 = true;
  const InputPipeline pipeline(settings, set, 4, torch::kCPU);
  at::Generator first = at::detail::createCPUGenerator(7);
  at::Generator second = at::detail::createCPUGenerator(7);
  const torch::Tensor a = pipeline.train_batch(pixels(set), first);
  const torch::Tensor b = pipeline.train_batch(pixels(set), second);
  EXPECT_TRUE(torch::equal(a, b));  // the same seed, the same augmentation
  // Flips and quarter turns permute pixels: each image keeps its multiset of values.
  const torch::Tensor plain = pipeline.eval_batch(pixels(set));
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(torch::equal(std::get<0>(a[i].flatten().sort()), std::get<0>(plain[i].flatten().sort())));
  }
  bool any_changed = false;
  at::Generator other = at::detail::createCPUGenerator(1);
  for (int trial = 0; trial < 8 && !any_changed; ++trial) {
    any_changed = !torch::equal(pipeline.train_batch(pixels(set), other), plain);
  }
  EXPECT_TRUE(any_changed);
}

TEST(InputPipelineTest, FixedNormalisationNeedsOneValueOrOnePerChannel) {
  ImageSet set = tiny_set();
  TrainSettings settings;
  settings.normalize = Normalize::kFixed;
  settings.normalize_mean = {0.5, 0.5};
  settings.normalize_std = {0.5};
  EXPECT_THROW(InputPipeline(settings, set, 4, torch::kCPU), ConfigError);
  settings.normalize_mean = {0.5};
  const InputPipeline pipeline(settings, set, 4, torch::kCPU);
  EXPECT_FLOAT_EQ(pipeline.eval_batch(pixels(set))[0][0][0][0].item<float>(), 1.0f);  // (1 - 0.5) / 0.5
}

TEST(ModelSummaryTest, RowsAddUpToTheParametersAndFlopsAreCountedByHand) {
  PluginRegistry registry;
  registry.load_directories({ABLATE_PLUGIN_DIR});
  auto model = create_model(registry, "baseline_cnn", YAML::Node(), ModelInput{3, 16, 4});
  const ModelSummary summary = summarize_model(*model, 3, 16);
  std::int64_t rows = 0;
  for (const auto& layer : summary.layers) rows += layer.params;
  EXPECT_EQ(rows, summary.params_trainable);
  EXPECT_EQ(summary.params_total - summary.params_trainable, 2 * (32 + 64 + 128));  // BatchNorm statistics
  EXPECT_EQ(summary.layers.front().name, "blocks.0");
  EXPECT_EQ(summary.layers.front().output_shape, (std::vector<std::int64_t>{1, 32, 16, 16}));
  // 2 x multiply-adds: conv 16x16x32 outputs x 27, 8x8x64 x 288, 4x4x128 x 576, then
  // linear 512 -> 128 and 128 -> 4.
  const double expected = 2.0 * (16 * 16 * 32 * 27 + 8 * 8 * 64 * 288 + 4 * 4 * 128 * 576 + 512 * 128 + 128 * 4);
  EXPECT_DOUBLE_EQ(summary.flops_per_image, expected);
  EXPECT_EQ(summary.params_bytes, 4 * summary.params_total + 3 * 8);  // float32, plus 3 int64 batch counters
}

// ---- split_pixels.hpp: where a cell's pixels stay. --------------------------------------

DatasetSplits numbered_splits() {
  // Every pixel byte is distinct per position (mod 256), so a misplaced image shows.
  const auto split = [](std::int64_t count, int first) {
    ImageSet set;
    set.count = count;
    set.height = 3;
    set.width = 2;
    set.channels = 3;
    for (std::int64_t i = 0; i < count * 18; ++i) set.pixels.push_back(static_cast<std::uint8_t>((first + i) % 256));
    set.labels.assign(static_cast<std::size_t>(count), 0);
    return set;
  };
  return {split(20, 0), split(7, 100), split(5, 200)};
}

TEST(SplitPixelsTest, DiskGivesTheSameBytesAsMemoryAndFreesThePixels) {
  const DatasetSplits reference = numbered_splits();
  DatasetSplits in_memory = numbered_splits();
  DatasetSplits on_disk = numbered_splits();
  const CellPixels memory = place_pixels(in_memory, Images::kMemory, testing::TempDir());
  const CellPixels disk = place_pixels(on_disk, Images::kDisk, testing::TempDir());
  EXPECT_EQ(in_memory.train.pixels.size(), 20u * 18u);
  EXPECT_TRUE(on_disk.train.pixels.empty() && on_disk.val.pixels.empty() && on_disk.test.pixels.empty());
  EXPECT_EQ(memory.train.memory(), in_memory.train.pixels.data());
  EXPECT_EQ(disk.train.memory(), nullptr);

  const std::vector<std::int64_t> indices = {19, 0, 7, 7, 3};
  for (const auto* pixels : {&memory.train, &disk.train}) {
    std::vector<std::uint8_t> batch(indices.size() * 18);
    pixels->read(indices.data(), static_cast<std::int64_t>(indices.size()), batch.data());
    for (std::size_t i = 0; i < indices.size(); ++i) {
      const auto* expected = reference.train.pixels.data() + indices[i] * 18;
      EXPECT_TRUE(std::equal(expected, expected + 18, batch.data() + i * 18)) << "image " << indices[i];
    }
  }
  // The test split comes after train and val in the file: ranges must not cross splits.
  std::vector<std::uint8_t> range(3 * 18);
  disk.test.read_range(2, 5, range.data());
  EXPECT_TRUE(std::equal(range.begin(), range.end(), reference.test.pixels.begin() + 2 * 18));
  std::vector<std::uint8_t> val(7 * 18);
  disk.val.read_range(0, 7, val.data());
  EXPECT_EQ(val, reference.val.pixels);
}

TEST(SplitPixelsTest, AFolderThatCannotHoldTheFileIsADataErrorNamingIt) {
  DatasetSplits data = numbered_splits();
  try {
    place_pixels(data, Images::kDisk, "/nonexistent/scratch");
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/scratch"), std::string::npos) << e.what();
  }
  EXPECT_EQ(data.train.pixels.size(), 20u * 18u) << "nothing is freed when the file cannot be made";
}

}  // namespace
}  // namespace ablate
