// The model plugin interface: a LibTorch module that maps images to class logits.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/version.h>

#include "ablate/api.hpp"
#include "ablate/options.hpp"
#include "ablate/plugin.hpp"

namespace ablate {

// A model is a torch::nn::Module with a forward from float images (N, C, H, W), scaled
// to [0, 1] and possibly normalised, to logits (N, num_classes). Softmax and loss are
// the host's business. Seeding and device placement belong to the host too.
class ABLATE_API Model : public torch::nn::Module {
 public:
  ~Model() override = default;
  virtual torch::Tensor forward(torch::Tensor images) = 0;
};

}  // namespace ablate

// Exports a model plugin. FACTORY: ablate::Model* (const Options&, const ModelInput&).
#define ABLATE_MODEL_PLUGIN(NAME, VERSION, DESCRIPTION, FACTORY) \
  ABLATE_DEFINE_PLUGIN(model, NAME, VERSION, DESCRIPTION, TORCH_VERSION, FACTORY, nullptr, nullptr)
