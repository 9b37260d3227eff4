// Training and evaluation of one grid cell with LibTorch.
#include "trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "interrupt.hpp"
#include "model_factory.hpp"

namespace ablate {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

ModelInput model_input(const Cell& cell, const DatasetInfo& info) {
  return ModelInput{info.channels, cell.resolution, info.num_classes};
}

// A split as uint8 (N, H, W, C), viewed without copying the dataset's pixels.
torch::Tensor pixels_of(const ImageSet& set) {
  return torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()),
                          {set.count, set.height, set.width, set.channels}, torch::kUInt8);
}

torch::Tensor labels_of(const ImageSet& set) {
  return torch::from_blob(const_cast<std::int64_t*>(set.labels.data()), {set.count}, torch::kInt64);
}

void check_split(const ImageSet& set, const char* split, const DatasetInfo& info) {
  const auto expected = set.count * set.height * set.width * set.channels;
  if (set.count <= 0 || static_cast<std::int64_t>(set.pixels.size()) != expected ||
      static_cast<std::int64_t>(set.labels.size()) != set.count || set.channels != info.channels) {
    throw DataError(fmt::format(
        "dataset '{}' returned an inconsistent {} split: {} images of {}x{}x{} ({} bytes, {} "
        "labels; the dataset declares {} channel(s))",
        info.name, split, set.count, set.height, set.width, set.channels, set.pixels.size(),
        set.labels.size(), info.channels));
  }
  for (std::int64_t i = 0; i < set.count; ++i) {
    if (set.labels[i] < 0 || set.labels[i] >= info.num_classes) {
      throw DataError(fmt::format("dataset '{}': label {} of {} image {} is outside 0..{}",
                                  info.name, set.labels[i], split, i, info.num_classes - 1));
    }
  }
}

// Turns a batch of uint8 NHWC images into float NCHW in [0, 1] at the cell's resolution.
// NHWC memory permuted to NCHW is already channels-last, so no copy is made for layout.
torch::Tensor to_model_input(const torch::Tensor& batch_uint8, std::int64_t resolution,
                             bool channels_last, const torch::Device& device) {
  torch::Tensor images = batch_uint8.to(device).permute({0, 3, 1, 2}).to(torch::kFloat32).div_(255.0);
  if (images.size(2) != resolution || images.size(3) != resolution) {
    const bool shrinking = images.size(2) > resolution;
    images = torch::nn::functional::interpolate(
        images, torch::nn::functional::InterpolateFuncOptions()
                    .size(std::vector<std::int64_t>{resolution, resolution})
                    .mode(torch::kBilinear)
                    .align_corners(false)
                    .antialias(shrinking));
  }
  return channels_last ? images.contiguous(torch::MemoryFormat::ChannelsLast) : images.contiguous();
}

// LibTorch's C++ Module has no .to(memory_format): convert each 4-d parameter and buffer.
void to_channels_last(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& parameter : model.parameters()) {
    if (parameter.dim() == 4) parameter.set_data(parameter.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

std::pair<std::int64_t, std::int64_t> count_parameters(torch::nn::Module& model) {
  std::int64_t trainable = 0;
  std::int64_t total = 0;
  for (const auto& parameter : model.parameters()) {
    total += parameter.numel();
    if (parameter.requires_grad()) trainable += parameter.numel();
  }
  for (const auto& buffer : model.buffers()) {
    if (buffer.is_floating_point()) total += buffer.numel();
  }
  return {trainable, total};
}

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

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainSettings& train,
                                                        const std::vector<torch::Tensor>& parameters) {
  if (train.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(train.lr).momentum(train.momentum).weight_decay(train.weight_decay));
  }
  if (train.optimizer == "adamw") {
    return std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(train.lr).weight_decay(train.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(train.lr).weight_decay(train.weight_decay));
}

double learning_rate(torch::optim::Optimizer& optimizer) {
  return optimizer.param_groups().front().options().get_lr();
}

void scale_learning_rate(torch::optim::Optimizer& optimizer, double factor) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(group.options().get_lr() * factor);
}

// ReduceLROnPlateau as Keras and PyTorch define it (mode follows the monitor).
class PlateauScheduler {
 public:
  PlateauScheduler(double factor, std::int64_t patience) : factor_(factor), patience_(patience) {}
  // `value` improves when it is lower (losses); pass -accuracy for accuracies.
  bool step(double value, torch::optim::Optimizer& optimizer) {
    if (value < best_) {
      best_ = value;
      bad_epochs_ = 0;
      return false;
    }
    if (++bad_epochs_ > patience_) {
      scale_learning_rate(optimizer, factor_);
      bad_epochs_ = 0;
      return true;
    }
    return false;
  }

 private:
  double factor_;
  std::int64_t patience_;
  double best_ = std::numeric_limits<double>::infinity();
  std::int64_t bad_epochs_ = 0;
};

// A copy of every parameter and buffer: the best-validation weights.
using Snapshot = std::vector<torch::Tensor>;

Snapshot snapshot(torch::nn::Module& model) {
  Snapshot copy;
  for (const auto& tensor : model.parameters()) copy.push_back(tensor.detach().clone());
  for (const auto& tensor : model.buffers()) copy.push_back(tensor.detach().clone());
  return copy;
}

void restore(torch::nn::Module& model, const Snapshot& copy) {
  torch::NoGradGuard no_grad;
  std::size_t i = 0;
  for (auto& tensor : model.parameters()) tensor.copy_(copy[i++]);
  for (auto& tensor : model.buffers()) tensor.copy_(copy[i++]);
}

struct Evaluation {
  double loss = 0;
  double accuracy = 0;
  torch::Tensor probabilities;  // (N, classes) float32 on the CPU
};

Evaluation evaluate(Model& model, const ImageSet& set, const TrainSettings& train,
                    std::int64_t resolution, const torch::Device& device) {
  model.eval();
  c10::InferenceMode inference;
  const torch::Tensor pixels = pixels_of(set);
  const torch::Tensor labels = labels_of(set);
  std::vector<torch::Tensor> probabilities;
  double loss_sum = 0;
  std::int64_t correct = 0;
  for (std::int64_t start = 0; start < set.count; start += train.eval_batch_size) {
    if (stop_requested()) throw Interrupted("stopped by a signal during evaluation");
    const std::int64_t end = std::min(start + train.eval_batch_size, set.count);
    const torch::Tensor images = to_model_input(pixels.slice(0, start, end), resolution, train.channels_last, device);
    const torch::Tensor target = labels.slice(0, start, end).to(device);
    const torch::Tensor logits = model.forward(images).to(torch::kFloat32);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(target).sum().item<std::int64_t>();
    probabilities.push_back(torch::softmax(logits, 1).to(torch::kCPU));
  }
  return {loss_sum / set.count, static_cast<double>(correct) / set.count,
          torch::cat(probabilities).contiguous()};
}

void add_metrics(const std::vector<std::shared_ptr<Metric>>& metrics, const std::string& split,
                 const Evaluation& evaluation, const ImageSet& set, RunResult& result) {
  ScoredSamples samples;
  samples.scores = evaluation.probabilities.data_ptr<float>();
  samples.labels = set.labels.data();
  samples.count = set.count;
  samples.num_classes = evaluation.probabilities.size(1);
  result.metrics.push_back({split, "loss", evaluation.loss});
  for (const auto& metric : metrics) {
    const MetricResults computed = metric->compute(samples);
    for (const auto& [name, value] : computed.scalars) result.metrics.push_back({split, name, value});
    for (const auto& matrix : computed.matrices) result.matrices.push_back({split, matrix});
  }
}

}  // namespace

ExecutionContext prepare_execution(const TrainSettings& train) {
  ExecutionContext context;
  const bool cuda = torch::cuda::is_available();
  if (train.device == "cuda" && !cuda) {
    throw ConfigError("train.device is 'cuda', but this LibTorch has no usable CUDA device "
                      "(Debian's libtorch is CPU-only); use device: auto or cpu");
  }
  context.device = (train.device == "cuda" || (train.device == "auto" && cuda)) ? "cuda" : "cpu";
  // LibTorch's default on these VMs is one thread: always set it explicitly.
  const auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  context.threads = train.threads > 0 ? train.threads : cores;
  torch::set_num_threads(static_cast<int>(context.threads));
  context.torch_version = TORCH_VERSION;
  return context;
}

std::int64_t validate_model(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info) {
  auto model = create_model(registry, cell.model, cell.model_options, model_input(cell, info));
  return count_parameters(*model).first;
}

RunResult train_and_evaluate(const Cell& cell, const PluginRegistry& registry,
                             const DatasetInfo& info, const DatasetSplits& data,
                             const std::vector<std::shared_ptr<Metric>>& metrics,
                             const ExecutionContext& context, TrainingObserver& observer) {
  check_split(data.train, "train", info);
  check_split(data.val, "val", info);
  check_split(data.test, "test", info);
  const TrainSettings& train = cell.train;
  const torch::Device device(context.device);

  // Weight initialisation and dropout draw from the global generator; shuffling has its
  // own, so that two arms with the same seed see the same batches in the same order.
  torch::manual_seed(static_cast<std::uint64_t>(cell.seed));
  at::Generator shuffle_generator = at::detail::createCPUGenerator(static_cast<std::uint64_t>(cell.seed));

  auto model = create_model(registry, cell.model, cell.model_options, model_input(cell, info));
  model->to(device);
  if (train.channels_last) to_channels_last(*model);
  RunResult result;
  std::tie(result.params_trainable, result.params_total) = count_parameters(*model);

  auto optimizer = make_optimizer(train, model->parameters());
  PlateauScheduler scheduler(train.scheduler_factor, train.scheduler_patience);
  torch::Tensor class_weights;
  if (train.class_weights == "balanced") class_weights = balanced_class_weights(data.train, info.num_classes).to(device);

  const torch::Tensor train_pixels = pixels_of(data.train);
  const torch::Tensor train_labels = labels_of(data.train);
  const std::int64_t batches = (data.train.count + train.batch_size - 1) / train.batch_size;
  const bool monitor_loss = train.early_stopping_monitor == "val_loss";

  Snapshot best_weights = snapshot(*model);
  double best_monitor = std::numeric_limits<double>::infinity();  // lower is better
  std::int64_t epochs_without_improvement = 0;
  const auto training_start = Clock::now();

  for (std::int64_t epoch = 1; epoch <= train.max_epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    model->train();
    const torch::Tensor order = torch::randperm(data.train.count, shuffle_generator, torch::kInt64);
    double loss_sum = 0;
    std::int64_t correct = 0;
    for (std::int64_t batch = 0; batch < batches; ++batch) {
      if (stop_requested()) throw Interrupted(fmt::format("stopped by a signal in epoch {}", epoch));
      const torch::Tensor indices = order.slice(0, batch * train.batch_size,
                                                std::min((batch + 1) * train.batch_size, data.train.count));
      const torch::Tensor images = to_model_input(train_pixels.index_select(0, indices), cell.resolution,
                                                  train.channels_last, device);
      const torch::Tensor target = train_labels.index_select(0, indices).to(device);
      optimizer->zero_grad();
      const torch::Tensor logits = model->forward(images);
      auto loss_options = torch::nn::functional::CrossEntropyFuncOptions();
      if (class_weights.defined()) loss_options.weight(class_weights);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, target, loss_options);
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        throw TrainingError(fmt::format("the training loss became {} in epoch {}, step {} of {} "
                                        "(learning rate {:g}); lower train.optimizer.lr or check "
                                        "the data", loss_value, epoch, batch + 1, batches,
                                        learning_rate(*optimizer)));
      }
      loss.backward();
      optimizer->step();
      loss_sum += loss_value * indices.size(0);
      correct += logits.detach().argmax(1).eq(target).sum().item<std::int64_t>();
      observer.on_batch(epoch, batch + 1, batches);
    }
    const double train_seconds = seconds_since(epoch_start);

    const Evaluation val = evaluate(*model, data.val, train, cell.resolution, device);
    EpochResult record;
    record.epoch = epoch;
    record.max_epochs = train.max_epochs;
    record.train_loss = loss_sum / data.train.count;
    record.train_accuracy = static_cast<double>(correct) / data.train.count;
    record.val_loss = val.loss;
    record.val_accuracy = val.accuracy;
    record.learning_rate = learning_rate(*optimizer);
    record.seconds = seconds_since(epoch_start);
    record.images_per_second = data.train.count / train_seconds;
    if (!std::isfinite(val.loss)) {
      throw TrainingError(fmt::format("the validation loss became {} after epoch {}", val.loss, epoch));
    }

    const double monitor = monitor_loss ? val.loss : -val.accuracy;
    record.improved = monitor < best_monitor;
    if (record.improved) {
      best_monitor = monitor;
      best_weights = snapshot(*model);
      result.best_epoch = epoch;
      epochs_without_improvement = 0;
    } else {
      ++epochs_without_improvement;
    }
    result.epochs = epoch;
    observer.on_epoch(record);
    if (train.scheduler == "plateau") scheduler.step(monitor, *optimizer);
    if (train.early_stopping_patience > 0 && epochs_without_improvement >= train.early_stopping_patience) break;
  }
  result.train_seconds = seconds_since(training_start);

  restore(*model, best_weights);
  add_metrics(metrics, "val", evaluate(*model, data.val, train, cell.resolution, device), data.val, result);
  const auto test_start = Clock::now();
  const Evaluation test = evaluate(*model, data.test, train, cell.resolution, device);
  result.test_seconds = seconds_since(test_start);
  add_metrics(metrics, "test", test, data.test, result);
  return result;
}

}  // namespace ablate
