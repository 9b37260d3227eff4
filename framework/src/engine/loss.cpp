// What a cell minimises, and the checks of its training losses (loss.hpp).
#include "engine/loss.hpp"

#include <cmath>

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

namespace {

// scikit-learn's "balanced": n_samples / (n_classes * count(class)); 0 for absent classes.
torch::Tensor balanced_class_weights(const ImageSet& train, std::int64_t num_classes) {
  std::vector<double> counts(num_classes, 0.0);
  for (const auto label : train.labels) counts[label] += 1;
  std::vector<float> weights(num_classes, 0.0f);
  for (std::int64_t c = 0; c < num_classes; ++c) {
    if (counts[c] > 0) weights[c] = static_cast<float>(train.count / (num_classes * counts[c]));
  }
  return torch::tensor(weights);
}

}  // namespace

torch::nn::functional::CrossEntropyFuncOptions training_loss_options(
    const TrainSettings& train, const ImageSet& train_split, std::int64_t num_classes, const torch::Device& device) {
  auto options = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(train.label_smoothing);
  if (train.class_weights == ClassWeights::kBalanced)
    options.weight(balanced_class_weights(train_split, num_classes).to(device));
  return options;
}

void PendingLosses::add(torch::Tensor loss, std::int64_t step, std::int64_t images) {
  losses_.push_back(std::move(loss));
  steps_.push_back(step);
  images_.push_back(images);
}

double PendingLosses::check_and_sum(std::int64_t epoch, std::int64_t steps_per_epoch, double lr) {
  if (losses_.empty()) return 0;
  const torch::Tensor values = torch::stack(losses_).to(torch::kCPU, torch::kFloat64);
  const double* value = values.data_ptr<double>();
  double sum = 0;
  for (std::size_t i = 0; i < losses_.size(); ++i) {
    if (!std::isfinite(value[i])) {
      throw TrainingError(fmt::format("the training loss became {} in epoch {}, step {} of {} "
                                      "(learning rate {:g}); lower train.optimizer.lr or check "
                                      "the data",
                                      value[i], epoch, steps_[i], steps_per_epoch, lr));
    }
    sum += value[i] * static_cast<double>(images_[i]);
  }
  losses_.clear();
  steps_.clear();
  images_.clear();
  return sum;
}

}  // namespace ablate
