// Training and evaluation of one grid cell: the engine's entry points. LibTorch-free
// header: the runner includes it without paying for LibTorch's headers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ablate/dataset.hpp"
#include "ablate/metric.hpp"
#include "config/grid.hpp"
#include "config/plugin_registry.hpp"
#include "engine/execution.hpp"

namespace ablate {

struct EpochResult {
  std::int64_t epoch = 0;  // 1-based
  std::int64_t max_epochs = 0;
  double train_loss = 0;
  double train_accuracy = 0;
  double val_loss = 0;
  double val_accuracy = 0;
  double learning_rate = 0;
  double seconds = 0;
  double images_per_second = 0;
  bool improved = false;  // the early-stopping monitor improved: these weights are kept
};

struct SplitMetric {
  std::string split;  // "val" or "test"
  std::string name;
  double value = 0;
};

struct SplitMatrix {
  std::string split;
  MetricMatrix matrix;
};

// Softmax scores of every sample of a split.
struct SplitPredictions {
  std::string split;
  std::int64_t count = 0;
  std::int64_t num_classes = 0;
  std::vector<std::int32_t> labels;
  std::vector<float> scores;  // count x num_classes
};

struct RunResult {
  std::int64_t params_trainable = 0;
  std::int64_t params_total = 0;  // parameters plus floating-point buffers (BatchNorm statistics)
  std::int64_t params_bytes = 0;
  double flops_per_image = 0;
  std::string layer_summary_json;
  std::int64_t epochs = 0;
  std::int64_t best_epoch = 0;
  double train_seconds = 0;
  double mean_epoch_seconds = 0;
  double test_seconds = 0;  // inference over the whole test split
  double latency_ms = 0;    // median per image at batch 1
  std::int64_t peak_rss_bytes = 0;
  std::int64_t peak_cuda_bytes = -1;  // -1: not on a GPU
  std::vector<SplitMetric> metrics;
  std::vector<SplitMatrix> matrices;
  std::vector<SplitPredictions> predictions;
};

// What the trainer tells the outside world while it works.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_epoch(const EpochResult& epoch) = 0;
  // Called after every training batch; keep it cheap (rate-limit anything slow).
  virtual void on_batch(std::int64_t epoch, std::int64_t batch, std::int64_t batches) = 0;
};

// Trains the cell's model on `data`, keeps the best-validation weights, evaluates them
// on val and test with every metric, and returns the numbers. Saves the best weights to
// `checkpoint_path` unless it is empty. With train.images: disk the pixels are moved out
// of `data` into a scratch file next to the checkpoint (or in the temp folder). Throws
// TrainingError for a non-finite loss (naming epoch and step), Interrupted when a stop
// was requested.
RunResult train_and_evaluate(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info,
                             DatasetSplits& data, const std::vector<std::shared_ptr<Metric>>& metrics,
                             const ExecutionContext& context, TrainingObserver& observer,
                             const std::string& checkpoint_path = "");

// Loads a checkpoint written by train_and_evaluate and evaluates it on val and test:
// the metrics and predictions of the returned result are filled in.
RunResult evaluate_checkpoint(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info,
                              const DatasetSplits& data, const std::vector<std::shared_ptr<Metric>>& metrics,
                              const ExecutionContext& context, const std::string& checkpoint_path);

// Builds the cell's model once to validate its options before any training starts
// (defined, with describe_model, in model_factory.cpp).
// Returns the trainable parameter count.
std::int64_t validate_model(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info);

// The Keras-style summary of a model plugin, for `runner --describe`.
std::string describe_model(const PluginRegistry& registry, const std::string& model, const YAML::Node& options,
                           const ModelInput& input);

}  // namespace ablate
