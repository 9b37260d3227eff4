// Model plugin `inception_skip_cnn`: the seed study's inception CNN with skip connections
// (SEED_STUDY.md, model 6).
//
// Conv 3x3 'same' 32 -> ReLU -> BatchNorm -> MaxPool 2; inception block A added to a 1x1
// convolution (bias, no activation) of its input -> MaxPool 2; block B likewise ->
// MaxPool 2; global average pooling -> Linear(dense) -> ReLU -> Dropout -> Linear(classes),
// the head of inception_cnn.
//
// Options: dense (64), dropout (0.3). 45,124 trainable parameters with 3 channels and 8
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

// An inception block plus a projection of its input to the block's channel count.
nn::ProjectedResidual inception_with_skip(std::int64_t in_channels, const nn::InceptionFilters& filters) {
  return nn::ProjectedResidual(torch::nn::Sequential(nn::InceptionBlock(in_channels, filters)), in_channels,
                               filters.out_channels());
}

class InceptionSkipCnn : public Model {
 public:
  InceptionSkipCnn(const ModelInput& input, std::int64_t dense, double dropout) {
    // A Sequential cannot hold another, so the stem's modules come first, spliced in.
    features_ = register_module("features", nn::conv_relu_bn(input.channels, kStemChannels));
    features_->extend(*torch::nn::Sequential(
        torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)), inception_with_skip(kStemChannels, nn::kSeedInceptionA),
        torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)),
        inception_with_skip(nn::kSeedInceptionA.out_channels(), nn::kSeedInceptionB),
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
  return new InceptionSkipCnn(input, dense, dropout);
}

}  // namespace
}  // namespace ablate

ABLATE_MODEL_PLUGIN("inception_skip_cnn", "1.0.0",
                    "The seed study's inception CNN with projected skip connections around both blocks", ablate::create)
