// The baseline_cnn plugin, loaded by the real loader: the seed study's parameter counts
// and forward shapes at every resolution and channel count.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "ablate/error.hpp"
#include "model_factory.hpp"

namespace ablate {
namespace {

std::int64_t trainable_parameters(torch::nn::Module& model) {
  std::int64_t count = 0;
  for (const auto& p : model.parameters()) count += p.requires_grad() ? p.numel() : 0;
  return count;
}

class BaselineCnnTest : public ::testing::Test {
 protected:
  void SetUp() override { registry_.load_directories({ABLATE_PLUGIN_DIR}); }
  std::shared_ptr<Model> make(std::int64_t channels, std::int64_t resolution, std::int64_t classes,
                              const std::string& options = "{}") {
    return create_model(registry_, "baseline_cnn", YAML::Load(options), {channels, resolution, classes});
  }
  PluginRegistry registry_;
};

TEST_F(BaselineCnnTest, HasTheSeedStudysParameterCounts) {
  // SEED_STUDY.md: 1,143,432 at 64x64x3 and 4,289,160 at 128x128x3 with 8 classes (Keras
  // reports 448 more, the BatchNorm running statistics, which are buffers here).
  EXPECT_EQ(trainable_parameters(*make(3, 64, 8)), 1143432);
  EXPECT_EQ(trainable_parameters(*make(3, 128, 8)), 4289160);
  std::int64_t statistics = 0;
  for (const auto& b : make(3, 64, 8)->buffers()) statistics += b.is_floating_point() ? b.numel() : 0;
  EXPECT_EQ(statistics, 448);
}

TEST_F(BaselineCnnTest, MapsImagesToLogitsAtEveryResolutionAndChannelCount) {
  torch::NoGradGuard no_grad;
  for (const std::int64_t channels : {1, 3}) {
    for (const std::int64_t resolution : {28, 64, 128}) {
      auto model = make(channels, resolution, 10);
      model->eval();
      const torch::Tensor logits = model->forward(torch::rand({2, channels, resolution, resolution}));
      EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{2, 10})) << channels << "x" << resolution;
    }
  }
}

TEST_F(BaselineCnnTest, RejectsOptionsItCannotBuild) {
  EXPECT_THROW(make(3, 64, 8, "{filters: [8, 16], dropout: [0.1]}"), ConfigError);
  EXPECT_THROW(make(3, 64, 8, "{dense: 0}"), ConfigError);
  EXPECT_THROW(make(3, 4, 8), ConfigError);  // three poolings need at least 8 pixels
  EXPECT_THROW(make(3, 64, 8, "{width: 3}"), ConfigError);
}

}  // namespace
}  // namespace ablate
