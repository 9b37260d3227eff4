// Optimizers and learning-rate schedules built from the train settings.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "config/config.hpp"

namespace ablate {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainSettings& train,
                                                        const std::vector<torch::Tensor>& parameters);

double learning_rate(const torch::optim::Optimizer& optimizer);

// Python's zero_grad(set_to_none=True), which LibTorch 1.13's C++ optimizers lack: the
// next backward writes each gradient instead of adding it to a tensor zeroed here, which
// saves a pass over every gradient per step. The values are the same.
void drop_gradients(torch::optim::Optimizer& optimizer);

// The values a schedule or early stopping may watch, after one epoch.
struct EpochMonitors {
  double val_loss = 0;
  double val_accuracy = 0;
  double val_auc = std::numeric_limits<double>::quiet_NaN();

  // The monitor as a quantity to minimise (accuracies and AUC are negated).
  double lower_is_better(Monitor monitor) const;
};

// Sets the learning rate after every epoch: plateau (Keras' ReduceLROnPlateau), cosine
// annealing to min_lr over max_epochs, multistep (x gamma after each milestone epoch).
class LearningRateSchedule {
 public:
  LearningRateSchedule(const TrainSettings& train, torch::optim::Optimizer& optimizer);
  void after_epoch(std::int64_t epoch, const EpochMonitors& monitors);

 private:
  void set(double lr);
  const TrainSettings& train_;
  torch::optim::Optimizer& optimizer_;
  double base_lr_;
  double best_ = std::numeric_limits<double>::infinity();
  std::int64_t bad_epochs_ = 0;
};

}  // namespace ablate
