// Training and evaluation of one grid cell with LibTorch.
#include "engine/trainer.hpp"

#include <dlfcn.h>
#include <sys/resource.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <thread>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "engine/evaluation_fusion.hpp"
#include "engine/in_place_activations.hpp"
#include "engine/input_pipeline.hpp"
#include "config/interrupt.hpp"
#include "engine/libtorch_compat.hpp"
#include "engine/model_factory.hpp"
#include "engine/model_summary.hpp"
#include "engine/optimization.hpp"
#include "engine/split_pixels.hpp"

namespace ablate {

namespace {

using Clock = std::chrono::steady_clock;

// On a GPU, training losses are read (and checked for NaN) every this many steps.
constexpr std::int64_t kCudaLossCheckEvery = 50;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

ModelInput model_input(const Cell& cell, const DatasetInfo& info) {
  return ModelInput{info.channels, cell.resolution, info.num_classes};
}

// An in-memory split as uint8 (N, H, W, C), viewed without copying its pixels.
torch::Tensor view_of(const SplitPixels& pixels, const ImageSet& set) {
  return torch::from_blob(const_cast<std::uint8_t*>(pixels.memory()), {set.count, set.height, set.width, set.channels},
                          torch::kUInt8);
}

// Images `indices` of a split, uint8 (n, H, W, C): from memory already on the device (for
// a GPU through pinned memory), from disk on the host (the pipeline moves them).
torch::Tensor gather_images(const InputPipeline& pipeline, const SplitPixels& pixels, const ImageSet& set,
                            const torch::Tensor& indices) {
  if (pixels.memory() != nullptr) return pipeline.gather(view_of(pixels, set), indices);
  torch::Tensor images = torch::empty({indices.size(0), set.height, set.width, set.channels}, torch::kUInt8);
  const torch::Tensor order = indices.contiguous();
  pixels.read(order.data_ptr<std::int64_t>(), order.size(0), images.data_ptr<std::uint8_t>());
  return images;
}

// Images start..end of a split, uint8 (n, H, W, C), on the host.
torch::Tensor range_of_images(const SplitPixels& pixels, const ImageSet& set, std::int64_t start, std::int64_t end) {
  if (pixels.memory() != nullptr) return view_of(pixels, set).slice(0, start, end);
  torch::Tensor images = torch::empty({end - start, set.height, set.width, set.channels}, torch::kUInt8);
  pixels.read_range(start, end, images.data_ptr<std::uint8_t>());
  return images;
}

torch::Tensor labels_of(const ImageSet& set) {
  return torch::from_blob(const_cast<std::int64_t*>(set.labels.data()), {set.count}, torch::kInt64);
}

void check_split(const ImageSet& set, const char* split, const DatasetInfo& info) {
  const auto expected = set.count * set.height * set.width * set.channels;
  if (set.count <= 0 || static_cast<std::int64_t>(set.pixels.size()) != expected ||
      static_cast<std::int64_t>(set.labels.size()) != set.count || set.channels != info.channels ||
      set.height != set.width) {
    throw DataError(fmt::format(
        "dataset '{}' returned an inconsistent {} split: {} images of {}x{}x{} ({} bytes, {} "
        "labels; the dataset declares {} channel(s) and images must be square)",
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

// LibTorch's C++ Module has no .to(memory_format): convert each 4-d parameter.
void to_channels_last(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& parameter : model.parameters()) {
    if (parameter.dim() == 4) parameter.set_data(parameter.contiguous(torch::MemoryFormat::ChannelsLast));
  }
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

// Mixed precision for the forward pass (train.amp: bf16); losses stay float32.
class AutocastScope {
 public:
  AutocastScope(bool enabled, const torch::Device& device) : enabled_(enabled), device_(device.type()) {
    if (enabled_) libtorch::set_autocast(device_, true, at::kBFloat16);
  }
  ~AutocastScope() {
    if (!enabled_) return;
    libtorch::set_autocast(device_, false, at::kBFloat16);
    at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
  c10::DeviceType device_;
};

// Training losses not yet read on the host: (loss, 1-based step, batch images).
class PendingLosses {
 public:
  void add(torch::Tensor loss, std::int64_t step, std::int64_t images) {
    losses_.push_back(std::move(loss));
    steps_.push_back(step);
    images_.push_back(images);
  }
  std::size_t size() const { return losses_.size(); }

  // Reads the pending losses in one transfer; throws TrainingError naming the first
  // non-finite one's epoch and step. Returns the sum of loss x batch images, in step order.
  double check_and_sum(std::int64_t epoch, std::int64_t steps_per_epoch, double lr) {
    if (losses_.empty()) return 0;
    const torch::Tensor values = torch::stack(losses_).to(torch::kCPU, torch::kFloat64);
    const double* value = values.data_ptr<double>();
    double sum = 0;
    for (std::size_t i = 0; i < losses_.size(); ++i) {
      if (!std::isfinite(value[i])) {
        throw TrainingError(fmt::format("the training loss became {} in epoch {}, step {} of {} "
                                        "(learning rate {:g}); lower train.optimizer.lr or check "
                                        "the data", value[i], epoch, steps_[i], steps_per_epoch, lr));
      }
      sum += value[i] * static_cast<double>(images_[i]);
    }
    losses_.clear();
    steps_.clear();
    images_.clear();
    return sum;
  }

 private:
  std::vector<torch::Tensor> losses_;
  std::vector<std::int64_t> steps_;
  std::vector<std::int64_t> images_;
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

// The allocator keeps freed buffers for reuse (tcmalloc's page heap; without tcmalloc,
// glibc's malloc tuned not to unmap, tools/runner/main.cpp), so training's activations
// stay resident when evaluation, with its larger batches, asks for blocks they do not
// fit: peak memory would be the sum of both phases. Handing the free
// pages back between phases makes it the larger of the two (and costs a few page faults).
void release_free_memory() {
  // tcmalloc, when the runner links it (its own C API, looked up so that the engine does
  // not depend on it); otherwise glibc's heap.
  using Release = void (*)();
  static const auto tcmalloc_release = reinterpret_cast<Release>(dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
  if (tcmalloc_release != nullptr) {
    tcmalloc_release();
    return;
  }
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// With glibc's malloc tuned not to unmap (a runner built without tcmalloc), evaluation
// batches of different sizes (the last one is smaller) leave holes that the next batch's
// large tensors do not fit, and the heap grows batch after batch. Handing back free pages
// once more than 1 GiB is free bounds it. Smaller batches never get here, and must not:
// re-faulting the pages of every batch made evaluation at 64x64 2x slower. Under tcmalloc
// glibc's heap stays empty and this does nothing; tcmalloc's page heap does not grow so.
void release_free_memory_if_large() {
#if defined(__GLIBC__)
  constexpr std::size_t kFreeBytesWorthReleasing = std::size_t{1} << 30;
  if (mallinfo2().fordblks > kFreeBytesWorthReleasing) malloc_trim(0);
#endif
}

struct Evaluation {
  double loss = 0;
  double accuracy = 0;
  torch::Tensor probabilities;  // (N, classes) float32 on the CPU
};

// The evaluation fusion while it lives, when train.fast_paths allows it and it is
// faster on this LibTorch.
std::optional<EvaluationFusion> fuse_for_evaluation(Model& model, const TrainSettings& train) {
  if (!train.fast_paths || !libtorch::evaluation_fusion_pays()) return std::nullopt;
  return std::optional<EvaluationFusion>(std::in_place, model);
}

Evaluation evaluate(Model& model, const ImageSet& set, const SplitPixels& pixels, const InputPipeline& pipeline,
                    const TrainSettings& train, const torch::Device& device) {
  model.eval();
  c10::InferenceMode inference;
  const auto fusion = fuse_for_evaluation(model, train);
  const std::int64_t batch_size = train.eval_batch_size;
  const torch::Tensor labels = labels_of(set);
  std::vector<torch::Tensor> probabilities;
  // Sums stay on the device and are read once: no wait for a GPU after every batch.
  const auto on_device = torch::TensorOptions().device(device);
  torch::Tensor loss_sum = torch::zeros({}, on_device.dtype(torch::kFloat64));
  torch::Tensor correct = torch::zeros({}, on_device.dtype(torch::kInt64));
  for (std::int64_t start = 0; start < set.count; start += batch_size) {
    if (stop_requested()) throw Interrupted("stopped by a signal during evaluation");
    const std::int64_t end = std::min(start + batch_size, set.count);
    const torch::Tensor images = pipeline.eval_batch(range_of_images(pixels, set, start, end));
    const torch::Tensor target = pipeline.to_device(labels.slice(0, start, end));
    const torch::Tensor logits = model.forward(images).to(torch::kFloat32);
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

MetricResults compute_metrics(const std::vector<std::shared_ptr<Metric>>& metrics, const Evaluation& evaluation,
                              const ImageSet& set) {
  ScoredSamples samples;
  samples.scores = evaluation.probabilities.data_ptr<float>();
  samples.labels = set.labels.data();
  samples.count = set.count;
  samples.num_classes = evaluation.probabilities.size(1);
  MetricResults all;
  for (const auto& metric : metrics) {
    MetricResults computed = metric->compute(samples);
    all.scalars.insert(all.scalars.end(), computed.scalars.begin(), computed.scalars.end());
    all.matrices.insert(all.matrices.end(), computed.matrices.begin(), computed.matrices.end());
  }
  return all;
}

// The macro one-vs-rest ROC AUC from the metric plugins (the `val_auc` monitor).
double auc_of(const MetricResults& results) {
  for (const auto& [name, value] : results.scalars) {
    if (name == "roc_auc_ovr_macro") return value;
  }
  throw ConfigError("the val_auc monitor needs a metric plugin that computes roc_auc_ovr_macro "
                    "(add `classification` to metrics:)");
}

void record_split(const std::string& split, const Evaluation& evaluation, const ImageSet& set,
                  const std::vector<std::shared_ptr<Metric>>& metrics, RunResult& result) {
  result.metrics.push_back({split, "loss", evaluation.loss});
  const MetricResults computed = compute_metrics(metrics, evaluation, set);
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

// Median latency of one image through the model, after a warm-up.
double latency_ms(Model& model, const ImageSet& test, const SplitPixels& pixels, const InputPipeline& pipeline,
                  const TrainSettings& train) {
  model.eval();
  c10::InferenceMode inference;
  const auto fusion = fuse_for_evaluation(model, train);
  const torch::Tensor image = pipeline.eval_batch(range_of_images(pixels, test, 0, 1));
  constexpr int kWarmup = 3;
  constexpr int kRepeats = 15;
  for (int i = 0; i < kWarmup; ++i) model.forward(image);
  std::vector<double> times;
  for (int i = 0; i < kRepeats; ++i) {
    const auto start = Clock::now();
    model.forward(image).to(torch::kCPU);
    times.push_back(seconds_since(start) * 1000.0);
  }
  std::nth_element(times.begin(), times.begin() + kRepeats / 2, times.end());
  return times[kRepeats / 2];
}

// Peak memory allocated on the GPU by LibTorch's caching allocator; -1 off the GPU.
std::int64_t peak_cuda_bytes(const torch::Device& device) {
  if (!device.is_cuda()) return -1;
  return libtorch::peak_cuda_allocated_bytes(device.has_index() ? device.index() : 0);
}

std::int64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

void save_checkpoint(Model& model, const std::string& path) {
  torch::serialize::OutputArchive archive;
  model.save(archive);
  archive.save_to(path);
}

void load_checkpoint(Model& model, const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
    model.load(archive);
  } catch (const c10::Error& e) {
    throw DataError(fmt::format("cannot load checkpoint {}: {}", path, e.what_without_backtrace()));
  }
}

std::shared_ptr<Model> build_model(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info,
                                   const ExecutionContext& context, RunResult& result) {
  auto model = create_model(registry, cell.model, cell.model_options, model_input(cell, info));
  ModelSummary summary;
  try {
    summary = summarize_model(*model, info.channels, cell.resolution);
  } catch (const std::exception& e) {
    throw PluginError(fmt::format("model plugin '{}' failed in forward (on one {}x{} image, before training): {}",
                                  cell.model, cell.resolution, cell.resolution, e.what()));
  } catch (...) {
    throw PluginError(fmt::format("model plugin '{}' failed in forward (on one {}x{} image, before training): it "
                                  "threw something that is not a std::exception", cell.model, cell.resolution,
                                  cell.resolution));
  }
  result.params_trainable = summary.params_trainable;
  result.params_total = summary.params_total;
  result.params_bytes = summary.params_bytes;
  result.flops_per_image = summary.flops_per_image;
  result.layer_summary_json = summary.layers_json().dump();
  model->to(torch::Device(context.device));
  if (cell.train.channels_last) to_channels_last(*model);
  if (cell.train.fast_paths) run_relus_in_place(*model);
  return model;
}

// Python's zero_grad(set_to_none=True), which LibTorch 1.13's C++ optimizers lack: the
// next backward writes each gradient instead of adding it to a tensor zeroed here, which
// saves a pass over every gradient per step. The values are the same.
void drop_gradients(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups()) {
    for (auto& parameter : group.params()) parameter.mutable_grad().reset();
  }
}

// Debian's LibTorch calls OpenBLAS (libopenblas0-pthread) for matrix products and for
// the convolutions oneDNN hands to a GEMM. LibTorch already spreads work over its OpenMP
// threads; OpenBLAS's own thread pool on top of them oversubscribes the cores, and its
// idle threads spin in sched_yield between calls (perf: a quarter of the baseline's
// training time at 28 px). One OpenBLAS thread per caller: encoder at 28 px +20%,
// baseline +12%, neutral at 64 and 128 (docs/performance.md). Looked up at run time, as
// the system's BLAS may be another library.
void use_one_openblas_thread() {
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
}

}  // namespace

std::string resolve_device(const std::string& device) {
  const bool cuda = torch::cuda::is_available();
  if (device == "cuda" && !cuda) {
    throw ConfigError("train.device is 'cuda', but this LibTorch has no usable CUDA device "
                      "(Debian's libtorch is CPU-only); use device: auto or cpu");
  }
  return (device == "cuda" || (device == "auto" && cuda)) ? "cuda" : "cpu";
}

std::string torch_version() { return TORCH_VERSION; }

void keep_torch_single_threaded() { torch::set_num_threads(1); }

ExecutionContext prepare_execution(const TrainSettings& train) {
  ExecutionContext context;
  context.device = resolve_device(train.device);
  // LibTorch's default on these VMs is one thread: always set it explicitly.
  const auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  context.threads = train.threads > 0 ? train.threads : cores;
  torch::set_num_threads(static_cast<int>(context.threads));
  use_one_openblas_thread();
  if (train.deterministic) at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  context.torch_version = TORCH_VERSION;
  return context;
}

std::int64_t validate_model(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info) {
  auto model = create_model(registry, cell.model, cell.model_options, model_input(cell, info));
  std::int64_t trainable = 0;
  for (const auto& parameter : model->parameters()) trainable += parameter.requires_grad() ? parameter.numel() : 0;
  return trainable;
}

std::string describe_model(const PluginRegistry& registry, const std::string& name, const YAML::Node& options,
                           const ModelInput& input) {
  auto model = create_model(registry, name, options, input);
  const ModelSummary summary = summarize_model(*model, input.channels, input.resolution);
  return summary.to_text(fmt::format("Model: {} ({} channel(s), {}x{}, {} classes)", name, input.channels,
                                     input.resolution, input.resolution, input.num_classes));
}

RunResult train_and_evaluate(const Cell& cell, const PluginRegistry& registry,
                             const DatasetInfo& info, DatasetSplits& data,
                             const std::vector<std::shared_ptr<Metric>>& metrics,
                             const ExecutionContext& context, TrainingObserver& observer,
                             const std::string& checkpoint_path) {
  check_split(data.train, "train", info);
  check_split(data.val, "val", info);
  check_split(data.test, "test", info);
  const TrainSettings& train = cell.train;
  const torch::Device device(context.device);

  // Weight initialisation and dropout draw from the global generator; shuffling and
  // augmentation from their own, so that two arms with the same seed see the same
  // batches in the same order.
  torch::manual_seed(static_cast<std::uint64_t>(cell.seed));
  at::Generator data_generator = at::detail::createCPUGenerator(static_cast<std::uint64_t>(cell.seed));

  RunResult result;
  auto model = build_model(cell, registry, info, context, result);
  const InputPipeline pipeline(train, data.train, cell.resolution, device);  // reads the train pixels' statistics
  const std::string scratch_dir = checkpoint_path.empty() ? std::filesystem::temp_directory_path().string()
                                                          : std::filesystem::path(checkpoint_path).parent_path().string();
  const CellPixels pixels = place_pixels(data, train.images, scratch_dir);
  if (train.images == "disk") release_free_memory();  // the pixels moved to the scratch file
  auto optimizer = make_optimizer(train, model->parameters());
  LearningRateSchedule schedule(train, *optimizer);
  auto loss_options = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(train.label_smoothing);
  if (train.class_weights == "balanced") loss_options.weight(balanced_class_weights(data.train, info.num_classes).to(device));

  const torch::Tensor train_labels = labels_of(data.train);
  std::int64_t batches = (data.train.count + train.batch_size - 1) / train.batch_size;
  if (train.steps_per_epoch > 0) batches = std::min(batches, train.steps_per_epoch);
  const std::int64_t images_per_epoch = std::min(data.train.count, batches * train.batch_size);
  const bool need_val_auc = train.early_stopping_monitor == "val_auc" ||
                            (train.scheduler == "plateau" && train.scheduler_monitor == "val_auc");

  Snapshot best_weights = snapshot(*model);
  double best_monitor = std::numeric_limits<double>::infinity();  // lower is better
  std::int64_t epochs_without_improvement = 0;
  double epoch_seconds_sum = 0;
  const auto training_start = Clock::now();

  // Reading a loss on the host waits for the device. On the CPU that costs nothing and
  // every step is checked before its update; on a GPU the losses of kCudaLossCheckEvery
  // steps are read at once, and a non-finite one still names its own step.
  const std::int64_t check_every = device.is_cuda() ? kCudaLossCheckEvery : 1;

  for (std::int64_t epoch = 1; epoch <= train.max_epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    model->train();
    const torch::Tensor order = torch::randperm(data.train.count, data_generator, torch::kInt64);
    double loss_sum = 0;
    // Correct predictions are counted on the device and read once per epoch.
    torch::Tensor correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
    PendingLosses pending;
    for (std::int64_t batch = 0; batch < batches; ++batch) {
      if (stop_requested()) throw Interrupted(fmt::format("stopped by a signal in epoch {}", epoch));
      const torch::Tensor indices = order.slice(0, batch * train.batch_size,
                                                std::min((batch + 1) * train.batch_size, data.train.count));
      const torch::Tensor images = pipeline.train_batch(gather_images(pipeline, pixels.train, data.train, indices), data_generator);
      const torch::Tensor target = pipeline.gather(train_labels, indices);
      drop_gradients(*optimizer);
      torch::Tensor logits;
      try {
        const AutocastScope autocast(train.amp == "bf16", device);
        logits = model->forward(images).to(torch::kFloat32);
      } catch (const std::exception& e) {
        throw PluginError(fmt::format("model plugin '{}' failed in forward (epoch {}, step {}): {}", cell.model,
                                      epoch, batch + 1, e.what()));
      } catch (...) {
        throw PluginError(fmt::format("model plugin '{}' failed in forward (epoch {}, step {}): it threw something "
                                      "that is not a std::exception", cell.model, epoch, batch + 1));
      }
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, target, loss_options);
      pending.add(loss.detach(), batch + 1, indices.size(0));
      if (static_cast<std::int64_t>(pending.size()) >= check_every) {
        loss_sum += pending.check_and_sum(epoch, batches, learning_rate(*optimizer));
      }
      loss.backward();
      if (train.grad_clip_norm > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), train.grad_clip_norm);
      optimizer->step();
      correct += logits.detach().argmax(1).eq(target).sum();
      observer.on_batch(epoch, batch + 1, batches);
    }
    loss_sum += pending.check_and_sum(epoch, batches, learning_rate(*optimizer));
    const auto correct_count = correct.item<std::int64_t>();
    const double train_seconds = seconds_since(epoch_start);
    release_free_memory();

    const Evaluation val = evaluate(*model, data.val, pixels.val, pipeline, train, device);
    release_free_memory();
    if (!std::isfinite(val.loss)) {
      throw TrainingError(fmt::format("the validation loss became {} after epoch {}", val.loss, epoch));
    }
    EpochMonitors monitors{val.loss, val.accuracy};
    if (need_val_auc) monitors.val_auc = auc_of(compute_metrics(metrics, val, data.val));

    EpochResult record;
    record.epoch = epoch;
    record.max_epochs = train.max_epochs;
    record.train_loss = loss_sum / static_cast<double>(images_per_epoch);
    record.train_accuracy = static_cast<double>(correct_count) / static_cast<double>(images_per_epoch);
    record.val_loss = val.loss;
    record.val_accuracy = val.accuracy;
    record.learning_rate = learning_rate(*optimizer);
    record.seconds = seconds_since(epoch_start);
    record.images_per_second = static_cast<double>(images_per_epoch) / train_seconds;
    epoch_seconds_sum += record.seconds;

    const double monitor = monitors.lower_is_better(train.early_stopping_monitor);
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
    schedule.after_epoch(epoch, monitors);
    if (train.early_stopping_patience > 0 && epochs_without_improvement >= train.early_stopping_patience) break;
  }
  result.train_seconds = seconds_since(training_start);
  result.mean_epoch_seconds = epoch_seconds_sum / static_cast<double>(result.epochs);

  restore(*model, best_weights);
  if (!checkpoint_path.empty()) save_checkpoint(*model, checkpoint_path);
  record_split("val", evaluate(*model, data.val, pixels.val, pipeline, train, device), data.val, metrics, result);
  const auto test_start = Clock::now();
  const Evaluation test = evaluate(*model, data.test, pixels.test, pipeline, train, device);
  result.test_seconds = seconds_since(test_start);
  record_split("test", test, data.test, metrics, result);
  result.latency_ms = latency_ms(*model, data.test, pixels.test, pipeline, train);
  result.peak_rss_bytes = peak_rss_bytes();
  result.peak_cuda_bytes = peak_cuda_bytes(device);
  return result;
}

RunResult evaluate_checkpoint(const Cell& cell, const PluginRegistry& registry,
                              const DatasetInfo& info, const DatasetSplits& data,
                              const std::vector<std::shared_ptr<Metric>>& metrics,
                              const ExecutionContext& context, const std::string& checkpoint_path) {
  check_split(data.val, "val", info);
  check_split(data.test, "test", info);
  const torch::Device device(context.device);
  RunResult result;
  auto model = build_model(cell, registry, info, context, result);
  load_checkpoint(*model, checkpoint_path);
  if (cell.train.channels_last) to_channels_last(*model);  // loading copies into the same layout, but be sure
  // Normalisation statistics come from the train split, as in training.
  const InputPipeline pipeline(cell.train, data.train, cell.resolution, device);
  const SplitPixels val(data.val), test(data.test);
  record_split("val", evaluate(*model, data.val, val, pipeline, cell.train, device), data.val, metrics,
               result);
  record_split("test", evaluate(*model, data.test, test, pipeline, cell.train, device), data.test,
               metrics, result);
  return result;
}

}  // namespace ablate
