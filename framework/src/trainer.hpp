// Training and evaluation of one grid cell. LibTorch-free header: the runner includes it
// without paying for LibTorch's headers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ablate/dataset.hpp"
#include "ablate/metric.hpp"
#include "grid.hpp"
#include "plugin_registry.hpp"

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

struct RunResult {
  std::int64_t params_trainable = 0;
  std::int64_t params_total = 0;  // parameters plus floating-point buffers (BatchNorm statistics)
  std::int64_t epochs = 0;
  std::int64_t best_epoch = 0;
  double train_seconds = 0;
  double test_seconds = 0;
  std::vector<SplitMetric> metrics;
  std::vector<SplitMatrix> matrices;
};

// What the trainer tells the outside world while it works.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_epoch(const EpochResult& epoch) = 0;
  // Called after every training batch; keep it cheap (rate-limit anything slow).
  virtual void on_batch(std::int64_t epoch, std::int64_t batch, std::int64_t batches) = 0;
};

// Where and how a cell runs, resolved once per process.
struct ExecutionContext {
  std::string device;   // "cpu" or "cuda"
  std::int64_t threads = 1;
  std::string torch_version;
};

// Resolves `auto` and thread counts, and applies them to LibTorch.
ExecutionContext prepare_execution(const TrainSettings& train);

// Trains the cell's model on `data`, keeps the best-validation weights, evaluates them
// on val and test with every metric, and returns the numbers. Throws TrainingError for a
// non-finite loss (naming epoch and step), Interrupted when a stop was requested.
RunResult train_and_evaluate(const Cell& cell, const PluginRegistry& registry,
                             const DatasetInfo& info, const DatasetSplits& data,
                             const std::vector<std::shared_ptr<Metric>>& metrics,
                             const ExecutionContext& context, TrainingObserver& observer);

// Builds the cell's model once to validate its options before any training starts.
// Returns the trainable parameter count.
std::int64_t validate_model(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info);

}  // namespace ablate
