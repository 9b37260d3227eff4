// Faster evaluation of eager models: BatchNorm folded into the layer before it.
//
// In evaluation BatchNorm2d is a fixed per-channel affine map, y = x * scale + shift, yet
// eager LibTorch runs it as a separate pass over every activation, and at 128x128 those
// passes (with the ReLU's) cost more than the convolutions between them: removing them
// made the baseline's evaluation 1.5x faster (docs/performance.md). Python users get this
// only from a graph rewrite (torch.fx, TorchScript freezing); plugins build eager C++
// modules, so the fusion works on what a plugin builds: neighbouring layers of a
// torch::nn::Sequential.
//
//   Conv2d -> BatchNorm2d           the convolution's weights and bias absorb the affine
//                                   map; a ReLU right after it then runs in place
//   ReLU -> BatchNorm2d             one pass computing max(x, 0) * scale + shift (in place
//                                   when a convolution produced x)
//   ReLU -> BatchNorm2d -> MaxPool2d(2)
//                                   the same pass also pools, writing a quarter of the
//                                   values (channels-last input; the baseline's blocks)
//   ReLU -> MaxPool2d(2)            likewise, without the affine map (the encoder's
//                                   stage ends once their BatchNorm is folded)
//
// While a fusion is alive the model computes the same function to rounding (float32:
// relative differences ~1e-6) and holds no new parameters; its destructor puts every layer
// and tensor back, so training continues bit for bit as without it. A fusion that throws
// while it is made puts the model back before the error leaves the constructor.
#pragma once

#include <cstddef>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

namespace ablate {

class EvaluationFusion {
 public:
  // `model` must be in evaluation mode (BatchNorm layers still training are left alone).
  explicit EvaluationFusion(torch::nn::Module& model);
  ~EvaluationFusion();
  EvaluationFusion(const EvaluationFusion&) = delete;
  EvaluationFusion& operator=(const EvaluationFusion&) = delete;

  std::size_t folded_convolutions() const { return folded_convolutions_; }
  std::size_t fused_activations() const { return fused_activations_; }

 private:
  void fuse(torch::nn::SequentialImpl& sequential);
  void restore();
  void replace(torch::nn::SequentialImpl& sequential, std::size_t index, torch::nn::AnyModule replacement);

  struct ReplacedLayer {
    torch::nn::SequentialImpl* sequential;
    std::size_t index;
    torch::nn::AnyModule original;
  };
  struct FoldedConvolution {
    torch::nn::Conv2dImpl* convolution;
    torch::Tensor weight;
    torch::Tensor bias;  // undefined for a convolution without one
  };
  std::vector<ReplacedLayer> replaced_;
  std::vector<FoldedConvolution> folded_;
  std::size_t folded_convolutions_ = 0;
  std::size_t fused_activations_ = 0;
};

// max(x, 0) * scale[c] + shift[c] for (N, C, H, W) x in one pass: into x itself when
// `in_place`, else into a new tensor of x's layout. Exposed for its unit test.
torch::Tensor relu_then_affine(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& shift,
                               bool in_place);

// max_pool2d(relu_then_affine(x, ...), 2), in one pass over x when x is channels-last
// (`in_place` only matters for the two-pass fallback).
torch::Tensor relu_affine_max_pool(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& shift,
                                   bool in_place);

}  // namespace ablate
