// Model plugin `skip_cnn`: the seed study's skip-connection CNN (SEED_STUDY.md, model 5).
//
// Stage 1: [Conv 3x3 'same' 32 -> ReLU -> BatchNorm] x 2 -> MaxPool 2. Stages 2 and 3: the
// same with 64 and 128 channels, added to a 1x1 convolution (bias, no activation) of the
// stage's input; stage 2's sum is max-pooled, stage 3's goes to global average pooling ->
// Linear(dense) -> ReLU -> Dropout -> Linear(classes).
//
// Options: dense (64), dropout (0.3). 307,112 trainable parameters with 3 channels and 8
// classes at any resolution (docs/models.md derives the count); it needs at least 4x4.
#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "ablate/error.hpp"
#include "ablate/model.hpp"
#include "ablate/nn.hpp"

namespace ablate {
namespace {

constexpr std::int64_t kPools = 2;

// [Conv 3x3 -> ReLU -> BatchNorm] x 2, the body of every stage.
torch::nn::Sequential double_conv(std::int64_t in_channels, std::int64_t out_channels) {
  torch::nn::Sequential body = nn::conv_relu_bn(in_channels, out_channels);
  body->extend(*nn::conv_relu_bn(out_channels, out_channels));
  return body;
}

class SkipCnn : public Model {
 public:
  SkipCnn(const ModelInput& input, std::int64_t dense, double dropout) {
    // A Sequential cannot hold another, so stage 1 is spliced in module by module.
    features_ = register_module("features", double_conv(input.channels, 32));
    features_->extend(*torch::nn::Sequential(
        torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)), nn::ProjectedResidual(double_conv(32, 64), 32, 64),
        torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)), nn::ProjectedResidual(double_conv(64, 128), 64, 128)));
    head_ = register_module("head", nn::pooled_dense_head(128, dense, dropout, input.num_classes));
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
  return new SkipCnn(input, dense, dropout);
}

}  // namespace
}  // namespace ablate

ABLATE_MODEL_PLUGIN("skip_cnn", "1.0.0",
                    "The seed study's skip-connection CNN: 3 stages of 2 conv-ReLU-BN, projected shortcuts, dense 64",
                    ablate::create)
