// The child side of the grid: train one cell, record everything, exit with a status the
// parent understands.
#include "run_cell.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "config/crash_report.hpp"
#include "config/interrupt.hpp"
#include "engine/error_message.hpp"
#include "engine/trainer.hpp"
#include "progress.hpp"
#include "run_grid.hpp"
#include "store.hpp"

namespace ablate {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

db::RunSummary to_summary(const RunResult& result, const std::string& checkpoint) {
  db::RunSummary summary;
  summary.params_trainable = result.params_trainable;
  summary.params_total = result.params_total;
  summary.epochs = result.epochs;
  summary.best_epoch = result.best_epoch;
  summary.train_seconds = result.train_seconds;
  summary.test_seconds = result.test_seconds;
  summary.params_bytes = result.params_bytes;
  summary.flops_per_image = result.flops_per_image;
  summary.layer_summary_json = result.layer_summary_json;
  summary.mean_epoch_seconds = result.mean_epoch_seconds;
  summary.latency_ms = result.latency_ms;
  summary.peak_rss_bytes = result.peak_rss_bytes;
  if (result.peak_cuda_bytes >= 0) summary.peak_cuda_bytes = result.peak_cuda_bytes;
  summary.checkpoint = checkpoint;
  return summary;
}

std::vector<db::MetricRow> to_metric_rows(const RunResult& result) {
  std::vector<db::MetricRow> rows;
  for (const auto& m : result.metrics) rows.push_back({m.split, m.name, m.value});
  return rows;
}

std::vector<db::MatrixRow> to_matrix_rows(const RunResult& result) {
  std::vector<db::MatrixRow> rows;
  for (const auto& m : result.matrices)
    rows.push_back({m.split, m.matrix.name, m.matrix.rows, m.matrix.cols, m.matrix.values});
  return rows;
}

std::vector<db::PredictionRow> to_prediction_rows(const RunResult& result) {
  std::vector<db::PredictionRow> rows;
  for (const auto& p : result.predictions) rows.push_back({p.split, p.count, p.num_classes, p.labels, p.scores});
  return rows;
}

// Epochs go to the store as they finish; progress goes to the parent.
class CellObserver : public TrainingObserver {
 public:
  CellObserver(db::Store& store, const db::RunLease& lease, std::string prefix, const CellOptions& options)
      : store_(store), lease_(lease), prefix_(std::move(prefix)), options_(options) {}

  void on_epoch(const EpochResult& e) override {
    const auto start = Clock::now();
    store_.add_epoch(lease_, db::EpochRow{e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy,
                                          e.learning_rate, e.seconds, e.images_per_second});
    const auto stored = Clock::now();
    store_seconds += std::chrono::duration<double>(stored - start).count();
    if (options_.quiet) return;
    std::cerr << epoch_line(prefix_, e) << '\n' << std::flush;
    progress_seconds += std::chrono::duration<double>(Clock::now() - stored).count();
  }

  void on_batch(std::int64_t epoch, std::int64_t batch, std::int64_t batches) override {
    if (!options_.progress_protocol) return;
    const auto now = Clock::now();
    if (batch != batches && std::chrono::duration<double>(now - last_).count() < 0.5) return;
    last_ = now;
    std::cerr << fmt::format("@progress {} {} {} {}\n", lease_.run_id, epoch, batch, batches) << std::flush;
    progress_seconds += std::chrono::duration<double>(Clock::now() - now).count();
  }

  // The runner's own work inside the cell, for --verbose.
  double store_seconds = 0;
  double progress_seconds = 0;

 private:
  db::Store& store_;
  db::RunLease lease_;
  std::string prefix_;
  const CellOptions& options_;
  Clock::time_point last_ = Clock::now();
};

// Records how the cell ended, unless another runner took the run over meanwhile: then
// nothing is written (the store refuses), and this says so.
void record_end(db::Store& store, const db::RunLease& lease, db::RunStatus status, const std::string& message,
                const std::string& prefix) {
  try {
    store.end_run(lease, status, message);
  } catch (const db::LostClaimError& e) {
    std::cerr << fmt::format("{} not recorded: {}\n", prefix, e.what());
  }
}

}  // namespace

int run_cell(const GridPlan& plan, const CellOptions& options) {
  const PlannedCell* planned = plan.find(options.hash);
  if (planned == nullptr) {
    std::cerr << fmt::format("runner: error: no cell with config hash {} in {}\n", options.hash,
                             plan.experiment.source);
    return kExitBadInput;
  }
  const Cell& cell = planned->cell;
  install_stop_handlers();
  report_plugin_crashes(CrashExit::by_signal);
  db::Store store(options.db);
  const db::RunLease lease{options.run_id, options.attempt};
  TrainSettings train = cell.train;
  if (options.threads > 0) train.threads = options.threads;
  const std::string prefix = cell.label();
  try {
    const ExecutionContext context = prepare_execution(train);
    if (!options.quiet) {
      std::cerr << fmt::format("{} loading {} at {}x{}, {} thread(s) on {}\n", prefix, planned->data->info.name,
                               cell.resolution, cell.resolution, context.threads, context.device)
                << std::flush;
    }
    DatasetSplits data = load_cell_data(*planned);
    // Names for the confusion matrices and per-class metrics report shows.
    store.set_class_names(lease, planned->data->info.class_names);
    const std::string directory = db::live_artifact_folder(options.hash);
    const std::string checkpoint = directory + "/best.pt";
    fs::create_directories(fs::path(store.artifact_dir()) / directory);
    CellObserver observer(store, lease, prefix, options);
    const RunResult result = train_and_evaluate(cell, plan.registry, planned->data->info, data, plan.metrics, context,
                                                observer, (fs::path(store.artifact_dir()) / checkpoint).string());
    const auto finishing = Clock::now();
    store.finish_run(lease, to_summary(result, checkpoint), to_metric_rows(result), to_matrix_rows(result),
                     to_prediction_rows(result));
    observer.store_seconds += std::chrono::duration<double>(Clock::now() - finishing).count();
    double accuracy = std::nan("");
    for (const auto& m : result.metrics) {
      if (m.split == "test" && m.name == "accuracy") accuracy = m.value;
    }
    std::cerr << fmt::format("{} finished: test accuracy {:.4f}, {} epochs (best {}), {:.1f}s\n", prefix, accuracy,
                             result.epochs, result.best_epoch, result.train_seconds);
    if (options.verbose) {
      std::cerr << fmt::format("{} runner work in the cell: store writes {:.4f}s, progress output {:.4f}s\n", prefix,
                               observer.store_seconds, observer.progress_seconds);
    }
    return kExitOk;
  } catch (const Interrupted& e) {
    record_end(store, lease, db::RunStatus::killed, e.what(), prefix);
    std::cerr << fmt::format("{} killed: {}\n", prefix, e.what());
    return kExitInterrupted;
  } catch (const db::LostClaimError& e) {
    // Another runner owns the run now; nothing of this cell's may be written to it.
    std::cerr << fmt::format("{} stopped: {}\n", prefix, e.what());
    return kExitRunFailed;
  } catch (const Error& e) {
    record_end(store, lease, db::RunStatus::failed, e.what(), prefix);
    std::cerr << fmt::format("{} failed: {}\n", prefix, e.what());
    // Missing or corrupt data, or a configuration only the data could check (a
    // resolution without a file), fails every cell alike: bad input, the grid stops.
    const bool bad_input = dynamic_cast<const DataError*>(&e) || dynamic_cast<const ConfigError*>(&e);
    return bad_input ? kExitBadInput : kExitRunFailed;
  } catch (const std::exception& e) {
    // LibTorch's errors carry a stack trace of 15-26 lines: the store keeps the message.
    const std::string message = error_message(e);
    record_end(store, lease, db::RunStatus::failed, message, prefix);
    std::cerr << fmt::format("{} failed: {}\n", prefix, message);
    return kExitRunFailed;
  } catch (...) {
    // A plugin may throw anything; the run is still recorded, not left `running`.
    const std::string message = "a plugin threw something that is not a std::exception";
    record_end(store, lease, db::RunStatus::failed, message, prefix);
    std::cerr << fmt::format("{} failed: {}\n", prefix, message);
    return kExitRunFailed;
  }
}

int evaluate_run(const std::string& db_path, const std::string& reference,
                 const std::vector<std::filesystem::path>& plugin_dirs) {
  db::Store store(db_path, db::OpenMode::read_only);
  const auto run = store.find_run_by_reference(reference);
  if (!run) {
    throw ConfigError(
        fmt::format("no run '{}' in {} (give a run id or at least {} leading characters of a config hash)", reference,
                    db_path, db::kMinHashPrefix));
  }
  const auto origin = store.run_origin(run->id);
  if (!origin || origin->checkpoint.empty()) {
    throw ConfigError(fmt::format("run {} in {} has no checkpoint to evaluate (status {})", run->id, db_path,
                                  db::to_string(run->status)));
  }
  // The experiment as it was run, resolved again: the same cell has the same hash only
  // while its plugins keep their versions.
  auto plan = plan_grid(parse_experiment(origin->spec_yaml, origin->experiment), plugin_dirs, false);
  const PlannedCell* planned = plan->find(run->config_hash);
  if (planned == nullptr) {
    throw ConfigError(fmt::format("run {} cannot be rebuilt: no cell of {} has its config hash {} any more (did a "
                                  "plugin version change?)",
                                  run->id, origin->experiment, run->config_hash.substr(0, 12)));
  }
  // With the thread count the run trained with: another count sums in another order, and
  // the numbers move in their last digits (docs/experiments.md, "The grid").
  TrainSettings train = planned->cell.train;
  if (origin->threads > 0) train.threads = origin->threads;
  const ExecutionContext context = prepare_execution(train);
  const DatasetSplits data = load_cell_data(*planned);
  const std::string checkpoint = (fs::path(store.artifact_dir()) / origin->checkpoint).string();
  const RunResult result =
      evaluate_checkpoint(planned->cell, plan->registry, planned->data->info, data, plan->metrics, context, checkpoint);
  std::map<std::pair<std::string, std::string>, double> recomputed;
  for (const auto& m : result.metrics) recomputed[{m.split, m.name}] = m.value;
  std::cout << fmt::format("run {} ({}), checkpoint {}\n", run->id, planned->cell.label(), checkpoint);
  std::cout << fmt::format("{} thread(s) on {}, {}\n", context.threads, context.device,
                           origin->threads > 0 ? "as the run was trained"
                                               : "the run's thread count was not recorded: the default");
  std::cout << fmt::format("{:<5} {:<24} {:>14} {:>14}  {}\n", "split", "metric", "stored", "recomputed", "");
  int mismatches = 0;
  int inexact = 0;  // within the tolerance but not bit-identical
  for (const auto& stored : store.metrics(run->id)) {
    const auto found = recomputed.find({stored.split, stored.name});
    const bool both_missing = found != recomputed.end() && std::isnan(found->second) && std::isnan(stored.value);
    const bool same = found != recomputed.end() && (both_missing || std::abs(found->second - stored.value) <=
                                                                        1e-6 * std::max(1.0, std::abs(stored.value)));
    mismatches += !same;
    inexact += same && !both_missing && found->second != stored.value;
    std::cout << fmt::format("{:<5} {:<24} {:>14.6f} {:>14.6f}  {}\n", stored.split, stored.name, stored.value,
                             found == recomputed.end() ? std::nan("") : found->second, same ? "ok" : "DIFFERENT");
  }
  if (mismatches > 0) {
    std::cout << fmt::format("{} metric(s) differ\n", mismatches);
  } else if (inexact > 0) {
    std::cout << fmt::format("every stored metric reproduced ({} within 1e-6, not to the last bit)\n", inexact);
  } else {
    std::cout << "every stored metric reproduced, bit-identical\n";
  }
  return mismatches == 0 ? kExitOk : kExitRunFailed;
}

}  // namespace ablate
