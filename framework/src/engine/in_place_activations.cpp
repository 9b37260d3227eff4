// ReLUs computed in place after a convolution or a BatchNorm (see the header).
#include "engine/in_place_activations.hpp"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

namespace ablate {

std::size_t run_relus_in_place(torch::nn::Module& model) {
  std::size_t switched = 0;
  for (const auto& module : model.modules()) {
    auto* sequential = dynamic_cast<torch::nn::SequentialImpl*>(module.get());
    if (sequential == nullptr) continue;
    for (std::size_t i = 1; i < sequential->size(); ++i) {
      auto* relu = dynamic_cast<torch::nn::ReLUImpl*>(sequential->ptr(i).get());
      if (relu == nullptr || relu->options.inplace()) continue;
      const auto* before = sequential->ptr(i - 1).get();
      if (dynamic_cast<const torch::nn::Conv2dImpl*>(before) != nullptr ||
          dynamic_cast<const torch::nn::BatchNorm2dImpl*>(before) != nullptr) {
        relu->options.inplace(true);
        ++switched;
      }
    }
  }
  return switched;
}

}  // namespace ablate
