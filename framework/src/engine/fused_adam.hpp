// Adam and AdamW with the whole update of a parameter in one pass over its memory.
//
// LibTorch 1.13's Adam runs eight tensor operations per parameter and step (two each for
// the moments, three for the denominator, one for the update), each a pass over the
// parameter-sized tensors and some allocating a temporary: 5-6% of a training step of
// the seed study's models at 28x28 (docs/performance.md). These subclasses compute the
// same update per element in one parallel loop (PyTorch 2.x later added this as
// `fused=True`), and hand every step that they cannot fuse (a closure, amsgrad, a GPU,
// sparse or non-float32 parameters) to LibTorch's own implementation. The state
// (exp_avg, exp_avg_sq, step) is LibTorch's, so either path continues the other's.
// Results agree with LibTorch's to float32 rounding, not bit for bit.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

namespace ablate {

std::unique_ptr<torch::optim::Optimizer> make_fused_adam(const std::vector<torch::Tensor>& parameters,
                                                         const torch::optim::AdamOptions& options);
std::unique_ptr<torch::optim::Optimizer> make_fused_adamw(const std::vector<torch::Tensor>& parameters,
                                                          const torch::optim::AdamWOptions& options);

// How many steps `optimizer` took through the one-pass loop (the others were LibTorch's
// own); 0 for an optimizer not made here.
std::int64_t fused_steps(const torch::optim::Optimizer& optimizer);

}  // namespace ablate
