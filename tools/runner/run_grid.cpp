// The runner's main loop: one grid, cell by cell, every result into the store.
#include "run_grid.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "config_hash.hpp"
#include "interrupt.hpp"
#include "plugin_registry.hpp"
#include "provenance.hpp"
#include "store.hpp"
#include "trainer.hpp"

namespace ablate {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A run whose heartbeat is older than this belongs to a process that died.
constexpr double kStaleHeartbeatSeconds = 120;
constexpr double kHeartbeatEverySeconds = 10;

double seconds_since_utc(const std::string& iso_timestamp) {
  std::tm parts{};
  if (iso_timestamp.empty() || strptime(iso_timestamp.c_str(), "%Y-%m-%dT%H:%M:%S", &parts) == nullptr) {
    return 1e18;
  }
  return std::difftime(std::time(nullptr), timegm(&parts));
}

// Prints progress and writes epochs and heartbeats to the store as training goes.
class StoreObserver : public TrainingObserver {
 public:
  StoreObserver(db::Store& store, std::int64_t run_id, std::string prefix, bool quiet)
      : store_(store), run_id_(run_id), prefix_(std::move(prefix)), quiet_(quiet),
        terminal_(isatty(STDERR_FILENO) != 0) {}

  void on_epoch(const EpochResult& e) override {
    db::EpochRow row{e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy,
                     e.learning_rate, e.seconds, e.images_per_second};
    store_.add_epoch(run_id_, row);
    last_heartbeat_ = Clock::now();
    if (quiet_) return;
    if (terminal_) std::cerr << "\r\033[K";
    std::cerr << fmt::format(
        "{} epoch {}/{}  train loss {:.4f} acc {:.4f}  val loss {:.4f} acc {:.4f}  lr {:.3g}  "
        "{:.0f} img/s  {:.1f}s{}\n",
        prefix_, e.epoch, e.max_epochs, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy,
        e.learning_rate, e.images_per_second, e.seconds, e.improved ? "  *best" : "");
  }

  void on_batch(std::int64_t epoch, std::int64_t batch, std::int64_t batches) override {
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_heartbeat_).count() >= kHeartbeatEverySeconds) {
      store_.heartbeat(run_id_);
      last_heartbeat_ = now;
    }
    if (!quiet_ && terminal_ && (batch % 10 == 0 || batch == batches)) {
      std::cerr << fmt::format("\r\033[K{} epoch {} batch {}/{}", prefix_, epoch, batch, batches) << std::flush;
    }
  }

 private:
  db::Store& store_;
  std::int64_t run_id_;
  std::string prefix_;
  bool quiet_;
  bool terminal_;
  Clock::time_point last_heartbeat_ = Clock::now();
};

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
  for (const auto& m : result.matrices) rows.push_back({m.split, m.matrix.name, m.matrix.rows, m.matrix.cols, m.matrix.values});
  return rows;
}

std::vector<db::PredictionRow> to_prediction_rows(const RunResult& result) {
  std::vector<db::PredictionRow> rows;
  for (const auto& p : result.predictions) rows.push_back({p.split, p.count, p.num_classes, p.labels, p.scores});
  return rows;
}

struct PlannedCell {
  Cell cell;
  nlohmann::json identity;
  std::string hash;
  std::optional<db::RunRow> existing;
};

bool is_done(const std::optional<db::RunRow>& run) {
  return run && run->status == db::RunStatus::finished;
}

bool is_running_elsewhere(const std::optional<db::RunRow>& run) {
  return run && run->status == db::RunStatus::running &&
         seconds_since_utc(run->heartbeat_at) < kStaleHeartbeatSeconds;
}

std::string describe_state(const std::optional<db::RunRow>& run) {
  if (!run) return "new";
  if (is_running_elsewhere(run)) return "running elsewhere";
  if (run->status == db::RunStatus::running) return "stale (its process died)";
  return db::to_string(run->status);
}

std::string plugin_versions_json(const PluginVersions& versions) {
  return nlohmann::json(versions).dump();
}

// Keeps the last loaded data set: consecutive cells usually share it.
class DatasetCache {
 public:
  const DatasetSplits& get(Dataset& dataset, const std::string& key, std::int64_t resolution) {
    const std::string full_key = key + "@" + std::to_string(resolution);
    if (full_key != key_) {
      splits_ = DatasetSplits{};  // free the old one before loading the next
      splits_ = dataset.load(resolution);
      key_ = full_key;
    }
    return splits_;
  }

 private:
  std::string key_;
  DatasetSplits splits_;
};

}  // namespace

int run_grid(const RunnerOptions& options) {
  const Experiment experiment = load_experiment(options.experiment, options.overrides);

  PluginRegistry registry;
  registry.load_directories(plugin_search_path(options.plugin_dirs));
  for (const auto& problem : registry.problems()) std::cerr << "runner: warning: " << problem << "\n";

  // Every plugin the grid names must exist, and every option must be valid, before
  // anything is trained or written.
  const auto dataset = registry.create_dataset(experiment.dataset_plugin, experiment.dataset_options, experiment.source);
  const DatasetInfo info = dataset->info();
  std::vector<std::shared_ptr<Metric>> metrics;
  for (const auto& name : experiment.metrics) metrics.push_back(registry.create_metric(name, YAML::Node(), experiment.source));
  PluginVersions versions;
  versions[experiment.dataset_plugin] = registry.find(PluginKind::dataset, experiment.dataset_plugin).version;
  for (const auto& name : experiment.metrics) versions[name] = registry.find(PluginKind::metric, name).version;
  for (const auto& arm : experiment.arms) versions[arm.model] = registry.find(PluginKind::model, arm.model).version;

  const std::vector<Cell> cells = expand_grid(experiment);
  for (const auto& cell : cells) {
    if (cell.seed == experiment.seeds.front()) validate_model(cell, registry, info);
  }

  const fs::path db_path = options.db.empty() ? fs::path(options.experiment).parent_path() / "runs.db" : fs::path(options.db);
  db::Store store(db_path.string());

  std::vector<PlannedCell> plan;
  for (const auto& cell : cells) {
    PlannedCell planned{cell, cell_identity(cell, versions), "", std::nullopt};
    planned.hash = config_hash(planned.identity);
    planned.existing = store.find_run(planned.hash);
    plan.push_back(std::move(planned));
  }

  if (options.dry_run) {
    std::size_t done = 0;
    std::cout << fmt::format("grid '{}' from {}: {} cells, store {}\n", experiment.name, experiment.source,
                             plan.size(), db_path.string());
    for (const auto& planned : plan) {
      done += is_done(planned.existing);
      std::cout << fmt::format("  {:>4}  {}  {:<40}  {}\n", planned.cell.index + 1, planned.hash.substr(0, 12),
                               planned.cell.label(), describe_state(planned.existing));
    }
    std::cout << fmt::format("{} done, {} to run\n", done, plan.size() - done);
    return kExitOk;
  }

  const ExecutionContext context = prepare_execution(plan.front().cell.train);
  const Provenance provenance = collect_provenance(fs::path(options.experiment).parent_path());
  const std::int64_t grid_id = store.add_grid(experiment.name, experiment.source, experiment.text);
  install_stop_handlers();

  DatasetCache data_cache;
  const std::string dataset_key = experiment.dataset_plugin + yaml_to_json(experiment.dataset_options).dump();
  std::size_t skipped = 0, finished = 0, failed = 0;
  for (const auto& planned : plan) {
    const Cell& cell = planned.cell;
    const std::string prefix = fmt::format("[{}/{}] {}", cell.index + 1, plan.size(), cell.label());
    // Look again: another runner sharing this store may have done it meanwhile.
    const auto existing = store.find_run(planned.hash);
    if (is_done(existing) || is_running_elsewhere(existing)) {
      ++skipped;
      if (!options.quiet) std::cerr << fmt::format("{} {}, skipped\n", prefix, describe_state(existing));
      continue;
    }
    db::RunClaim claim;
    claim.config_hash = planned.hash;
    claim.config_json = planned.identity.dump();
    claim.arm = cell.arm;
    claim.model = cell.model;
    claim.dataset = info.name;
    claim.resolution = cell.resolution;
    claim.seed = cell.seed;
    claim.grid_id = grid_id;
    claim.pid = getpid();
    claim.host = provenance.host;
    claim.device = context.device;
    claim.threads = context.threads;
    claim.torch_version = context.torch_version;
    claim.git_commit = provenance.git_commit;
    claim.git_dirty = provenance.git_dirty;
    claim.plugin_versions_json = plugin_versions_json(versions);
    const std::int64_t run_id = store.start_run(claim);
    if (!options.quiet) std::cerr << fmt::format("{} started (run {}, {})\n", prefix, run_id, planned.hash.substr(0, 12));

    StoreObserver observer(store, run_id, prefix, options.quiet);
    try {
      const DatasetSplits& data = data_cache.get(*dataset, dataset_key, cell.resolution);
      // Best weights go to <store>.artifacts/<config hash>/: hashes, unlike run ids, stay
      // the same when stores are merged.
      const std::string checkpoint = planned.hash.substr(0, 16) + "/best.pt";
      fs::create_directories(fs::path(store.artifact_dir()) / planned.hash.substr(0, 16));
      const RunResult result = train_and_evaluate(cell, registry, info, data, metrics, context, observer,
                                                  (fs::path(store.artifact_dir()) / checkpoint).string());
      store.finish_run(run_id, to_summary(result, checkpoint), to_metric_rows(result), to_matrix_rows(result),
                       to_prediction_rows(result));
      ++finished;
      if (!options.quiet) {
        double accuracy = 0;
        for (const auto& m : result.metrics) {
          if (m.split == "test" && m.name == "accuracy") accuracy = m.value;
        }
        std::cerr << fmt::format("{} finished: test accuracy {:.4f}, {} epochs (best {}), {:.1f}s\n", prefix,
                                 accuracy, result.epochs, result.best_epoch, result.train_seconds);
      }
    } catch (const DataError& e) {
      // Missing or corrupt data fails every cell alike: stop and say so once.
      store.end_run(run_id, db::RunStatus::failed, e.what());
      throw;
    } catch (const Interrupted& e) {
      store.end_run(run_id, db::RunStatus::killed, e.what());
      std::cerr << fmt::format("\n{} killed: {}\nrunner: interrupted; run the same command again to resume\n",
                               prefix, e.what());
      return kExitInterrupted;
    } catch (const std::exception& e) {
      // One cell's failure is recorded and the grid goes on.
      store.end_run(run_id, db::RunStatus::failed, e.what());
      ++failed;
      std::cerr << fmt::format("{} failed: {}\n", prefix, e.what());
    }
  }
  std::cerr << fmt::format("grid '{}': {} cells: {} finished now, {} already done or running elsewhere, {} failed "
                           "(store {})\n",
                           experiment.name, plan.size(), finished, skipped, failed, db_path.string());
  return failed > 0 ? kExitRunFailed : kExitOk;
}

}  // namespace ablate
