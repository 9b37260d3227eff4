// The run store: one SQLite file shared by runner (writes) and report (reads).
// No LibTorch here: report links this library and nothing heavier.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ablate/error.hpp"

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
  std::string ablate_version;  // runner --version's; "" is stored as NULL (unknown)
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
  bool is_best = false;  // set by finish_run on the epoch whose weights were evaluated
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

// Softmax scores of one split (see migration 0002 for the stored layout).
struct PredictionRow {
  std::string split;
  std::int64_t count = 0;
  std::int64_t num_classes = 0;
  std::vector<std::int32_t> labels;  // count
  std::vector<float> scores;         // count x num_classes, row-major
};

struct RunSummary {
  std::int64_t params_trainable = 0;
  std::int64_t params_total = 0;
  std::int64_t epochs = 0;
  std::int64_t best_epoch = 0;  // 1-based; also marks epochs.is_best
  double train_seconds = 0;
  double test_seconds = 0;
  std::int64_t params_bytes = 0;
  double flops_per_image = 0;
  std::string layer_summary_json;
  double mean_epoch_seconds = 0;
  double latency_ms = 0;
  std::int64_t peak_rss_bytes = 0;
  std::optional<std::int64_t> peak_cuda_bytes;
  std::string checkpoint;  // relative to the artifact folder; "" if none
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
  double heartbeat_age_seconds = 0;  // now - heartbeat_at
  std::string host;                  // where the runner that owns it runs
  std::int64_t pid = 0;              // that runner's process id
  std::int64_t attempt = 0;          // how many times a runner claimed it (RunLease)
  // Migration 0006: what people say about the run, and whether it is archived.
  std::vector<std::pair<std::string, std::string>> tags;  // key, value; by key
  std::string note;                                       // "" for none
  std::string archived_at;                                // UTC; "" for a live run
  bool archived() const { return !archived_at.empty(); }
};

// When may a runner take a cell? See Store::claim_run.
struct ClaimPolicy {
  bool retry_failed = false;         // take failed runs (killed and stale ones are always taken)
  bool force = false;                // take finished runs too (archiving them: a new run is claimed)
  bool take_running = false;         // take runs another runner is working on (tests, start_run)
  double stale_after_seconds = 120;  // a running run without a heartbeat for this long is dead
  std::string host;                  // this host: a running run of a dead pid here is dead at once
};

enum class ClaimOutcome { claimed, finished, failed, running_elsewhere };

// A runner wrote to a run it no longer holds: the run was taken over by another runner
// (this one was suspended, or its heartbeat could not be written, for longer than the stale
// limit) or it already ended. Nothing was written.
class LostClaimError : public StoreError {
 public:
  using StoreError::StoreError;
};

// The right to write one run: its id and the claim (attempt) this runner holds on it.
// Every write of a running run names its lease and is made only while the run is still
// `running` under that attempt, in the same statement: a runner that lost its run (it was
// suspended past the stale limit, and another runner took the cell over) can never change
// the other runner's result.
struct RunLease {
  std::int64_t run_id = 0;
  std::int64_t attempt = 0;
};

struct ClaimResult {
  ClaimOutcome outcome = ClaimOutcome::claimed;
  std::int64_t run_id = 0;   // the claimed (or existing) run
  std::int64_t attempt = 0;  // claimed: this runner's attempt (1 for a new run)
  // A forced claim of a finished run archives it and claims a new one: the archived run.
  std::int64_t archived_run_id = 0;
  RunLease lease() const { return {run_id, attempt}; }
};

// What re-evaluating a stored run needs: the experiment as it was run, and the weights.
struct RunOrigin {
  std::string experiment;    // the path it was run from
  std::string spec_yaml;     // the experiment after overrides
  std::string checkpoint;    // relative to artifact_dir(); "" if none
  std::int64_t threads = 0;  // LibTorch threads it trained with; 0 if not recorded
};

struct RunFilter {
  std::optional<std::string> arm;
  std::optional<RunStatus> status;
  bool include_archived = false;  // archived runs too (docs/store.md, "Archived runs")
};

// What Store::remove_run removed (or, in a dry run, would remove).
struct RemovedRun {
  RunRow run;
  std::vector<std::pair<std::string, std::int64_t>> rows;  // table, rows of it that were the run's
  std::vector<std::string> files;                          // under artifact_dir()
};

// A run that is being trained: the runner that holds it would lose it mid-write.
class RunIsRunningError : public StoreError {
 public:
  using StoreError::StoreError;
};

// The folder under artifact_dir() that holds a run's files: the first 16 hex digits of the
// config hash for a live run (the runner writes best.pt there), archive/<run id> for an
// archived one, whose configuration may have a live run of its own.
std::string live_artifact_folder(const std::string& config_hash);
std::string archived_artifact_folder(std::int64_t run_id);

// The shortest config-hash prefix that names a run: shorter ones soon match several runs,
// and a typo would silently pick one.
inline constexpr std::size_t kMinHashPrefix = 4;

// The longest tag key, value and note: labels for people, not a second store.
inline constexpr std::size_t kMaxTagKey = 64;
inline constexpr std::size_t kMaxTagValue = 1000;
inline constexpr std::size_t kMaxNote = 10000;

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

  std::int64_t add_grid(const std::string& name, const std::string& experiment, const std::string& spec_yaml);

  // The live run with this config hash, if any (archived ones are history).
  std::optional<RunRow> find_run(const std::string& config_hash) const;

  // Marks the cell's run `running` (inserting it, or resetting a failed/killed/stale one
  // and deleting its old epochs and metrics) in one transaction; returns the lease.
  RunLease start_run(const RunClaim& claim);
  // Atomically decides whether this runner may run the cell and, if so, claims it as
  // start_run does; a finished run taken with `force` is archived (archive_run) and a new
  // run claimed. Several runners sharing a store never claim the same live run.
  ClaimResult claim_run(const RunClaim& claim, const ClaimPolicy& policy);
  // What claim_run would answer for the cell `config_hash` now, without claiming it: the
  // same policy, read-only (for `runner --dry-run`). run_id: the stored run, 0 for none
  // (or for a new run in place of a forced finished one, then in archived_run_id).
  // Another runner may of course claim the cell between the preview and a claim.
  ClaimResult preview_claim(const std::string& config_hash, const ClaimPolicy& policy) const;
  // A running run is stale when its heartbeat is old, or its owner ran on `host` and is
  // gone.
  static bool is_stale(const RunRow& run, const ClaimPolicy& policy);
  // The writes of a claimed run. Each throws LostClaimError, writing nothing, when the run
  // is no longer `running` under `lease` (another runner took it over, or it ended).
  void heartbeat(const RunLease& lease);
  void add_epoch(const RunLease& lease, const EpochRow& epoch);
  // Records results and sets `finished`, all in one transaction.
  void finish_run(const RunLease& lease, const RunSummary& summary, const std::vector<MetricRow>& metrics,
                  const std::vector<MatrixRow>& matrices, const std::vector<PredictionRow>& predictions = {});
  // Sets `failed` or `killed` with a message (and the tail of what the run printed, if
  // known); keeps the epochs recorded so far.
  void end_run(const RunLease& lease, RunStatus status, const std::string& error, const std::string& output_tail = "");
  // Records the names of the run's classes (its dataset's DatasetInfo::class_names), index
  // i naming class i, replacing any it had; class_names.cpp. LostClaimError as above.
  void set_class_names(const RunLease& lease, const std::vector<std::string>& names);

  std::vector<RunRow> list_runs(const RunFilter& filter = {}) const;
  // The run a person names on a command line (`report show`, `runner --evaluate`), by the
  // one rule of docs/store.md: the run with id `reference` when it is all digits and such
  // a run exists; else the one run whose config hash starts with `reference`, which must
  // be at least kMinHashPrefix characters (live runs first: an archived run only when no
  // live one matches). nullopt when no run matches; StoreError naming the candidates when
  // several do.
  std::optional<RunRow> find_run_by_reference(const std::string& reference) const;
  std::optional<RunOrigin> run_origin(std::int64_t run_id) const;
  std::vector<EpochRow> epochs(std::int64_t run_id) const;
  std::vector<MetricRow> metrics(std::int64_t run_id) const;
  std::vector<MatrixRow> matrices(std::int64_t run_id) const;
  std::optional<PredictionRow> predictions(std::int64_t run_id, const std::string& split) const;
  // The run's class names in class order; empty when none were stored (a run recorded
  // before migration 0005, or one that failed before its data was loaded).
  std::vector<std::string> class_names(std::int64_t run_id) const;
  // Folder for a store's files other than the database: "<db>.artifacts".
  std::string artifact_dir() const { return path_ + ".artifacts"; }

  // People's labels and the archive (run_labels.cpp). Tag keys are letters, digits and
  // _ . - / (at most kMaxTagKey characters); an empty value removes the key. Each call is
  // one transaction; StoreError names an unknown run or a bad key.
  void set_tags(const std::vector<std::int64_t>& run_ids, const std::vector<std::pair<std::string, std::string>>& tags);
  void set_note(std::int64_t run_id, const std::string& note);  // "" clears it
  // Moves the run out of the listings, and its files to archived_artifact_folder(); false
  // when it was archived already. A run being trained (running, not stale under
  // `liveness`) is refused: RunIsRunningError; a stale one is marked killed.
  bool archive_run(std::int64_t run_id, const ClaimPolicy& liveness);
  // Makes an archived run live again, its files back in live_artifact_folder(); false when
  // it was live. Refused when its configuration has a live run already.
  bool unarchive_run(std::int64_t run_id);
  // Deletes the run, the rows of every table that references it and its files
  // (run_removal.cpp); a dry run only says what it would delete. A run being trained is
  // refused (RunIsRunningError) unless `even_if_running`.
  RemovedRun remove_run(std::int64_t run_id, bool dry_run, bool even_if_running, const ClaimPolicy& liveness);

 private:
  // Refreshes the run's heartbeat if `lease` still holds it; else throws as below.
  void touch(const RunLease& lease);
  // Throws when the last UPDATE of a lease's run changed nothing: LostClaimError when the
  // run exists, StoreError "no run with id" when it does not.
  void require_lease_held(const RunLease& lease) const;
  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace ablate::db
