// Model plugin `inception_cnn`: the seed study's inception CNN (SEED_STUDY.md, model 4).
//
// Conv 3x3 'same' 32 -> ReLU -> MaxPool 2; inception block A (16, 16, 24, 4, 8, 8; 56
// channels out) -> MaxPool 2; inception block B (32, 32, 48, 8, 16, 16; 112 channels out)
// -> MaxPool 2; global average pooling -> Linear(dense) -> ReLU -> Dropout -> Linear(classes).
// Every inception path ends in BatchNorm (ablate/nn.hpp, InceptionBlock).
//
// Options: dense (64), dropout (0.3). 36,828 trainable parameters with 3 channels and 8
// classes at any resolution (docs/models.md derives the count); it needs at least 8x8.
#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "ablate/error.hpp"
#include "ablate/model.hpp"
#include "ablate/nn.hpp"

namespace ablate {
namespace {

constexpr std::int64_t kStemChannels = 32;
constexpr std::int64_t kPools = 3;

class InceptionCnn : public Model {
 public:
  InceptionCnn(const ModelInput& input, std::int64_t dense, double dropout) {
    features_ = register_module(
        "features", torch::nn::Sequential(nn::same_conv(input.channels, kStemChannels, /*kernel_size=*/3),
                                          torch::nn::ReLU(), torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)),
                                          nn::InceptionBlock(kStemChannels, nn::kSeedInceptionA),
                                          torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)),
                                          nn::InceptionBlock(nn::kSeedInceptionA.out_channels(), nn::kSeedInceptionB),
                                          torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2))));
    head_ = register_module("head", nn::pooled_dense_head(nn::kSeedInceptionB.out_channels(), dense, dropout,
                                                          input.num_classes));
  }

  torch::Tensor forward(torch::Tensor images) override { return head_->forward(features_->forward(images)); }

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::Sequential head_{nullptr};
};

Model* create(const Options& options, const ModelInput& input) {
  const auto dense = options.get_int("dense", 64);
  const auto dropout = options.get_double("dropout", 0.3);
  nn::check_dense_head(options, dense, dropout);
  nn::check_resolution_for_pools(options, input, kPools);
  return new InceptionCnn(input, dense, dropout);
}

}  // namespace
}  // namespace ablate

ABLATE_MODEL_PLUGIN("inception_cnn", "1.0.0",
                    "The seed study's inception CNN: conv 3x3, two inception blocks, max-pools, dense 64",
                    ablate::create)
