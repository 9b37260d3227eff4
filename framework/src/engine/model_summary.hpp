// A model's layer summary (like Keras' model.summary()), size and forward FLOPs, measured
// by running one image through it and observing LibTorch's operators.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ablate {

class Model;

struct LayerRow {
  std::string name;                        // the owning module's path ("blocks.0") or the operator ("relu")
  std::string op;                          // "conv2d", "linear", "batch_norm", "relu", ...
  std::vector<std::int64_t> output_shape;  // batch of one
  std::int64_t params = 0;                 // trainable parameters first used by this row
};

struct ModelSummary {
  std::vector<LayerRow> layers;
  std::int64_t params_trainable = 0;
  std::int64_t params_total = 0;  // parameters and floating-point buffers
  std::int64_t params_bytes = 0;  // parameters and buffers
  double flops_per_image = 0;     // 2 x multiply-adds of convolutions and matrix products

  nlohmann::json layers_json() const;
  // The Keras-style table, for `runner --describe`.
  std::string to_text(const std::string& title) const;
};

// `model` must be on the CPU; it is run once in eval mode on zeros (1, C, R, R).
ModelSummary summarize_model(Model& model, std::int64_t channels, std::int64_t resolution);

}  // namespace ablate
