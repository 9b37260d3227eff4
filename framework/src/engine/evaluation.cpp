// Evaluating a cell's model (evaluation.hpp).
#include "engine/evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "config/interrupt.hpp"
#include "config/invoke_plugin.hpp"
#include "engine/evaluation_fusion.hpp"
#include "engine/model_factory.hpp"
#include "engine/process_tuning.hpp"
#include "engine/split_tensors.hpp"

namespace ablate {

namespace {

// The evaluation fusion while it lives, when train.fast_paths allows it.
std::optional<EvaluationFusion> fuse_for_evaluation(Model& model, const TrainSettings& train) {
  if (!train.fast_paths) return std::nullopt;
  return std::optional<EvaluationFusion>(std::in_place, model);
}

}  // namespace

Evaluator::Evaluator(Model& model, const std::string& model_name, const InputPipeline& pipeline,
                     const TrainSettings& train, const std::vector<std::shared_ptr<Metric>>& metrics,
                     torch::Device device)
    : model_(model), model_name_(model_name), pipeline_(pipeline), train_(train), metrics_(metrics), device_(device) {}

Evaluation Evaluator::evaluate(const ImageSet& set, const SplitPixels& pixels, const char* split) const {
  model_.eval();
  c10::InferenceMode inference;
  const auto fusion = fuse_for_evaluation(model_, train_);
  const std::int64_t batch_size = train_.eval_batch_size;
  const torch::Tensor labels = labels_of(set);
  std::vector<torch::Tensor> probabilities;
  // Sums stay on the device and are read once: no wait for a GPU after every batch.
  const auto on_device = torch::TensorOptions().device(device_);
  torch::Tensor loss_sum = torch::zeros({}, on_device.dtype(torch::kFloat64));
  torch::Tensor correct = torch::zeros({}, on_device.dtype(torch::kInt64));
  for (std::int64_t start = 0; start < set.count; start += batch_size) {
    if (stop_requested()) throw Interrupted("stopped by a signal during evaluation");
    const std::int64_t end = std::min(start + batch_size, set.count);
    const torch::Tensor images = pipeline_.eval_batch(range_of_images(pixels, set, start, end));
    const torch::Tensor target = pipeline_.to_device(labels.slice(0, start, end));
    const torch::Tensor logits = plugin_forward(model_, model_name_, images, [&] {
                                   return fmt::format("evaluating the {} split", split);
                                 }).to(torch::kFloat32);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .to(torch::kFloat64);
    correct += logits.argmax(1).eq(target).sum();
    probabilities.push_back(torch::softmax(logits, 1));
    release_free_memory_if_large();
  }
  return {loss_sum.item<double>() / set.count, static_cast<double>(correct.item<std::int64_t>()) / set.count,
          torch::cat(probabilities).to(torch::kCPU).contiguous()};
}

MetricResults Evaluator::compute_metrics(const Evaluation& evaluation, const ImageSet& set, const char* split) const {
  ScoredSamples samples;
  samples.scores = evaluation.probabilities.data_ptr<float>();
  samples.labels = set.labels.data();
  samples.count = set.count;
  samples.num_classes = evaluation.probabilities.size(1);
  MetricResults all;
  for (const auto& metric : metrics_) {
    const MetricResults computed = invoke_plugin(
        [&] { return metric->compute(samples); },
        [&] { return fmt::format("a metric plugin failed to compute its metrics on the {} split", split); });
    all.scalars.insert(all.scalars.end(), computed.scalars.begin(), computed.scalars.end());
    all.matrices.insert(all.matrices.end(), computed.matrices.begin(), computed.matrices.end());
  }
  return all;
}

void Evaluator::record(const char* split, const Evaluation& evaluation, const ImageSet& set, RunResult& result) const {
  result.metrics.push_back({split, "loss", evaluation.loss});
  const MetricResults computed = compute_metrics(evaluation, set, split);
  for (const auto& [name, value] : computed.scalars) result.metrics.push_back({split, name, value});
  for (const auto& matrix : computed.matrices) result.matrices.push_back({split, matrix});
  SplitPredictions predictions;
  predictions.split = split;
  predictions.count = set.count;
  predictions.num_classes = evaluation.probabilities.size(1);
  predictions.labels.assign(set.labels.begin(), set.labels.end());
  const float* scores = evaluation.probabilities.data_ptr<float>();
  predictions.scores.assign(scores, scores + evaluation.probabilities.numel());
  result.predictions.push_back(std::move(predictions));
}

double Evaluator::latency_ms(const ImageSet& test, const SplitPixels& pixels) const {
  using Clock = std::chrono::steady_clock;
  model_.eval();
  c10::InferenceMode inference;
  const auto fusion = fuse_for_evaluation(model_, train_);
  const torch::Tensor image = pipeline_.eval_batch(range_of_images(pixels, test, 0, 1));
  const auto forward = [&] {
    return plugin_forward(model_, model_name_, image, [] { return std::string("measuring latency"); });
  };
  constexpr int kWarmup = 3;
  constexpr int kRepeats = 15;
  for (int i = 0; i < kWarmup; ++i) forward();
  std::vector<double> times;
  for (int i = 0; i < kRepeats; ++i) {
    const auto start = Clock::now();
    forward().to(torch::kCPU);
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + kRepeats / 2, times.end());
  return times[kRepeats / 2];
}

double auc_of(const MetricResults& results) {
  for (const auto& [name, value] : results.scalars) {
    if (name == "roc_auc_ovr_macro") return value;
  }
  throw ConfigError("the val_auc monitor needs a metric plugin that computes roc_auc_ovr_macro "
                    "(add `classification` to metrics:)");
}

}  // namespace ablate
