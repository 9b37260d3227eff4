// Optimizers and learning-rate schedules.
#include "engine/optimization.hpp"

#include <algorithm>
#include <cmath>

#include "engine/fused_adam.hpp"

namespace ablate {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainSettings& train,
                                                        const std::vector<torch::Tensor>& parameters) {
  if (train.optimizer == Optimizer::kSgd) {
    return std::make_unique<torch::optim::SGD>(parameters, torch::optim::SGDOptions(train.lr)
                                                               .momentum(train.momentum)
                                                               .nesterov(train.nesterov)
                                                               .weight_decay(train.weight_decay));
  }
  if (train.optimizer == Optimizer::kAdamW) {
    const auto options = torch::optim::AdamWOptions(train.lr).weight_decay(train.weight_decay);
    if (!train.fast_paths) return std::make_unique<torch::optim::AdamW>(parameters, options);
    return make_fused_adamw(parameters, options);
  }
  const auto options = torch::optim::AdamOptions(train.lr).weight_decay(train.weight_decay);
  if (!train.fast_paths) return std::make_unique<torch::optim::Adam>(parameters, options);
  return make_fused_adam(parameters, options);
}

void drop_gradients(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups()) {
    for (auto& parameter : group.params()) parameter.mutable_grad().reset();
  }
}

double learning_rate(const torch::optim::Optimizer& optimizer) {
  return optimizer.param_groups().front().options().get_lr();
}

double EpochMonitors::lower_is_better(Monitor monitor) const {
  if (monitor == Monitor::kValAccuracy) return -val_accuracy;
  if (monitor == Monitor::kValAuc) return -val_auc;
  return val_loss;
}

LearningRateSchedule::LearningRateSchedule(const TrainSettings& train, torch::optim::Optimizer& optimizer)
    : train_(train), optimizer_(optimizer), base_lr_(train.lr) {}

void LearningRateSchedule::set(double lr) {
  for (auto& group : optimizer_.param_groups()) group.options().set_lr(lr);
}

void LearningRateSchedule::after_epoch(std::int64_t epoch, const EpochMonitors& monitors) {
  if (train_.scheduler == Scheduler::kPlateau) {
    // As Keras (the seed study's framework) and like early stopping here: after
    // `patience` epochs without improvement, lr *= factor. (PyTorch waits one epoch more.)
    const double value = monitors.lower_is_better(train_.scheduler_monitor);
    if (value < best_) {
      best_ = value;
      bad_epochs_ = 0;
    } else if (++bad_epochs_ >= std::max<std::int64_t>(1, train_.scheduler_patience)) {
      set(learning_rate(optimizer_) * train_.scheduler_factor);
      bad_epochs_ = 0;
    }
  } else if (train_.scheduler == Scheduler::kCosine) {
    const double progress = static_cast<double>(epoch) / static_cast<double>(train_.max_epochs);
    const double pi = 3.14159265358979323846;
    set(train_.scheduler_min_lr + (base_lr_ - train_.scheduler_min_lr) * (1 + std::cos(pi * progress)) / 2);
  } else if (train_.scheduler == Scheduler::kMultistep) {
    const auto& milestones = train_.scheduler_milestones;
    if (std::find(milestones.begin(), milestones.end(), epoch) != milestones.end()) {
      set(learning_rate(optimizer_) * train_.scheduler_gamma);
    }
  }
}

}  // namespace ablate
