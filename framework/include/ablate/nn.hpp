// Network building blocks that model plugins share (header-only LibTorch): Keras-style
// 'same' convolutions, squeeze-and-excitation, the seed study's inception block, a
// projected residual and the pooled dense head.
//
// Nothing here crosses the plugin boundary (each plugin compiles its own copy), so
// changing these blocks changes plugins' results, not the ABI: bump the version of every
// plugin that uses a block whose behaviour changes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include <torch/nn.h>
#include <torch/types.h>

#include "ablate/error.hpp"
#include "ablate/options.hpp"
#include "ablate/plugin.hpp"

namespace ablate::nn {

// A convolution whose output keeps the input's size at stride 1, as Keras'
// padding='same' does for the odd kernels these models use. Keras' Conv2D has a bias
// unless told otherwise; a convolution feeding straight into BatchNorm does not need one.
inline torch::nn::Conv2d same_conv(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size,
                                   bool bias = true) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in_channels, out_channels, kernel_size).padding(kernel_size / 2).bias(bias));
}

// Keras' Conv2D(activation='relu') followed by BatchNormalization: the order the seed
// study's Keras models use (the ReLU comes before the normalisation).
inline torch::nn::Sequential conv_relu_bn(std::int64_t in_channels, std::int64_t out_channels,
                                          std::int64_t kernel_size = 3, bool bias = true) {
  return torch::nn::Sequential(same_conv(in_channels, out_channels, kernel_size, bias), torch::nn::ReLU(),
                               torch::nn::BatchNorm2d(out_channels));
}

// The hidden width of a squeeze-and-excitation block: C / r rounded down, as in Hu et
// al. and the seed study's counts (32 channels, r = 16: 2 units), but never below one
// unit, so that any reduction works on any stage.
inline std::int64_t squeeze_width(std::int64_t channels, std::int64_t reduction) {
  return std::max<std::int64_t>(1, channels / reduction);
}

// Squeeze-and-excitation (Hu et al. 2018): global average pool -> Linear C/r -> ReLU ->
// Linear C -> sigmoid, which gates each channel of the input. Both Linears have biases,
// like Keras' Dense, so a block adds 2*C*(C/r) + C/r + C parameters.
struct SqueezeExcitationImpl : torch::nn::Module {
  SqueezeExcitationImpl(std::int64_t channels, std::int64_t reduction) {
    squeeze = register_module("squeeze", torch::nn::Linear(channels, squeeze_width(channels, reduction)));
    excite = register_module("excite", torch::nn::Linear(squeeze_width(channels, reduction), channels));
  }

  torch::Tensor forward(torch::Tensor x) { return x * gate(x); }

  // The per-channel gate, (N, C, 1, 1), each in (0, 1).
  torch::Tensor gate(const torch::Tensor& x) {
    const torch::Tensor pooled = x.mean({2, 3});
    return torch::sigmoid(excite->forward(torch::relu(squeeze->forward(pooled)))).unsqueeze(-1).unsqueeze(-1);
  }

  torch::nn::Linear squeeze{nullptr};
  torch::nn::Linear excite{nullptr};
};
TORCH_MODULE(SqueezeExcitation);

// A squeeze-and-excitation block followed by a 2x2 max-pool, computed as
// max_pool(x) * gate(x). The gate is positive, and rounding g * t is monotone in t, so
// the maximum of the scaled values is the scaled maximum: the same output, with the
// product taken on a quarter of the elements and no full-size scaled copy of x kept for
// the backward pass (the seed study's `se` encoder at 128x128, batch 64: 0.23 GB less).
struct SqueezeExcitationMaxPoolImpl : torch::nn::Module {
  SqueezeExcitationMaxPoolImpl(std::int64_t channels, std::int64_t reduction) {
    se = register_module("se", SqueezeExcitation(channels, reduction));
  }

  torch::Tensor forward(torch::Tensor x) { return torch::max_pool2d(x, 2) * se->gate(x); }

  SqueezeExcitation se{nullptr};
};
TORCH_MODULE(SqueezeExcitationMaxPool);

// The filter counts of one inception block, in the seed study's order.
struct InceptionFilters {
  std::int64_t f1;      // the 1x1 path
  std::int64_t f3_in;   // the 3x3 path's 1x1 reduction ...
  std::int64_t f3_out;  // ... and its 3x3 convolution
  std::int64_t f5_in;   // the 5x5 path's 1x1 reduction ...
  std::int64_t f5_out;  // ... and its 5x5 convolution
  std::int64_t proj;    // the 1x1 after the 3x3 max-pool
  constexpr std::int64_t out_channels() const { return f1 + f3_out + f5_out + proj; }
};

// The seed study's two blocks (inception_cnn and inception_skip_cnn): 56 and 112 channels out.
inline constexpr InceptionFilters kSeedInceptionA{16, 16, 24, 4, 8, 8};
inline constexpr InceptionFilters kSeedInceptionB{32, 32, 48, 8, 16, 16};

// The seed study's inception block (SEED_STUDY.md, model 4): four paths at the input's
// size, concatenated along channels in this order, each ending in BatchNorm; every
// convolution has a bias and a ReLU, as Keras' Conv2D(activation='relu').
struct InceptionBlockImpl : torch::nn::Module {
  InceptionBlockImpl(std::int64_t in_channels, const InceptionFilters& f) {
    path1 = register_module("path1", torch::nn::Sequential(same_conv(in_channels, f.f1, /*kernel_size=*/1),
                                                           torch::nn::ReLU(), torch::nn::BatchNorm2d(f.f1)));
    path3 = register_module("path3",
                            torch::nn::Sequential(same_conv(in_channels, f.f3_in, /*kernel_size=*/1), torch::nn::ReLU(),
                                                  same_conv(f.f3_in, f.f3_out, /*kernel_size=*/3), torch::nn::ReLU(),
                                                  torch::nn::BatchNorm2d(f.f3_out)));
    path5 = register_module("path5",
                            torch::nn::Sequential(same_conv(in_channels, f.f5_in, /*kernel_size=*/1), torch::nn::ReLU(),
                                                  same_conv(f.f5_in, f.f5_out, /*kernel_size=*/5), torch::nn::ReLU(),
                                                  torch::nn::BatchNorm2d(f.f5_out)));
    pool_path = register_module(
        "pool_path", torch::nn::Sequential(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(1).padding(1)),
                                           same_conv(in_channels, f.proj, /*kernel_size=*/1), torch::nn::ReLU(),
                                           torch::nn::BatchNorm2d(f.proj)));
  }

  torch::Tensor forward(torch::Tensor x) {
    return torch::cat({path1->forward(x), path3->forward(x), path5->forward(x), pool_path->forward(x)},
                      /*dim=*/1);
  }

  torch::nn::Sequential path1{nullptr};
  torch::nn::Sequential path3{nullptr};
  torch::nn::Sequential path5{nullptr};
  torch::nn::Sequential pool_path{nullptr};
};
TORCH_MODULE(InceptionBlock);

// body(x) + projection(x), where the projection is a 1x1 convolution with a bias and no
// activation (Keras' Conv2D(filters, 1)) that matches the body's channel count. Nothing
// follows the sum: the seed study's skip models pool it directly.
struct ProjectedResidualImpl : torch::nn::Module {
  ProjectedResidualImpl(torch::nn::Sequential body_modules, std::int64_t in_channels, std::int64_t out_channels) {
    body = register_module("body", std::move(body_modules));
    projection = register_module("projection", same_conv(in_channels, out_channels, /*kernel_size=*/1));
  }

  torch::Tensor forward(torch::Tensor x) { return body->forward(x) + projection->forward(x); }

  torch::nn::Sequential body{nullptr};
  torch::nn::Conv2d projection{nullptr};
};
TORCH_MODULE(ProjectedResidual);

// The seed study's classifier head: Linear(features, dense) -> ReLU -> Dropout ->
// Linear(dense, classes). `features` is what the caller's pooling or flattening yields.
inline torch::nn::Sequential dense_head(std::int64_t features, std::int64_t dense, double dropout,
                                        std::int64_t num_classes, bool relu = true) {
  torch::nn::Sequential head(torch::nn::Linear(features, dense));
  if (relu) head->push_back(torch::nn::ReLU());
  head->push_back(torch::nn::Dropout(dropout));
  head->push_back(torch::nn::Linear(dense, num_classes));
  return head;
}

// Global average pooling to one value per channel, then the dense head.
inline torch::nn::Sequential pooled_dense_head(std::int64_t channels, std::int64_t dense, double dropout,
                                               std::int64_t num_classes) {
  torch::nn::Sequential head(torch::nn::AdaptiveAvgPool2d(1), torch::nn::Flatten());
  head->extend(*dense_head(channels, dense, dropout, num_classes));
  return head;
}

// The checks every model with a dense head shares: `dense` >= 1, `dropout` in [0, 1).
inline void check_dense_head(const Options& options, std::int64_t dense, double dropout) {
  if (dense < 1) options.fail("dense", "must be at least 1");
  if (dropout < 0 || dropout >= 1) options.fail("dropout", "must be in [0, 1)");
}

// A network that halves the image `pools` times needs at least 2^pools pixels.
inline void check_resolution_for_pools(const Options& options, const ModelInput& input, std::int64_t pools) {
  const std::int64_t smallest = std::int64_t{1} << pools;
  if (input.resolution < smallest) {
    throw ConfigError(options.owner() + ": its " + std::to_string(pools) + " max-pools need a resolution of at least " +
                      std::to_string(smallest) + "; the grid cell has " + std::to_string(input.resolution));
  }
}

}  // namespace ablate::nn
