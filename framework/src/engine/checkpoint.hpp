// A model's weights kept aside: in memory (the best-validation weights while training
// goes on) and on disk (the checkpoint `runner --evaluate` loads).
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

namespace ablate {

// A copy of every parameter and buffer, in the model's order.
class WeightSnapshot {
 public:
  explicit WeightSnapshot(torch::nn::Module& model);
  // Copies the snapshot back into `model`, which must be the model it was taken of.
  void restore_into(torch::nn::Module& model) const;

 private:
  std::vector<torch::Tensor> tensors_;
};

// LibTorch's archive format, as torch::save writes it for a module. The file is replaced
// atomically (temporary file, fsync, rename); throws Error naming the file and the reason
// (e.g. "No space left on device") when it cannot be written.
void save_checkpoint(torch::nn::Module& model, const std::string& path);
// Throws DataError naming the file when it cannot be read or does not fit the model.
void load_checkpoint(torch::nn::Module& model, const std::string& path);

}  // namespace ablate
