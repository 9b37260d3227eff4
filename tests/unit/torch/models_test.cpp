// The model plugins, loaded by the real loader: the seed study's parameter counts, forward
// shapes at every resolution and channel count, option checks, the shared building blocks
// of ablate/nn.hpp, and a few training steps on the synthetic data set.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ablate/error.hpp"
#include "ablate/nn.hpp"
#include "engine/evaluation_fusion.hpp"
#include "engine/in_place_activations.hpp"
#include "engine/model_factory.hpp"
#include "engine/trainer.hpp"

namespace ablate {
namespace {

// The coursework's simplified U-Net encoder (SEED_STUDY.md, model 2) as unet_encoder options.
constexpr const char* kCourseworkEncoder =
    "{depth: 3, convs_per_stage: 1, block: conv_relu_bn, conv_bias: true, pool: after,"
    " stage_dropout: [0.1, 0.15, 0.2], head: flatten, dense: 64, head_relu: false}";

// Loaded once: every test uses the same plugins, and LibTorch plugins take a while to map.
const PluginRegistry& registry() {
  static const PluginRegistry loaded = [] {
    PluginRegistry r;
    r.load_directories({ABLATE_PLUGIN_DIR});
    return r;
  }();
  return loaded;
}

std::shared_ptr<Model> make(const std::string& plugin, std::int64_t channels, std::int64_t resolution,
                            std::int64_t classes, const std::string& options = "{}") {
  return create_model(registry(), plugin, YAML::Load(options), {channels, resolution, classes});
}

std::int64_t trainable_parameters(const torch::nn::Module& model) {
  std::int64_t count = 0;
  for (const auto& p : model.parameters()) count += p.requires_grad() ? p.numel() : 0;
  return count;
}

// BatchNorm's running means and variances: what Keras adds as "non-trainable".
std::int64_t running_statistics(const torch::nn::Module& model) {
  std::int64_t count = 0;
  for (const auto& b : model.buffers()) count += b.is_floating_point() ? b.numel() : 0;
  return count;
}

std::string config_error_message(const std::function<void()>& build) {
  try {
    build();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError";
  return "";
}

// ---- Parameter counts (3 channels and 8 classes unless said otherwise). -------------------

TEST(ModelParameterCountTest, BaselineCnnHasTheSeedStudysCounts) {
  // SEED_STUDY.md: 1,143,432 at 64x64x3 and 4,289,160 at 128x128x3 (Keras reports 448
  // more, the BatchNorm running statistics, which are buffers here).
  EXPECT_EQ(trainable_parameters(*make("baseline_cnn", 3, 64, 8)), 1143432);
  EXPECT_EQ(trainable_parameters(*make("baseline_cnn", 3, 128, 8)), 4289160);
  EXPECT_EQ(running_statistics(*make("baseline_cnn", 3, 64, 8)), 448);
}

TEST(ModelParameterCountTest, UnetEncoderDefaultsAreTheEncoderArm) {
  // Convs have no bias; each BatchNorm has 2C. Stage by stage (3x3 kernels):
  //   32:  3*32*9 + 32*32*9 + 2*(2*32)          =     864 +   9,216 +   128 =    10,208
  //   64:  32*64*9 + 64*64*9 + 2*(2*64)         =  18,432 +  36,864 +   256 =    55,552
  //   128: 64*128*9 + 128*128*9 + 2*(2*128)     =  73,728 + 147,456 +   512 =   221,696
  //   256: 128*256*9 + 256*256*9 + 2*(2*256)    = 294,912 + 589,824 + 1,024 =   885,760
  //   head: (256*128 + 128) + (128*8 + 8)       =  32,896 +   1,032         =    33,928
  //   total                                                                   1,207,144
  // Global average pooling makes it independent of the resolution.
  for (const std::int64_t resolution : {28, 64, 128, 224}) {
    EXPECT_EQ(trainable_parameters(*make("unet_encoder", 3, resolution, 8)), 1207144) << resolution;
  }
  // One input channel: the first convolution has 32*9 = 288 weights instead of 864.
  EXPECT_EQ(trainable_parameters(*make("unet_encoder", 1, 64, 8)), 1207144 - 576);
}

TEST(ModelParameterCountTest, UnetEncoderSqueezeExcitationMatchesTheSeArms) {
  // An SE block on C channels with hidden width h = C/r: (C*h + h) + (h*C + C).
  //   r = 16: h = 2, 4, 8, 16:  162 + 580 + 2,184 + 8,464  = 11,390 -> 1,218,534
  //   r = 8:  h = 4, 8, 16, 32: 292 + 1,096 + 4,240 + 16,672 = 22,300 -> 1,229,444
  EXPECT_EQ(trainable_parameters(*make("unet_encoder", 3, 64, 8, "{se_reduction: 16}")), 1218534);
  EXPECT_EQ(trainable_parameters(*make("unet_encoder", 3, 64, 8, "{se_reduction: 8}")), 1229444);
  // r = 64 would give 32/64 = 0 units in the first stage; it gets one:
  //   h = 1, 1, 2, 4: (2*32+1+32) + (2*64+1+64) + (2*256+2+128) + (2*1024+4+256) = 3,240
  EXPECT_EQ(trainable_parameters(*make("unet_encoder", 3, 64, 8, "{se_reduction: 64}")), 1207144 + 3240);
}

TEST(ModelParameterCountTest, UnetEncoderReproducesTheCourseworkEncoder) {
  // Convs with bias, each followed by BatchNorm (2C trainable, 2C running statistics):
  //   3->32: 864 + 32 + 64 = 960;  32->64: 18,432 + 64 + 128 = 18,624;
  //   64->128: 73,728 + 128 + 256 = 74,112
  //   flatten at 128: three pools leave 16x16x128 = 32,768 features;
  //   dense 64: 32,768*64 + 64 = 2,097,216;  output: 64*8 + 8 = 520
  //   total 2,191,432 trainable + 448 statistics = Keras' 2,191,880.
  const auto model = make("unet_encoder", 3, 128, 8, kCourseworkEncoder);
  EXPECT_EQ(trainable_parameters(*model), 2191432);
  EXPECT_EQ(running_statistics(*model), 448);
  EXPECT_EQ(trainable_parameters(*model) + running_statistics(*model), 2191880);
}

TEST(ModelParameterCountTest, InceptionCnnHasItsDerivedCount) {
  // Stem: 3*32*9 + 32 = 896.
  // Block A on 32 channels (16, 16, 24, 4, 8, 8), every conv with bias, BN 2C per path:
  //   1x1:  32*16+16 + 32                               =    560
  //   3x3:  32*16+16 + 16*24*9+24 + 48                  =  4,056
  //   5x5:  32*4+4 + 4*8*25+8 + 16                      =    956
  //   pool: 32*8+8 + 16                                 =    280   -> 5,852, 56 channels out
  // Block B on 56 channels (32, 32, 48, 8, 16, 16):
  //   1x1:  56*32+32 + 64                               =  1,888
  //   3x3:  56*32+32 + 32*48*9+48 + 96                  = 15,792
  //   5x5:  56*8+8 + 8*16*25+16 + 32                    =  3,704
  //   pool: 56*16+16 + 32                               =    944   -> 22,328, 112 channels out
  // Head: 112*64+64 + 64*8+8 = 7,232 + 520 = 7,752.
  // Total: 896 + 5,852 + 22,328 + 7,752 = 36,828.
  EXPECT_EQ(trainable_parameters(*make("inception_cnn", 3, 128, 8)), 36828);
  EXPECT_EQ(trainable_parameters(*make("inception_cnn", 3, 28, 8)), 36828);
}

TEST(ModelParameterCountTest, SkipCnnHasItsDerivedCount) {
  // Stage 1: (3*32*9+32 + 64) + (32*32*9+32 + 64)                         =  10,272
  // Stage 2: (32*64*9+64 + 128) + (64*64*9+64 + 128) + (32*64+64)          =  57,792
  // Stage 3: (64*128*9+128 + 256) + (128*128*9+128 + 256) + (64*128+128)   = 230,272
  // Head: 128*64+64 + 64*8+8 = 8,256 + 520                                =   8,776
  // Total                                                                    307,112
  EXPECT_EQ(trainable_parameters(*make("skip_cnn", 3, 128, 8)), 307112);
}

TEST(ModelParameterCountTest, InceptionSkipCnnHasItsDerivedCount) {
  // Stem: 896 + BN 64 = 960. Blocks A and B as in inception_cnn (5,852 and 22,328) plus
  // their 1x1 projections: 32*56+56 = 1,848 and 56*112+112 = 6,384. Head 7,752.
  // Total: 960 + 5,852 + 1,848 + 22,328 + 6,384 + 7,752 = 45,124.
  EXPECT_EQ(trainable_parameters(*make("inception_skip_cnn", 3, 128, 8)), 45124);
}

TEST(ModelParameterCountTest, ResNet18HasTheTorchvisionCountWithItsStem) {
  // Without the stem's convolution (convs have no bias, BN 2C):
  //   stem BN 128; layer1 2 * 2 * (64*64*9 + 128)                               =   147,968
  //   layer2 (64*128*9 + 256) + (128*128*9 + 256) + (64*128 + 256) + 2 * (128*128*9 + 256)
  //                                                                             =   525,568
  //   layer3 likewise with 128->256                                             = 2,099,712
  //   layer4 likewise with 256->512                                             = 8,393,728
  //   fc 512*8 + 8                                                              =     4,104
  //   sum                                                                         11,171,208
  // Stem convolution: 3x3, 3*64*9 = 1,728 (small) or 7x7, 3*64*49 = 9,408 (imagenet).
  // With 1,000 classes and the imagenet stem this gives torchvision's 11,689,512.
  EXPECT_EQ(trainable_parameters(*make("resnet18", 3, 28, 8)), 11172936);
  EXPECT_EQ(trainable_parameters(*make("resnet18", 3, 64, 8)), 11172936);
  EXPECT_EQ(trainable_parameters(*make("resnet18", 3, 128, 8)), 11180616);
  EXPECT_EQ(trainable_parameters(*make("resnet18", 3, 224, 8)), 11180616);
  EXPECT_EQ(trainable_parameters(*make("resnet18", 3, 224, 1000)), 11689512);
  EXPECT_EQ(trainable_parameters(*make("resnet18", 1, 28, 8)), 11172936 - 2 * 576);
  EXPECT_EQ(trainable_parameters(*make("resnet18", 3, 28, 8, "{stem: imagenet}")), 11180616);
  EXPECT_EQ(trainable_parameters(*make("resnet18", 3, 224, 8, "{stem: small}")), 11172936);
}

// ---- Forward shapes. ---------------------------------------------------------------------

struct ModelCase {
  const char* label;
  const char* plugin;
  const char* options;
};

const ModelCase kModels[] = {
    {"baseline", "baseline_cnn", "{}"},
    {"encoder", "unet_encoder", "{}"},
    {"se", "unet_encoder", "{se_reduction: 16}"},
    {"coursework_encoder", "unet_encoder", kCourseworkEncoder},
    {"encoder_flatten", "unet_encoder", "{head: flatten, depth: 3, base_channels: 8}"},
    {"inception", "inception_cnn", "{}"},
    {"skip", "skip_cnn", "{}"},
    {"inception_skip", "inception_skip_cnn", "{}"},
    {"resnet18", "resnet18", "{}"},
};

// Names the case in test listings (CTest shows the parameter) instead of its bytes.
void PrintTo(const ModelCase& c, std::ostream* os) { *os << c.plugin; }

class ModelTest : public ::testing::TestWithParam<ModelCase> {};

TEST_P(ModelTest, MapsImagesToLogitsAtEveryResolutionAndChannelCount) {
  const ModelCase& c = GetParam();
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  for (const std::int64_t channels : {1, 3}) {
    for (const std::int64_t resolution : {28, 64, 128, 224}) {
      SCOPED_TRACE(std::to_string(channels) + " channel(s), " + std::to_string(resolution) + "px");
      auto model = make(c.plugin, channels, resolution, 10, c.options);
      // 224 in evaluation mode with one image only, to keep the suite fast; the others also
      // go through dropout and batch statistics in training mode.
      const bool large = resolution == 224;
      if (large) {
        model->eval();
      } else {
        model->train();
      }
      const std::int64_t batch = large ? 1 : 2;
      const torch::Tensor logits = model->forward(torch::rand({batch, channels, resolution, resolution}));
      EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{batch, 10}));
      EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
    }
  }
}

// The synthetic data set's first 16 training images (32x32 RGB, 4 classes) as tensors.
std::pair<torch::Tensor, torch::Tensor> synthetic_batch() {
  static const DatasetSplits splits =
      registry()
          .create_dataset("synthetic", YAML::Load("{classes: 4, size: 32, train: 64, val: 16, test: 16}"))
          ->load(32);
  const ImageSet& train = splits.train;
  constexpr std::int64_t kBatch = 16;
  auto pixels = const_cast<std::uint8_t*>(train.pixels.data());
  auto labels = const_cast<std::int64_t*>(train.labels.data());
  const torch::Tensor images =
      torch::from_blob(pixels, {train.count, train.height, train.width, train.channels}, torch::kUInt8)
          .slice(/*dim=*/0, 0, kBatch)
          .permute({0, 3, 1, 2})
          .to(torch::kFloat32)
          .div(255.0)
          .contiguous();
  return {images, torch::from_blob(labels, {train.count}, torch::kInt64).slice(0, 0, kBatch).clone()};
}

TEST_P(ModelTest, LossFallsOverAFewTrainingSteps) {
  const ModelCase& c = GetParam();
  const auto [images, labels] = synthetic_batch();
  ASSERT_EQ(images.sizes(), (std::vector<std::int64_t>{16, 3, 32, 32}));
  torch::manual_seed(0);
  auto model = make(c.plugin, 3, 32, 4, c.options);
  model->train();
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  double first = 0;
  double last = 0;
  constexpr int kSteps = 5;
  for (int step = 0; step <= kSteps; ++step) {
    optimizer.zero_grad();
    const torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(images), labels);
    (step == 0 ? first : last) = loss.item<double>();
    if (step == kSteps) break;  // the last forward only measures
    loss.backward();
    optimizer.step();
  }
  EXPECT_TRUE(std::isfinite(last));
  EXPECT_LT(last, first) << "loss went from " << first << " to " << last;
}

// The trainer evaluates through an EvaluationFusion: with trained BatchNorm statistics it
// must give every model's logits to float32 rounding, in both memory layouts, and leave
// the model computing exactly what it computed before.
TEST_P(ModelTest, EvaluationFusionKeepsTheLogitsAndRestoresTheModel) {
  const ModelCase& c = GetParam();
  const auto [images, labels] = synthetic_batch();
  torch::manual_seed(0);
  auto model = make(c.plugin, 3, 32, 4, c.options);
  run_relus_in_place(*model);  // as the trainer does
  model->train();
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.05));
  for (int step = 0; step < 3; ++step) {  // moves the running statistics and the affine weights off 0 and 1
    optimizer.zero_grad();
    torch::nn::functional::cross_entropy(model->forward(images), labels).backward();
    optimizer.step();
  }
  model->eval();
  torch::NoGradGuard no_grad;
  for (const bool channels_last : {false, true}) {
    SCOPED_TRACE(channels_last ? "channels-last" : "contiguous");
    const torch::Tensor input = channels_last ? images.contiguous(torch::MemoryFormat::ChannelsLast) : images;
    if (channels_last) {
      for (auto& parameter : model->parameters()) {
        if (parameter.dim() == 4) parameter.set_data(parameter.contiguous(torch::MemoryFormat::ChannelsLast));
      }
    }
    const torch::Tensor input_copy = input.clone();
    const torch::Tensor eager = model->forward(input);
    torch::Tensor fused;
    {
      const EvaluationFusion fusion(*model);
      EXPECT_GT(fusion.folded_convolutions() + fusion.fused_activations(), 0u);
      fused = model->forward(input);
    }
    EXPECT_TRUE(torch::equal(input, input_copy)) << "the fusion wrote into the model's input";
    EXPECT_TRUE(torch::allclose(fused, eager, /*rtol=*/1e-4, /*atol=*/1e-4))
        << "largest difference " << (fused - eager).abs().max().item<double>();
    EXPECT_TRUE(torch::equal(fused.argmax(1), eager.argmax(1)));
    EXPECT_TRUE(torch::equal(model->forward(input), eager)) << "the model was not restored";
  }
}

// The trainer runs ReLUs after convolutions and BatchNorms in place: the same loss and
// the same gradients, bit for bit, and autograd accepts it.
TEST_P(ModelTest, InPlaceReluGivesTheSameLossAndGradients) {
  const ModelCase& c = GetParam();
  const auto [images, labels] = synthetic_batch();
  std::vector<std::shared_ptr<Model>> models;
  std::vector<torch::Tensor> losses;
  for (const bool in_place : {false, true}) {
    torch::manual_seed(0);
    auto model = make(c.plugin, 3, 32, 4, c.options);
    if (in_place) {
      EXPECT_GT(run_relus_in_place(*model), 0u);
    }
    model->train();
    torch::manual_seed(1);  // the same dropout masks
    const torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(images), labels);
    loss.backward();
    models.push_back(model);
    losses.push_back(loss.detach());
  }
  EXPECT_TRUE(torch::equal(losses[0], losses[1]));
  const auto eager = models[0]->parameters(), in_place = models[1]->parameters();
  ASSERT_EQ(eager.size(), in_place.size());
  for (std::size_t i = 0; i < eager.size(); ++i) {
    EXPECT_TRUE(torch::equal(eager[i].grad(), in_place[i].grad())) << "parameter " << i;
  }
}

// What the trainer reports, ignored: the test reads the result.
class SilentObserver : public TrainingObserver {
 public:
  void on_epoch(const EpochResult&) override {}
  void on_batch(std::int64_t, std::int64_t, std::int64_t) override {}
};

// The test split's softmax scores after the whole trainer ran the cell for a few steps.
torch::Tensor test_scores_after_training(const ModelCase& c, bool fast_paths) {
  Cell cell;
  cell.arm = c.label;
  cell.model = c.plugin;
  cell.model_options = YAML::Load(c.options);
  cell.resolution = 32;
  cell.seed = 3;
  cell.train.batch_size = 16;
  cell.train.eval_batch_size = 16;
  cell.train.max_epochs = 2;
  cell.train.steps_per_epoch = 2;
  cell.train.threads = 1;
  cell.train.fast_paths = fast_paths;
  DatasetSplits data =
      registry()
          .create_dataset("synthetic", YAML::Load("{classes: 4, size: 32, train: 64, val: 16, test: 32}"))
          ->load(32);
  const DatasetInfo info = registry().create_dataset("synthetic", YAML::Load("{classes: 4, size: 32}"))->info();
  SilentObserver observer;
  const RunResult result =
      train_and_evaluate(cell, registry(), info, data, {}, prepare_execution(cell.train), observer);
  for (const auto& predictions : result.predictions) {
    if (predictions.split == "test") {
      return torch::tensor(predictions.scores).reshape({predictions.count, predictions.num_classes});
    }
  }
  ADD_FAILURE() << "no test predictions";
  return {};
}

// train.fast_paths: false trains with LibTorch's Adam, evaluates without the fusion and
// keeps the ReLUs out of place: the same predictions to float32 rounding, on every model.
TEST_P(ModelTest, FastPathsOffGivesTheSamePredictions) {
  const ModelCase& c = GetParam();
  const torch::Tensor fast = test_scores_after_training(c, true);
  const torch::Tensor plain = test_scores_after_training(c, false);
  ASSERT_EQ(fast.sizes(), plain.sizes());
  EXPECT_TRUE(torch::allclose(fast, plain, /*rtol=*/1e-4, /*atol=*/1e-5))
      << "largest difference " << (fast - plain).abs().max().item<double>();
  EXPECT_TRUE(torch::equal(fast.argmax(1), plain.argmax(1)));
}

INSTANTIATE_TEST_SUITE_P(AllModels, ModelTest, ::testing::ValuesIn(kModels),
                         [](const ::testing::TestParamInfo<ModelCase>& info) { return std::string(info.param.label); });

// ---- Options. ----------------------------------------------------------------------------

TEST(ModelOptionsTest, EveryModelRejectsAnUnknownOption) {
  for (const char* plugin :
       {"baseline_cnn", "unet_encoder", "inception_cnn", "skip_cnn", "inception_skip_cnn", "resnet18"}) {
    const std::string message = config_error_message([&] { make(plugin, 3, 64, 8, "{widht: 3}"); });
    EXPECT_NE(message.find("widht"), std::string::npos) << plugin << ": " << message;
  }
}

TEST(ModelOptionsTest, BaselineCnnRejectsOptionsItCannotBuild) {
  EXPECT_THROW(make("baseline_cnn", 3, 64, 8, "{filters: [8, 16], dropout: [0.1]}"), ConfigError);
  EXPECT_THROW(make("baseline_cnn", 3, 64, 8, "{dense: 0}"), ConfigError);
  EXPECT_THROW(make("baseline_cnn", 3, 4, 8), ConfigError);  // three poolings need at least 8 pixels
  EXPECT_THROW(make("baseline_cnn", 3, 64, 8, "{width: 3}"), ConfigError);
}

TEST(ModelOptionsTest, UnetEncoderRejectsADepthOfZero) {
  const std::string message = config_error_message([] { make("unet_encoder", 3, 64, 8, "{depth: 0}"); });
  EXPECT_NE(message.find("'depth'"), std::string::npos) << message;
}

TEST(ModelOptionsTest, UnetEncoderNamesTheSmallestResolutionItsDepthAllows) {
  // Depth 4 pools 3 times between stages: 8 pixels at least.
  std::string message = config_error_message([] { make("unet_encoder", 3, 4, 8); });
  EXPECT_NE(message.find("at least 8"), std::string::npos) << message;
  EXPECT_NO_THROW(make("unet_encoder", 3, 8, 8));
  // Depth 6 at 28: 5 pools need 32.
  message = config_error_message([] { make("unet_encoder", 3, 28, 8, "{depth: 6}"); });
  EXPECT_NE(message.find("at least 32"), std::string::npos) << message;
  // Pooling after every stage needs one more halving.
  message = config_error_message([] { make("unet_encoder", 3, 8, 8, "{pool: after}"); });
  EXPECT_NE(message.find("at least 16"), std::string::npos) << message;
}

TEST(ModelOptionsTest, UnetEncoderRejectsOutOfRangeValues) {
  for (const char* options :
       {"{depth: -1}", "{depth: 40}", "{base_channels: 0}", "{convs_per_stage: 0}", "{se_reduction: -1}",
        "{stage_dropout: [0.1, 0.2]}", "{stage_dropout: [0.1, 0.2, 0.3, 1.0]}", "{dense: 0}", "{dropout: 1.0}",
        "{head: dense}", "{block: bn_conv_relu}", "{pool: before}", "{conv_bias: maybe}"}) {
    EXPECT_THROW(make("unet_encoder", 3, 64, 8, options), ConfigError) << options;
  }
}

TEST(ModelOptionsTest, SeedStudyModelsRejectResolutionsTheirPoolingCannotReach) {
  EXPECT_THROW(make("inception_cnn", 3, 4, 8), ConfigError);
  EXPECT_THROW(make("inception_skip_cnn", 3, 4, 8), ConfigError);
  EXPECT_THROW(make("skip_cnn", 3, 2, 8), ConfigError);
  EXPECT_NO_THROW(make("skip_cnn", 3, 4, 8));
  for (const char* plugin : {"inception_cnn", "skip_cnn", "inception_skip_cnn"}) {
    EXPECT_THROW(make(plugin, 3, 64, 8, "{dense: 0}"), ConfigError) << plugin;
    EXPECT_THROW(make(plugin, 3, 64, 8, "{dropout: -0.1}"), ConfigError) << plugin;
  }
}

TEST(ModelOptionsTest, ResNet18RejectsAnUnknownStem) {
  const std::string message = config_error_message([] { make("resnet18", 3, 64, 8, "{stem: tiny}"); });
  EXPECT_NE(message.find("imagenet"), std::string::npos) << message;  // lists the valid stems
}

// ---- ablate/nn.hpp. ------------------------------------------------------------------------

TEST(SqueezeExcitationTest, ScalesEachChannelByAGateComputedFromTheChannelMeans) {
  torch::NoGradGuard no_grad;
  nn::SqueezeExcitation se(/*channels=*/2, /*reduction=*/1);
  // Squeeze: identity with no bias, so the hidden units are relu(channel means). Excite:
  // swaps them, so channel 0 is gated by channel 1's mean and the other way round, which
  // only a block that pools across the whole channel and mixes channels can get right.
  se->squeeze->weight.copy_(torch::eye(2));
  se->squeeze->bias.zero_();
  se->excite->weight.copy_(torch::tensor({0.0F, 1.0F, 1.0F, 0.0F}).view({2, 2}));
  se->excite->bias.copy_(torch::tensor({0.0F, 0.5F}));
  const torch::Tensor input = torch::tensor({0.0F, 1.0F, 2.0F, 3.0F,      // image 0, channel 0: mean 1.5
                                             -1.0F, -3.0F, -2.0F, -2.0F,  // image 0, channel 1: mean -2
                                             4.0F, 4.0F, 4.0F, 4.0F,      // image 1, channel 0: mean 4
                                             1.0F, 2.0F, 3.0F, 6.0F})     // image 1, channel 1: mean 3
                                  .view({2, 2, 2, 2});
  const auto sigmoid = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  // gate[n][0] = sigmoid(relu(mean of channel 1)); gate[n][1] = sigmoid(relu(mean of channel 0) + 0.5)
  const double gates[2][2] = {{sigmoid(0.0), sigmoid(1.5 + 0.5)}, {sigmoid(3.0), sigmoid(4.0 + 0.5)}};
  const torch::Tensor output = se->forward(input);
  ASSERT_EQ(output.sizes(), input.sizes());
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 2; ++c) {
      const torch::Tensor expected = input[n][c] * gates[n][c];
      EXPECT_TRUE(torch::allclose(output[n][c], expected)) << "image " << n << ", channel " << c << ":\n"
                                                           << output[n][c] << "\nexpected\n"
                                                           << expected;
    }
  }
}

TEST(SqueezeExcitationTest, FusedWithMaxPoolGivesTheSameOutputAndGradients) {
  // max_pool(x) * gate(x) against max_pool(x * gate(x)), with the same weights, on inputs
  // with negative values and exact ties: the outputs are bit for bit the same; gradients
  // agree to rounding (their sums run in another order).
  torch::manual_seed(3);
  nn::SqueezeExcitationMaxPool fused(/*channels=*/8, /*reduction=*/4);
  nn::SqueezeExcitation plain(/*channels=*/8, /*reduction=*/4);
  torch::NoGradGuard copying;
  for (std::size_t i = 0; i < plain->parameters().size(); ++i) plain->parameters()[i].copy_(fused->se->parameters()[i]);
  torch::Tensor x = torch::randn({3, 8, 6, 6});
  x.index_put_({0, 0, 0, 0}, x.index({0, 0, 0, 1}).item<float>());  // a tie inside one window
  x = x.contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor a = x.clone().requires_grad_(true);
  const torch::Tensor b = x.clone().requires_grad_(true);
  torch::Tensor fused_out, plain_out;
  {
    torch::AutoGradMode grad(true);
    fused_out = fused->forward(a);
    plain_out = torch::max_pool2d(plain->forward(b), 2);
    const torch::Tensor weights = torch::randn_like(fused_out);
    (fused_out * weights).sum().backward();
    (plain_out * weights).sum().backward();
  }
  ASSERT_EQ(fused_out.sizes(), (std::vector<std::int64_t>{3, 8, 3, 3}));
  EXPECT_TRUE(torch::equal(fused_out, plain_out));
  EXPECT_TRUE(torch::allclose(a.grad(), b.grad(), 1e-5, 1e-6));
  for (std::size_t i = 0; i < plain->parameters().size(); ++i) {
    EXPECT_TRUE(torch::allclose(fused->se->parameters()[i].grad(), plain->parameters()[i].grad(), 1e-5, 1e-6)) << i;
  }
}

TEST(SqueezeExcitationTest, HiddenWidthIsChannelsOverReductionAndAtLeastOne) {
  EXPECT_EQ(nn::squeeze_width(32, 16), 2);
  EXPECT_EQ(nn::squeeze_width(256, 16), 16);
  EXPECT_EQ(nn::squeeze_width(100, 8), 12);
  EXPECT_EQ(nn::squeeze_width(32, 64), 1);
  nn::SqueezeExcitation se(/*channels=*/64, /*reduction=*/16);
  EXPECT_EQ(trainable_parameters(*se), (64 * 4 + 4) + (4 * 64 + 64));
}

TEST(InceptionBlockTest, ConcatenatesItsFourPathsAtTheInputsSize) {
  torch::NoGradGuard no_grad;
  nn::InceptionBlock block(/*in_channels=*/32, nn::kSeedInceptionA);
  block->eval();
  const torch::Tensor output = block->forward(torch::rand({1, 32, 7, 7}));
  EXPECT_EQ(output.sizes(), (std::vector<std::int64_t>{1, 56, 7, 7}));
  EXPECT_EQ(nn::kSeedInceptionB.out_channels(), 112);
}

}  // namespace
}  // namespace ablate
