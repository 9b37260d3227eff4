// Training and evaluation of one grid cell with LibTorch: seed, build, epochs, restore the
// best weights, evaluate. What each step uses lives in its own file: evaluation.cpp,
// checkpoint.cpp, loss.cpp, optimization.cpp, model_factory.cpp, split_tensors.cpp,
// process_tuning.cpp.
#include "engine/trainer.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <torch/torch.h>

#include "config/interrupt.hpp"
#include "engine/autocast_scope.hpp"
#include "engine/checkpoint.hpp"
#include "engine/evaluation.hpp"
#include "engine/input_pipeline.hpp"
#include "engine/libtorch_compat.hpp"
#include "engine/loss.hpp"
#include "engine/model_factory.hpp"
#include "engine/optimization.hpp"
#include "engine/process_tuning.hpp"
#include "engine/seed_streams.hpp"
#include "engine/split_pixels.hpp"
#include "engine/split_tensors.hpp"

namespace ablate {

namespace {

using Clock = std::chrono::steady_clock;

// On a GPU, training losses are read (and checked for NaN) every this many steps.
constexpr std::int64_t kCudaLossCheckEvery = 50;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// One pass over the training split, train.steps_per_epoch batches at most.
class EpochTrainer {
 public:
  EpochTrainer(const Cell& cell, Model& model, torch::optim::Optimizer& optimizer, const InputPipeline& pipeline,
               const ImageSet& train_split, const SplitPixels& pixels, const DatasetInfo& info,
               const torch::Device& device)
      : cell_(cell),
        train_(cell.train),
        model_(model),
        optimizer_(optimizer),
        pipeline_(pipeline),
        split_(train_split),
        pixels_(pixels),
        labels_(labels_of(train_split)),
        loss_options_(training_loss_options(cell.train, train_split, info.num_classes, device)),
        device_(device),
        // Reading a loss on the host waits for the device. On the CPU that costs nothing and
        // every step is checked before its update; on a GPU the losses of kCudaLossCheckEvery
        // steps are read at once, and a non-finite one still names its own step.
        check_every_(device.is_cuda() ? kCudaLossCheckEvery : 1) {
    batches_ = (split_.count + train_.batch_size - 1) / train_.batch_size;
    if (train_.steps_per_epoch > 0) batches_ = std::min(batches_, train_.steps_per_epoch);
    images_per_epoch_ = std::min(split_.count, batches_ * train_.batch_size);
  }

  // Trains one epoch in the order `order_generator` draws, augmented as `augment_generator`
  // draws (they may be one generator: seed_streams.hpp); fills the record's train loss,
  // accuracy, speed and learning rate.
  EpochResult train(std::int64_t epoch, at::Generator& order_generator, at::Generator& augment_generator,
                    TrainingObserver& observer) {
    const auto start = Clock::now();
    model_.train();
    const torch::Tensor order = torch::randperm(split_.count, order_generator, torch::kInt64);
    double loss_sum = 0;
    // Correct predictions are counted on the device and read once per epoch.
    torch::Tensor correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device_));
    PendingLosses pending;
    for (std::int64_t batch = 0; batch < batches_; ++batch) {
      if (stop_requested()) throw Interrupted(fmt::format("stopped by a signal in epoch {}", epoch));
      const torch::Tensor indices =
          order.slice(0, batch * train_.batch_size, std::min((batch + 1) * train_.batch_size, split_.count));
      const torch::Tensor images =
          pipeline_.train_batch(gather_images(pipeline_, pixels_, split_, indices), augment_generator);
      const torch::Tensor target = pipeline_.gather(labels_, indices);
      drop_gradients(optimizer_);
      torch::Tensor logits;
      {
        const AutocastScope autocast(train_.amp == Amp::kBf16, device_);
        logits = plugin_forward(model_, cell_.model, images, [&] {
                   return fmt::format("epoch {}, step {}", epoch, batch + 1);
                 }).to(torch::kFloat32);
      }
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, target, loss_options_);
      pending.add(loss.detach(), batch + 1, indices.size(0));
      if (static_cast<std::int64_t>(pending.size()) >= check_every_) {
        loss_sum += pending.check_and_sum(epoch, batches_, learning_rate(optimizer_));
      }
      loss.backward();
      if (train_.grad_clip_norm > 0) torch::nn::utils::clip_grad_norm_(model_.parameters(), train_.grad_clip_norm);
      optimizer_.step();
      correct += logits.detach().argmax(1).eq(target).sum();
      observer.on_batch(epoch, batch + 1, batches_);
    }
    loss_sum += pending.check_and_sum(epoch, batches_, learning_rate(optimizer_));
    const auto images = static_cast<double>(images_per_epoch_);

    EpochResult record;
    record.epoch = epoch;
    record.max_epochs = train_.max_epochs;
    record.train_loss = loss_sum / images;
    record.train_accuracy = static_cast<double>(correct.item<std::int64_t>()) / images;
    record.images_per_second = images / seconds_since(start);
    record.learning_rate = learning_rate(optimizer_);
    release_free_memory();  // training's activations, before evaluation's larger batches
    return record;
  }

 private:
  const Cell& cell_;
  const TrainSettings& train_;
  Model& model_;
  torch::optim::Optimizer& optimizer_;
  const InputPipeline& pipeline_;
  const ImageSet& split_;
  const SplitPixels& pixels_;
  const torch::Tensor labels_;
  const torch::nn::functional::CrossEntropyFuncOptions loss_options_;
  const torch::Device device_;
  const std::int64_t check_every_;
  std::int64_t batches_ = 0;
  std::int64_t images_per_epoch_ = 0;
};

// Early stopping on train.early_stopping's monitor, keeping the best weights seen.
class EarlyStopping {
 public:
  EarlyStopping(const TrainSettings& train, Model& model) : train_(train), best_weights_(model) {}

  // Records an epoch's monitors; returns whether they improved (its weights are kept).
  bool update(std::int64_t epoch, const EpochMonitors& monitors, Model& model) {
    const double monitor = monitors.lower_is_better(train_.early_stopping_monitor);
    if (!(monitor < best_monitor_)) {
      ++epochs_without_improvement_;
      return false;
    }
    best_monitor_ = monitor;
    best_weights_ = WeightSnapshot(model);
    best_epoch_ = epoch;
    epochs_without_improvement_ = 0;
    return true;
  }

  bool should_stop() const {
    return train_.early_stopping_patience > 0 && epochs_without_improvement_ >= train_.early_stopping_patience;
  }
  std::int64_t best_epoch() const { return best_epoch_; }
  void restore_best(Model& model) const { best_weights_.restore_into(model); }

 private:
  const TrainSettings& train_;
  WeightSnapshot best_weights_;
  double best_monitor_ = std::numeric_limits<double>::infinity();  // lower is better
  std::int64_t best_epoch_ = 0;
  std::int64_t epochs_without_improvement_ = 0;
};

// Validation after an epoch: fills the record's val loss and accuracy and returns what the
// schedule and early stopping watch. The AUC is computed only when one of them needs it.
EpochMonitors validate(const Evaluator& evaluator, const ImageSet& val, const SplitPixels& pixels,
                       const TrainSettings& train, EpochResult& record) {
  const Evaluation evaluation = evaluator.evaluate(val, pixels, "val");
  release_free_memory();
  if (!std::isfinite(evaluation.loss)) {
    throw TrainingError(fmt::format("the validation loss became {} after epoch {}", evaluation.loss, record.epoch));
  }
  record.val_loss = evaluation.loss;
  record.val_accuracy = evaluation.accuracy;
  EpochMonitors monitors{evaluation.loss, evaluation.accuracy};
  const bool need_val_auc = train.early_stopping_monitor == Monitor::kValAuc ||
                            (train.scheduler == Scheduler::kPlateau && train.scheduler_monitor == Monitor::kValAuc);
  if (need_val_auc) monitors.val_auc = auc_of(evaluator.compute_metrics(evaluation, val, "val"));
  return monitors;
}

// Scores, metrics and predictions of val and test, the test split's inference time, and
// latency at batch 1.
void evaluate_best(const Evaluator& evaluator, const DatasetSplits& data, const CellPixels& pixels, RunResult& result) {
  evaluator.record("val", evaluator.evaluate(data.val, pixels.val, "val"), data.val, result);
  const auto test_start = Clock::now();
  const Evaluation test = evaluator.evaluate(data.test, pixels.test, "test");
  result.test_seconds = seconds_since(test_start);
  evaluator.record("test", test, data.test, result);
  result.latency_ms = evaluator.latency_ms(data.test, pixels.test);
}

std::int64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

// Peak memory allocated on the GPU by LibTorch's caching allocator; -1 off the GPU.
std::int64_t peak_cuda_bytes(const torch::Device& device) {
  if (!device.is_cuda()) return -1;
  return libtorch::peak_cuda_allocated_bytes(device.has_index() ? device.index() : 0);
}

// train.images: disk puts the scratch file next to the checkpoint (on the store's disk).
std::string scratch_folder(const std::string& checkpoint_path) {
  return checkpoint_path.empty() ? std::filesystem::temp_directory_path().string()
                                 : std::filesystem::path(checkpoint_path).parent_path().string();
}

}  // namespace

RunResult train_and_evaluate(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info,
                             DatasetSplits& data, const std::vector<std::shared_ptr<Metric>>& metrics,
                             const ExecutionContext& context, TrainingObserver& observer,
                             const std::string& checkpoint_path) {
  check_split(data.train, "train", info);
  check_split(data.val, "val", info);
  check_split(data.test, "test", info);
  const TrainSettings& train = cell.train;
  const torch::Device device(context.device);

  // Weight initialisation and dropout draw from the global generator; shuffling and
  // augmentation from their own, so that two arms with the same seed see the same
  // batches in the same order. train.vary says which of them the seed drives.
  SeedStreams streams(cell.seed, train.vary);
  streams.redraw_split(data.train, data.val);  // before anything reads the train split
  streams.seed_initialisation();

  RunResult result;
  auto model = build_cell_model(cell, registry, info, device, result);
  streams.seed_dropout();
  const InputPipeline pipeline(train, data.train, cell.resolution, device);  // reads the train pixels' statistics
  const CellPixels pixels = place_pixels(data, train.images, scratch_folder(checkpoint_path));
  if (train.images == Images::kDisk) release_free_memory();  // the pixels moved to the scratch file
  auto optimizer = make_optimizer(train, model->parameters());
  LearningRateSchedule schedule(train, *optimizer);
  EpochTrainer epoch_trainer(cell, *model, *optimizer, pipeline, data.train, pixels.train, info, device);
  const Evaluator evaluator(*model, cell.model, pipeline, train, metrics, device);
  EarlyStopping early_stopping(train, *model);

  const auto training_start = Clock::now();
  double epoch_seconds_sum = 0;
  for (std::int64_t epoch = 1; epoch <= train.max_epochs && !early_stopping.should_stop(); ++epoch) {
    const auto epoch_start = Clock::now();
    EpochResult record = epoch_trainer.train(epoch, streams.order(), streams.augment(), observer);
    const EpochMonitors monitors = validate(evaluator, data.val, pixels.val, train, record);
    record.seconds = seconds_since(epoch_start);
    record.improved = early_stopping.update(epoch, monitors, *model);
    epoch_seconds_sum += record.seconds;
    result.epochs = epoch;
    observer.on_epoch(record);
    schedule.after_epoch(epoch, monitors);
  }
  result.train_seconds = seconds_since(training_start);
  result.mean_epoch_seconds = epoch_seconds_sum / static_cast<double>(result.epochs);
  result.best_epoch = early_stopping.best_epoch();

  early_stopping.restore_best(*model);
  if (!checkpoint_path.empty()) save_checkpoint(*model, checkpoint_path);
  evaluate_best(evaluator, data, pixels, result);
  result.peak_rss_bytes = peak_rss_bytes();
  result.peak_cuda_bytes = peak_cuda_bytes(device);
  return result;
}

RunResult evaluate_checkpoint(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info,
                              const DatasetSplits& data, const std::vector<std::shared_ptr<Metric>>& metrics,
                              const ExecutionContext& context, const std::string& checkpoint_path) {
  check_split(data.val, "val", info);
  check_split(data.test, "test", info);
  const torch::Device device(context.device);
  // The train and val splits the run had: with train.vary's split, copies redrawn from its seed.
  ImageSet redrawn_train, redrawn_val;
  const bool redrawn = cell.train.vary.varies(SeedSource::kSplit);
  if (redrawn) {
    redrawn_train = data.train;
    redrawn_val = data.val;
    SeedStreams(cell.seed, cell.train.vary).redraw_split(redrawn_train, redrawn_val);
  }
  const ImageSet& train_split = redrawn ? redrawn_train : data.train;
  const ImageSet& val_split = redrawn ? redrawn_val : data.val;
  RunResult result;
  auto model = build_cell_model(cell, registry, info, device, result);
  load_checkpoint(*model, checkpoint_path);
  if (cell.train.channels_last) to_channels_last(*model);  // loading copies into the same layout, but be sure
  // Normalisation statistics come from the train split, as in training.
  const InputPipeline pipeline(cell.train, train_split, cell.resolution, device);
  const SplitPixels val(val_split), test(data.test);
  const Evaluator evaluator(*model, cell.model, pipeline, cell.train, metrics, device);
  evaluator.record("val", evaluator.evaluate(val_split, val, "val"), val_split, result);
  evaluator.record("test", evaluator.evaluate(data.test, test, "test"), data.test, result);
  return result;
}

}  // namespace ablate
