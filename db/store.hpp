// The run store: one SQLite file shared by runner (writes) and report (reads).
// No LibTorch here: report links this library and nothing heavier.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace ablate::db {

// The schema version this binary writes: the number of files in db/migrations/.
int current_schema_version();

enum class RunStatus { pending, running, finished, failed, killed };
const char* to_string(RunStatus status);
RunStatus parse_run_status(const std::string& text);  // throws StoreError

// What the runner knows about a cell before training it.
struct RunClaim {
  std::string config_hash;
  std::string config_json;
  std::string arm;
  std::string model;
  std::string dataset;
  std::int64_t resolution = 0;
  std::int64_t seed = 0;
  std::int64_t grid_id = 0;  // 0: not part of a grid
  // Provenance.
  std::int64_t pid = 0;
  std::string host;
  std::string device;
  std::int64_t threads = 0;
  std::string torch_version;
  std::string git_commit;
  bool git_dirty = false;
  std::string plugin_versions_json;
};

struct EpochRow {
  std::int64_t epoch = 0;  // 1-based
  double train_loss = 0;
  double train_accuracy = 0;
  double val_loss = 0;
  double val_accuracy = 0;
  double learning_rate = 0;
  double seconds = 0;
  double images_per_second = 0;
};

struct MetricRow {
  std::string split;  // "val" or "test"
  std::string name;
  double value = 0;
};

struct MatrixRow {
  std::string split;
  std::string name;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<double> values;  // row-major
};

struct RunSummary {
  std::int64_t params_trainable = 0;
  std::int64_t params_total = 0;
  std::int64_t epochs = 0;
  std::int64_t best_epoch = 0;
  double train_seconds = 0;
  double test_seconds = 0;
};

// One row of `runs`, with the test accuracy joined in for listings.
struct RunRow {
  std::int64_t id = 0;
  std::string config_hash;
  RunStatus status = RunStatus::pending;
  std::string arm;
  std::string model;
  std::string dataset;
  std::int64_t resolution = 0;
  std::int64_t seed = 0;
  std::optional<std::int64_t> params_trainable;
  std::optional<std::int64_t> epochs;
  std::optional<double> train_seconds;
  std::optional<double> test_accuracy;  // metrics(split='test', name='accuracy')
  std::string error;
  std::string heartbeat_at;
};

struct RunFilter {
  std::optional<std::string> arm;
  std::optional<RunStatus> status;
};

enum class OpenMode {
  read_write,  // create if missing, apply pending migrations
  read_only,   // must exist; must not be newer than this binary
};

class Store {
 public:
  // Opens the store, WAL mode, busy timeout. Throws StoreError naming the file when it
  // cannot be opened, is not an Ablate store, or its schema is newer than this binary.
  explicit Store(const std::string& path, OpenMode mode = OpenMode::read_write);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }
  int schema_version() const;

  std::int64_t add_grid(const std::string& name, const std::string& experiment,
                        const std::string& spec_yaml);

  // The run with this config hash, if any.
  std::optional<RunRow> find_run(const std::string& config_hash) const;

  // Marks the cell's run `running` (inserting it, or resetting a failed/killed/stale one
  // and deleting its old epochs and metrics) in one transaction; returns its id.
  std::int64_t start_run(const RunClaim& claim);
  void heartbeat(std::int64_t run_id);
  void add_epoch(std::int64_t run_id, const EpochRow& epoch);
  // Records results and sets `finished`, all in one transaction.
  void finish_run(std::int64_t run_id, const RunSummary& summary,
                  const std::vector<MetricRow>& metrics, const std::vector<MatrixRow>& matrices);
  // Sets `failed` or `killed` with a message; keeps the epochs recorded so far.
  void end_run(std::int64_t run_id, RunStatus status, const std::string& error);

  std::vector<RunRow> list_runs(const RunFilter& filter = {}) const;
  std::vector<EpochRow> epochs(std::int64_t run_id) const;
  std::vector<MetricRow> metrics(std::int64_t run_id) const;
  std::vector<MatrixRow> matrices(std::int64_t run_id) const;

 private:
  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace ablate::db
