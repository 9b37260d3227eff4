// Evaluating a cell's model: loss, accuracy and softmax scores of a split, the metric
// plugins' numbers, what the run stores of each split, and latency at batch 1.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "ablate/dataset.hpp"
#include "ablate/metric.hpp"
#include "ablate/model.hpp"
#include "config/config.hpp"
#include "engine/input_pipeline.hpp"
#include "engine/split_pixels.hpp"
#include "engine/trainer.hpp"

namespace ablate {

struct Evaluation {
  double loss = 0;
  double accuracy = 0;
  torch::Tensor probabilities;  // (N, classes) float32 on the CPU
};

// Evaluates one cell's model, whichever weights it holds at the time.
class Evaluator {
 public:
  // All references must outlive the evaluator. `model_name` names the plugin in errors.
  Evaluator(Model& model, const std::string& model_name, const InputPipeline& pipeline, const TrainSettings& train,
            const std::vector<std::shared_ptr<Metric>>& metrics, torch::Device device);

  // Loss, accuracy and scores over a whole split, in evaluation mode (and with the
  // evaluation fusion where it pays). Throws Interrupted when a stop was requested.
  Evaluation evaluate(const ImageSet& set, const SplitPixels& pixels, const char* split) const;

  // Every metric plugin's numbers for an evaluation of `set`.
  MetricResults compute_metrics(const Evaluation& evaluation, const ImageSet& set, const char* split) const;

  // Adds the split's loss, metrics, matrices and predictions to `result`.
  void record(const char* split, const Evaluation& evaluation, const ImageSet& set, RunResult& result) const;

  // Median latency of one image through the model, after a warm-up.
  double latency_ms(const ImageSet& test, const SplitPixels& pixels) const;

 private:
  Model& model_;
  const std::string& model_name_;
  const InputPipeline& pipeline_;
  const TrainSettings& train_;
  const std::vector<std::shared_ptr<Metric>>& metrics_;
  torch::Device device_;
};

// The macro one-vs-rest ROC AUC from the metric plugins (the `val_auc` monitor); throws
// ConfigError when no metric plugin computes it.
double auc_of(const MetricResults& results);

}  // namespace ablate
