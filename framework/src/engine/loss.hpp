// What a cell minimises (cross-entropy with the train settings' smoothing and class
// weights) and how the training losses are read back and checked.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "ablate/dataset.hpp"
#include "config/config.hpp"

namespace ablate {

// Cross-entropy as the train settings ask: label smoothing, and class_weights: balanced
// (scikit-learn's n_samples / (n_classes * count(class)) over the train split) on `device`.
torch::nn::functional::CrossEntropyFuncOptions training_loss_options(
    const TrainSettings& train, const ImageSet& train_split, std::int64_t num_classes, const torch::Device& device);

// Training losses not yet read on the host: (loss, 1-based step, batch images). Reading a
// loss waits for the device: on a GPU the losses of many steps are read at once, and a
// non-finite one still names its own step.
class PendingLosses {
 public:
  void add(torch::Tensor loss, std::int64_t step, std::int64_t images);
  std::size_t size() const { return losses_.size(); }

  // Reads the pending losses in one transfer; throws TrainingError naming the first
  // non-finite one's epoch and step. Returns the sum of loss x batch images, in step order.
  double check_and_sum(std::int64_t epoch, std::int64_t steps_per_epoch, double lr);

 private:
  std::vector<torch::Tensor> losses_;
  std::vector<std::int64_t> steps_;
  std::vector<std::int64_t> images_;
};

}  // namespace ablate
