// Model plugin `unet_encoder`: U-Net's encoder path with a classification head, the seed
// study's `encoder` and `se` arms and the coursework's simplified encoder (SEED_STUDY.md,
// models 2 and 3).
//
// Stage i (0-based) has base_channels * 2^i channels and convs_per_stage 3x3 'same'
// convolutions, each followed by BatchNorm and ReLU (block: conv_bn_relu) or by ReLU and
// BatchNorm (block: conv_relu_bn, the Keras coursework's order). A stage ends with an SE
// block when se_reduction > 0, then a 2x2 max-pool (pool: between, after every stage but
// the last; pool: after, after every stage) and its stage_dropout, if any. The head is
// global average pooling (head: gap) or flattening (head: flatten), then
// Linear(dense) -> ReLU (unless head_relu: false) -> Dropout(dropout) -> Linear(classes).
//
// Options and defaults (the `encoder` arm): depth 4, base_channels 32, convs_per_stage 2,
// block conv_bn_relu, conv_bias false, pool between, stage_dropout [] (none),
// se_reduction 0, head gap, dense 128, head_relu true, dropout 0.3.
// Trainable parameters with 3 channels and 8 classes, at any resolution:
//   defaults 1,207,144; se_reduction: 16 (the `se` arm) 1,218,534; se_reduction: 8 1,229,444.
// The coursework's simplified encoder (2,191,880 in Keras at 128x128x3, of which 448 are
// BatchNorm running statistics, buffers here; 2,191,432 trainable) is
//   {depth: 3, convs_per_stage: 1, block: conv_relu_bn, conv_bias: true, pool: after,
//    stage_dropout: [0.1, 0.15, 0.2], head: flatten, dense: 64, head_relu: false}
// (its Dense 64 has no activation in the specification; dropout stays 0.3).
// docs/models.md derives every count.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "ablate/model.hpp"
#include "ablate/nn.hpp"

namespace ablate {
namespace {

struct EncoderSettings {
  std::int64_t depth = 4;
  std::int64_t base_channels = 32;
  std::int64_t convs_per_stage = 2;
  std::string block = "conv_bn_relu";
  bool conv_bias = false;
  std::string pool = "between";
  std::vector<double> stage_dropout;
  std::int64_t se_reduction = 0;
  std::string head = "gap";
  std::int64_t dense = 128;
  bool head_relu = true;
  double dropout = 0.3;

  // Pooling halves the side this many times (rounding down, as MaxPool2d(2) does).
  std::int64_t pools() const { return pool == "after" ? depth : depth - 1; }
  std::int64_t stage_channels(std::int64_t stage) const { return base_channels << stage; }
};

// One convolution of a stage and its BatchNorm and ReLU, in the order the settings ask for.
torch::nn::Sequential conv_unit(const EncoderSettings& s, std::int64_t in_channels, std::int64_t out_channels) {
  if (s.block == "conv_relu_bn") return nn::conv_relu_bn(in_channels, out_channels, /*kernel_size=*/3, s.conv_bias);
  return torch::nn::Sequential(nn::same_conv(in_channels, out_channels, /*kernel_size=*/3, s.conv_bias),
                               torch::nn::BatchNorm2d(out_channels), torch::nn::ReLU());
}

class UnetEncoder : public Model {
 public:
  UnetEncoder(const ModelInput& input, const EncoderSettings& s) {
    std::int64_t channels = input.channels;
    std::int64_t side = input.resolution;
    for (std::int64_t stage = 0; stage < s.depth; ++stage) {
      const std::int64_t width = s.stage_channels(stage);
      torch::nn::Sequential block;
      for (std::int64_t conv = 0; conv < s.convs_per_stage; ++conv) {
        block->extend(*conv_unit(s, channels, width));
        channels = width;
      }
      const bool pooled = s.pool == "after" || stage + 1 < s.depth;
      if (s.se_reduction > 0 && pooled) {
        block->push_back(nn::SqueezeExcitationMaxPool(width, s.se_reduction));  // SE, then the pool, in one
      } else {
        if (s.se_reduction > 0) block->push_back(nn::SqueezeExcitation(width, s.se_reduction));
        if (pooled) block->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
      }
      if (pooled) side /= 2;
      if (!s.stage_dropout.empty()) block->push_back(torch::nn::Dropout(s.stage_dropout[stage]));
      stages_.push_back(register_module("stage" + std::to_string(stage + 1), block));
    }
    if (s.head == "gap") {
      head_ = register_module("head", torch::nn::Sequential(torch::nn::AdaptiveAvgPool2d(1), torch::nn::Flatten()));
    } else {
      head_ = register_module("head", torch::nn::Sequential(torch::nn::Flatten()));
      channels *= side * side;
    }
    head_->extend(*nn::dense_head(channels, s.dense, s.dropout, input.num_classes, s.head_relu));
  }

  torch::Tensor forward(torch::Tensor images) override {
    torch::Tensor x = images;
    for (auto& stage : stages_) x = stage->forward(x);
    return head_->forward(x);
  }

 private:
  // Registered one by one as stage1, stage2, ...: a Sequential cannot hold another.
  std::vector<torch::nn::Sequential> stages_;
  torch::nn::Sequential head_{nullptr};
};

Model* create(const Options& options, const ModelInput& input) {
  // Every option is read before any is checked: the host rejects unread keys afterwards.
  EncoderSettings s;
  s.depth = options.get_int("depth", s.depth);
  s.base_channels = options.get_int("base_channels", s.base_channels);
  s.convs_per_stage = options.get_int("convs_per_stage", s.convs_per_stage);
  s.block = options.get_choice("block", s.block, {"conv_bn_relu", "conv_relu_bn"});
  s.conv_bias = options.get_bool("conv_bias", s.conv_bias);
  s.pool = options.get_choice("pool", s.pool, {"between", "after"});
  s.stage_dropout = options.get_double_list("stage_dropout", s.stage_dropout);
  s.se_reduction = options.get_int("se_reduction", s.se_reduction);
  s.head = options.get_choice("head", s.head, {"gap", "flatten"});
  s.dense = options.get_int("dense", s.dense);
  s.head_relu = options.get_bool("head_relu", s.head_relu);
  s.dropout = options.get_double("dropout", s.dropout);

  // Widths double per stage and each pool halves the side: twelve stages already need
  // 2,048-pixel images; the cap also keeps base_channels << stage far from overflowing.
  constexpr std::int64_t kMaxDepth = 12;
  if (s.depth < 1 || s.depth > kMaxDepth) options.fail("depth", "must be between 1 and " + std::to_string(kMaxDepth));
  if (s.base_channels < 1) options.fail("base_channels", "must be at least 1");
  if (s.convs_per_stage < 1) options.fail("convs_per_stage", "must be at least 1");
  if (!s.stage_dropout.empty() && static_cast<std::int64_t>(s.stage_dropout.size()) != s.depth) {
    options.fail("stage_dropout", "must be empty or have one rate per stage (" + std::to_string(s.depth) + ")");
  }
  for (const double rate : s.stage_dropout) {
    if (rate < 0 || rate >= 1) options.fail("stage_dropout", "rates must be in [0, 1)");
  }
  if (s.se_reduction < 0) options.fail("se_reduction", "must be 0 (no squeeze-and-excitation) or at least 1");
  nn::check_dense_head(options, s.dense, s.dropout);
  const std::int64_t smallest = std::int64_t{1} << s.pools();
  if (input.resolution < smallest) {
    options.fail("depth", "of " + std::to_string(s.depth) + " with pool: " + s.pool + " halves the image " +
                              std::to_string(s.pools()) + " times, which needs a resolution of at least " +
                              std::to_string(smallest) + "; the grid cell has " + std::to_string(input.resolution));
  }
  return new UnetEncoder(input, s);
}

}  // namespace
}  // namespace ablate

ABLATE_MODEL_PLUGIN("unet_encoder", "1.1.0",
                    "U-Net's encoder with a dense head: conv-BN-ReLU stages, optional squeeze-and-excitation",
                    ablate::create)
