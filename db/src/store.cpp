// The run store on SQLite: opening and migrating the file, and every read and write.
#include "store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "ablate/error.hpp"
#include "migrations.hpp"
#include "run_labels.hpp"
#include "sqlite_support.hpp"

namespace ablate::db {

namespace {

// Long enough for several runner processes finishing epochs at once; short enough that a
// truly stuck lock is reported rather than hanging the grid.
constexpr int kBusyTimeoutMs = 60000;

// One place for "now", so every timestamp in the store has the same UTC ISO-8601 form.
constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

int read_user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

// Names of the tables a user or another program created (SQLite's own are skipped).
std::vector<std::string> user_tables(SQLite::Database& db) {
  std::vector<std::string> names;
  SQLite::Statement query(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                              "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
  while (query.executeStep()) names.push_back(query.getColumn(0).getString());
  return names;
}

bool has_table(const std::vector<std::string>& tables, const std::string& name) {
  for (const auto& table : tables) {
    if (table == name) return true;
  }
  return false;
}

// claim_run's policy, in one place: whether a runner may take the cell whose run is
// already stored as `run` (a cell with no run yet is always taken).
ClaimOutcome decide_claim(const RunRow& run, const ClaimPolicy& policy) {
  if (run.status == RunStatus::finished && !policy.force) return ClaimOutcome::finished;
  if (run.status == RunStatus::failed && !policy.retry_failed && !policy.force) return ClaimOutcome::failed;
  if (run.status == RunStatus::running && !policy.take_running && !Store::is_stale(run, policy)) {
    return ClaimOutcome::running_elsewhere;
  }
  return ClaimOutcome::claimed;
}

}  // namespace

int current_schema_version() { return detail::migration_count(); }

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::pending:
      return "pending";
    case RunStatus::running:
      return "running";
    case RunStatus::finished:
      return "finished";
    case RunStatus::failed:
      return "failed";
    case RunStatus::killed:
      return "killed";
  }
  return "unknown";
}

RunStatus parse_run_status(const std::string& text) {
  for (RunStatus status :
       {RunStatus::pending, RunStatus::running, RunStatus::finished, RunStatus::failed, RunStatus::killed}) {
    if (text == to_string(status)) return status;
  }
  throw StoreError(fmt::format("unknown run status '{}': expected one of pending, running, finished, failed, killed",
                               text));
}

std::unique_ptr<SQLite::Database> open_read_only(const std::string& path, int busy_timeout_ms) {
  const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
  if (access(folder.c_str(), W_OK) == 0) {
    return std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY, busy_timeout_ms);
  }
  // A URI names the file: percent-encode what a URI path would read otherwise.
  std::string uri = "file:";
  for (const char c : std::filesystem::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#') {
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  uri += "?immutable=1";
  return std::make_unique<SQLite::Database>(uri, SQLite::OPEN_READONLY | SQLite::OPEN_URI, busy_timeout_ms);
}

Store::Store(const std::string& path, OpenMode mode) : path_(path) {
  const bool read_only = mode == OpenMode::read_only;
  // Checked before SQLite sees the path: even a read-only open would otherwise report a
  // bare "unable to open database file".
  if (read_only && !std::filesystem::exists(path_)) {
    throw StoreError(fmt::format("no store at {}: run `runner EXPERIMENT.yaml` first, or pass --db", path_));
  }

  try {
    db_ = read_only
              ? open_read_only(path_, kBusyTimeoutMs)
              : std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
  } catch (const SQLite::Exception& e) {
    throw StoreError(fmt::format("cannot open store {}: {}", path_, e.what()), e.getExtendedErrorCode());
  }

  // A non-SQLite file opens fine and fails on the first read: make that read here, and
  // say plainly what the file is not.
  int version = 0;
  std::vector<std::string> tables;
  try {
    // One read transaction, so both come from one snapshot: read apart, another runner's
    // first migration could commit in between (version 0, yet tables), and a fresh store
    // that several runners open at once would be refused as someone else's database.
    SQLite::Transaction snapshot(*db_);
    version = read_user_version(*db_);
    tables = user_tables(*db_);
    snapshot.commit();
  } catch (const SQLite::Exception& e) {
    throw StoreError(fmt::format("{} is not an Ablate store: {}", path_, e.what()), e.getExtendedErrorCode());
  }

  const int current = current_schema_version();
  if (version > current) {
    throw StoreError(fmt::format("store {} was written by a newer Ablate (schema {}, this binary knows {}): "
                                 "upgrade ablate",
                                 path_, version, current));
  }
  // user_version 0 with tables, or a version without our `runs` table: some other
  // program's database. Migrating it would mix our tables into someone else's file.
  if (version == 0 && !tables.empty()) {
    throw StoreError(fmt::format("{} is not an Ablate store: it has tables ({}) but no Ablate schema version", path_,
                                 fmt::join(tables, ", ")));
  }
  if (version > 0 && !has_table(tables, "runs")) {
    throw StoreError(fmt::format("{} is not an Ablate store: schema version {} but no `runs` table", path_, version));
  }

  if (read_only) {
    if (version == 0) {
      throw StoreError(fmt::format("{} is empty, not an Ablate store yet: run `runner EXPERIMENT.yaml` first, or "
                                   "pass --db",
                                   path_));
    }
    if (version < current) {
      throw StoreError(fmt::format("store {} has schema {}, this binary reads schema {}: run `runner` once on it to "
                                   "upgrade it",
                                   path_, version, current));
    }
    guarded(path_, "cannot configure", [&] { db_->exec("PRAGMA foreign_keys = ON"); });
    return;
  }

  guarded(path_, "cannot configure", [&] {
    // WAL lets several runner processes write while report reads. Switching a fresh file
    // to WAL needs an exclusive lock, and SQLite answers "locked" at once rather than
    // waiting when two runners open it together: retry for a while.
    for (int attempt = 0;; ++attempt) {
      try {
        db_->exec("PRAGMA journal_mode = WAL");
        break;
      } catch (const SQLite::Exception& e) {
        const int code = e.getErrorCode();
        if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || attempt >= 200) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });

  // Each migration commits together with its version number, so a crash between two
  // leaves a consistent store. IMMEDIATE takes the write lock before re-reading the
  // version: two runners opening a fresh store at once apply each migration only once.
  // Foreign keys are off until they are done, as SQLite's recipe for rebuilding a table
  // says (0006 rebuilds `runs`: with them on, dropping the old table would delete every
  // row that references it), and each migration is checked against them before it commits.
  guarded(path_, "cannot migrate", [&] {
    for (;;) {
      SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
      const int now = read_user_version(*db_);
      if (now >= current) break;
      if (now > 0 && !has_table(user_tables(*db_), "runs")) {
        throw StoreError(fmt::format("{} is not an Ablate store: schema version {} but no `runs` table", path_, now));
      }
      const detail::Migration& migration = detail::migrations()[now];
      try {
        db_->exec(migration.sql);
      } catch (const SQLite::Exception& e) {
        throw StoreError(fmt::format("store {}: migration {} failed: {}", path_, migration.name, e.what()),
                         e.getExtendedErrorCode());
      }
      SQLite::Statement violations(*db_, "PRAGMA foreign_key_check");
      if (violations.executeStep()) {
        throw StoreError(fmt::format("store {}: migration {} would leave a row of `{}` pointing at no row of `{}`; "
                                     "nothing was changed",
                                     path_, migration.name, violations.getColumn(0).getString(),
                                     violations.getColumn(2).getString()));
      }
      // PRAGMA takes no bound parameters; the value is our own integer, not user data.
      db_->exec(fmt::format("PRAGMA user_version = {}", now + 1));
      transaction.commit();
    }
  });
  guarded(path_, "cannot configure", [&] { db_->exec("PRAGMA foreign_keys = ON"); });
}

Store::~Store() = default;

int Store::schema_version() const {
  return guarded(path_, "cannot read the schema version", [&] { return read_user_version(*db_); });
}

std::int64_t Store::add_grid(const std::string& name, const std::string& experiment, const std::string& spec_yaml) {
  return guarded(path_, "cannot record the grid", [&] {
    SQLite::Statement insert(*db_, fmt::format("INSERT INTO grids (name, experiment, spec_yaml, "
                                               "created_at) VALUES (?, ?, ?, {})",
                                               kNow));
    insert.bind(1, name);
    insert.bind(2, experiment);
    insert.bind(3, spec_yaml);
    insert.exec();
    return db_->getLastInsertRowid();
  });
}

std::optional<RunRow> Store::find_run(const std::string& config_hash) const {
  return guarded(path_, "cannot look up a run", [&]() -> std::optional<RunRow> {
    SQLite::Statement query(*db_, std::string(kRunSelect) + "WHERE r.config_hash = ? AND r.archived_at IS NULL");
    query.bind(1, config_hash);
    if (!query.executeStep()) return std::nullopt;
    return read_run_row(query);
  });
}

bool Store::is_stale(const RunRow& run, const ClaimPolicy& policy) {
  if (run.status != RunStatus::running) return false;
  if (run.heartbeat_age_seconds > policy.stale_after_seconds) return true;
  // On this host a dead owner is known at once, without waiting for the heartbeat.
  return !policy.host.empty() && run.host == policy.host && run.pid > 0 &&
         ::kill(static_cast<pid_t>(run.pid), 0) != 0 && errno == ESRCH;
}

RunLease Store::start_run(const RunClaim& claim) {
  ClaimPolicy policy;
  policy.retry_failed = true;
  policy.take_running = true;
  const ClaimResult result = claim_run(claim, policy);
  if (result.outcome == ClaimOutcome::finished) {
    throw StoreError(fmt::format("store {}: run {} (config {}) is already finished; it is not started again", path_,
                                 result.run_id, claim.config_hash));
  }
  return result.lease();
}

ClaimResult Store::preview_claim(const std::string& config_hash, const ClaimPolicy& policy) const {
  const auto existing = find_run(config_hash);
  if (!existing) return {ClaimOutcome::claimed, 0};
  const ClaimOutcome outcome = decide_claim(*existing, policy);
  // As claim_run: a forced finished run is archived, and a new run (not yet stored) claimed.
  if (outcome == ClaimOutcome::claimed && existing->status == RunStatus::finished) {
    return {outcome, 0, 0, existing->id};
  }
  return {outcome, existing->id};
}

ClaimResult Store::claim_run(const RunClaim& claim, const ClaimPolicy& policy) {
  return guarded(path_, "cannot start a run", [&]() -> ClaimResult {
    // IMMEDIATE: the check and the claim happen under one write lock, so two runners
    // cannot both see the cell free and both take it.
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);

    std::optional<std::int64_t> existing;
    std::int64_t archived_run_id = 0;
    std::optional<detail::PendingRename> archived_files;
    {
      SQLite::Statement query(*db_, std::string(kRunSelect) + "WHERE r.config_hash = ? AND r.archived_at IS NULL");
      query.bind(1, claim.config_hash);
      if (query.executeStep()) {
        const RunRow row = read_run_row(query);
        const ClaimOutcome outcome = decide_claim(row, policy);
        if (outcome != ClaimOutcome::claimed) return {outcome, row.id};
        if (row.status == RunStatus::finished) {
          // --force keeps a finished result: archived, with its checkpoint, and a new run.
          archived_files = detail::archive_in_transaction(*db_, artifact_dir(), row.id);
          archived_run_id = row.id;
        } else {
          existing = row.id;
        }
      }
    }

    // The same columns for a new run and a reset one; results of an earlier attempt are
    // cleared so that a reset run looks exactly like a fresh one.
    // clang-format off
    const std::string columns =
        "config_json = :config_json, status = 'running', arm = :arm, model = :model, "
        "dataset = :dataset, resolution = :resolution, seed = :seed, "
        "params_trainable = NULL, params_total = NULL, epochs = NULL, best_epoch = NULL, "
        "train_seconds = NULL, test_seconds = NULL, error = NULL, finished_at = NULL, "
        "params_bytes = NULL, flops_per_image = NULL, layer_summary = NULL, "
        "mean_epoch_seconds = NULL, latency_ms = NULL, peak_rss_bytes = NULL, "
        "peak_cuda_bytes = NULL, checkpoint = NULL, output_tail = NULL, "
        "started_at = " + std::string(kNow) + ", heartbeat_at = " + std::string(kNow) + ", "
        "attempt = attempt + 1, pid = :pid, host = :host, device = :device, threads = :threads, "
        "torch_version = :torch_version, ablate_version = :ablate_version, "
        "git_commit = :git_commit, git_dirty = :git_dirty, plugin_versions = :plugin_versions";
    // clang-format on

    std::int64_t run_id = 0;
    if (existing) {
      run_id = *existing;
      for (const char* table : {"epochs", "metrics", "matrices", "predictions", "class_names"}) {
        SQLite::Statement clear(*db_, fmt::format("DELETE FROM {} WHERE run_id = ?", table));
        clear.bind(1, run_id);
        clear.exec();
      }
    } else {
      // A placeholder row, then the shared UPDATE: one list of columns to keep right.
      SQLite::Statement insert(*db_, "INSERT INTO runs (config_hash, config_json, status, arm, model, "
                                     "dataset, resolution, seed) VALUES (?, '', 'running', '', '', "
                                     "'', 0, 0)");
      insert.bind(1, claim.config_hash);
      insert.exec();
      run_id = db_->getLastInsertRowid();
    }

    SQLite::Statement update(*db_, "UPDATE runs SET " + columns + " WHERE id = :id");
    update.bind(":id", run_id);
    update.bind(":config_json", claim.config_json);
    update.bind(":arm", claim.arm);
    update.bind(":model", claim.model);
    update.bind(":dataset", claim.dataset);
    update.bind(":resolution", claim.resolution);
    update.bind(":seed", claim.seed);
    update.bind(":pid", claim.pid);
    update.bind(":host", claim.host);
    update.bind(":device", claim.device);
    update.bind(":threads", claim.threads);
    update.bind(":torch_version", claim.torch_version);
    if (claim.ablate_version.empty()) update.bind(":ablate_version");
    else update.bind(":ablate_version", claim.ablate_version);
    update.bind(":git_commit", claim.git_commit);
    update.bind(":git_dirty", claim.git_dirty ? 1 : 0);
    update.bind(":plugin_versions", claim.plugin_versions_json);
    update.exec();

    if (claim.grid_id != 0) {
      SQLite::Statement link(*db_, "INSERT OR IGNORE INTO grid_runs (grid_id, run_id) VALUES (?, ?)");
      link.bind(1, claim.grid_id);
      link.bind(2, run_id);
      link.exec();
    }
    SQLite::Statement attempt(*db_, "SELECT attempt FROM runs WHERE id = ?");
    attempt.bind(1, run_id);
    attempt.executeStep();
    const std::int64_t claimed_attempt = attempt.getColumn(0).getInt64();
    attempt.reset();
    transaction.commit();
    if (archived_files) archived_files->keep();
    return ClaimResult{ClaimOutcome::claimed, run_id, claimed_attempt, archived_run_id};
  });
}

// The condition every write of a claimed run adds to its UPDATE of `runs`, binding the
// run id and the attempt as ?1 and ?2.
constexpr const char* kLeaseHeld = "id = ?1 AND attempt = ?2 AND status = 'running'";

void Store::require_lease_held(const RunLease& lease) const {
  if (db_->getChanges() > 0) return;
  SQLite::Statement query(*db_, "SELECT status, attempt FROM runs WHERE id = ?");
  query.bind(1, lease.run_id);
  if (!query.executeStep()) throw StoreError(fmt::format("store {}: no run with id {}", path_, lease.run_id));
  const std::string status = query.getColumn(0).getString();
  const std::int64_t attempt = query.getColumn(1).getInt64();
  if (attempt != lease.attempt) {
    throw LostClaimError(fmt::format("store {}: run {} was taken over by another runner (its claim {} replaced this "
                                     "runner's claim {}, after no heartbeat for longer than the stale limit): "
                                     "nothing of this runner's was written to it",
                                     path_, lease.run_id, attempt, lease.attempt));
  }
  throw LostClaimError(fmt::format("store {}: run {} is already {}: nothing more was written to it", path_,
                                   lease.run_id, status));
}

void Store::touch(const RunLease& lease) {
  SQLite::Statement update(*db_, fmt::format("UPDATE runs SET heartbeat_at = {} WHERE {}", kNow, kLeaseHeld));
  update.bind(1, lease.run_id);
  update.bind(2, lease.attempt);
  update.exec();
  require_lease_held(lease);
}

void Store::heartbeat(const RunLease& lease) {
  guarded(path_, "cannot refresh the heartbeat", [&] { touch(lease); });
}

void Store::add_epoch(const RunLease& lease, const EpochRow& epoch) {
  guarded(path_, "cannot record an epoch", [&] {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    // A finished epoch is also proof of life, and the check of the lease: the insert below
    // runs in the same transaction only if this runner still holds the run.
    touch(lease);
    const std::int64_t run_id = lease.run_id;

    SQLite::Statement insert(*db_, "INSERT INTO epochs (run_id, epoch, train_loss, train_accuracy, "
                                   "val_loss, val_accuracy, learning_rate, seconds, images_per_second) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, run_id);
    insert.bind(2, epoch.epoch);
    insert.bind(3, epoch.train_loss);
    insert.bind(4, epoch.train_accuracy);
    insert.bind(5, epoch.val_loss);
    insert.bind(6, epoch.val_accuracy);
    insert.bind(7, epoch.learning_rate);
    insert.bind(8, epoch.seconds);
    insert.bind(9, epoch.images_per_second);
    insert.exec();
    transaction.commit();
  });
}

void Store::finish_run(const RunLease& lease, const RunSummary& summary, const std::vector<MetricRow>& metrics,
                       const std::vector<MatrixRow>& matrices, const std::vector<PredictionRow>& predictions) {
  const std::int64_t run_id = lease.run_id;
  for (const auto& prediction : predictions) {
    if (static_cast<std::int64_t>(prediction.labels.size()) != prediction.count ||
        static_cast<std::int64_t>(prediction.scores.size()) != prediction.count * prediction.num_classes) {
      throw StoreError(
          fmt::format("store {}: predictions/{} of run {} declare {} x {} but have {} labels and {} scores", path_,
                      prediction.split, run_id, prediction.count, prediction.num_classes, prediction.labels.size(),
                      prediction.scores.size()));
    }
  }
  // Checked before any write: a malformed matrix must not leave a half-finished run.
  for (const auto& matrix : matrices) {
    if (matrix.rows < 0 || matrix.cols < 0 ||
        static_cast<std::size_t>(matrix.rows * matrix.cols) != matrix.values.size()) {
      throw StoreError(fmt::format("store {}: matrix {}/{} of run {} is {}x{} but has {} values", path_, matrix.split,
                                   matrix.name, run_id, matrix.rows, matrix.cols, matrix.values.size()));
    }
  }

  guarded(path_, "cannot finish a run", [&] {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement update(*db_, fmt::format("UPDATE runs SET status = 'finished', params_trainable = ?3, "
                                               "params_total = ?4, epochs = ?5, best_epoch = ?6, train_seconds = ?7, "
                                               "test_seconds = ?8, params_bytes = ?9, flops_per_image = ?10, "
                                               "layer_summary = ?11, mean_epoch_seconds = ?12, latency_ms = ?13, "
                                               "peak_rss_bytes = ?14, peak_cuda_bytes = ?15, checkpoint = ?16, "
                                               "error = NULL, finished_at = {0}, heartbeat_at = {0} WHERE {1}",
                                               kNow, kLeaseHeld));
    // ?1 and ?2 are the lease (kLeaseHeld); the results follow from ?3.
    update.bind(1, lease.run_id);
    update.bind(2, lease.attempt);
    update.bind(3, summary.params_trainable);
    update.bind(4, summary.params_total);
    update.bind(5, summary.epochs);
    update.bind(6, summary.best_epoch);
    update.bind(7, summary.train_seconds);
    update.bind(8, summary.test_seconds);
    update.bind(9, summary.params_bytes);
    update.bind(10, summary.flops_per_image);
    if (summary.layer_summary_json.empty()) update.bind(11);
    else update.bind(11, summary.layer_summary_json);
    update.bind(12, summary.mean_epoch_seconds);
    update.bind(13, summary.latency_ms);
    update.bind(14, summary.peak_rss_bytes);
    if (summary.peak_cuda_bytes) update.bind(15, *summary.peak_cuda_bytes);
    else update.bind(15);
    if (summary.checkpoint.empty()) update.bind(16);
    else update.bind(16, summary.checkpoint);
    update.exec();
    require_lease_held(lease);

    SQLite::Statement mark_best(*db_, "UPDATE epochs SET is_best = (epoch = ?) WHERE run_id = ?");
    mark_best.bind(1, summary.best_epoch);
    mark_best.bind(2, run_id);
    mark_best.exec();

    SQLite::Statement prediction_insert(*db_, "INSERT OR REPLACE INTO predictions (run_id, split, count, "
                                              "num_classes, labels, scores) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& prediction : predictions) {
      // The blobs' layout is little-endian int32/float32, which is this machine's order.
      static_assert(sizeof(float) == 4, "float32 scores");
      prediction_insert.reset();
      prediction_insert.bind(1, run_id);
      prediction_insert.bind(2, prediction.split);
      prediction_insert.bind(3, prediction.count);
      prediction_insert.bind(4, prediction.num_classes);
      prediction_insert.bind(5, prediction.labels.data(),
                             static_cast<int>(prediction.labels.size() * sizeof(std::int32_t)));
      prediction_insert.bind(6, prediction.scores.data(), static_cast<int>(prediction.scores.size() * sizeof(float)));
      prediction_insert.exec();
    }

    SQLite::Statement metric_insert(*db_,
                                    "INSERT OR REPLACE INTO metrics (run_id, split, name, value) VALUES (?, ?, ?, ?)");
    for (const auto& metric : metrics) {
      metric_insert.reset();
      metric_insert.bind(1, run_id);
      metric_insert.bind(2, metric.split);
      metric_insert.bind(3, metric.name);
      metric_insert.bind(4, metric.value);
      metric_insert.exec();
    }

    SQLite::Statement matrix_insert(*db_, "INSERT OR REPLACE INTO matrices (run_id, split, name, "
                                          "rows, cols, values_json) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& matrix : matrices) {
      matrix_insert.reset();
      matrix_insert.bind(1, run_id);
      matrix_insert.bind(2, matrix.split);
      matrix_insert.bind(3, matrix.name);
      matrix_insert.bind(4, matrix.rows);
      matrix_insert.bind(5, matrix.cols);
      matrix_insert.bind(6, nlohmann::json(matrix.values).dump());
      matrix_insert.exec();
    }
    transaction.commit();
  });
}

void Store::end_run(const RunLease& lease, RunStatus status, const std::string& error, const std::string& output_tail) {
  if (status != RunStatus::failed && status != RunStatus::killed) {
    throw StoreError(fmt::format("store {}: end_run of run {} needs status failed or killed, "
                                 "not {}",
                                 path_, lease.run_id, to_string(status)));
  }
  guarded(path_, "cannot end a run", [&] {
    SQLite::Statement update(*db_, fmt::format("UPDATE runs SET status = ?3, error = ?4, output_tail = ?5, "
                                               "finished_at = {0}, heartbeat_at = {0} WHERE {1}",
                                               kNow, kLeaseHeld));
    update.bind(1, lease.run_id);
    update.bind(2, lease.attempt);
    update.bind(3, to_string(status));
    update.bind(4, error);
    if (output_tail.empty()) update.bind(5);
    else update.bind(5, output_tail);
    update.exec();
    require_lease_held(lease);
  });
}

std::vector<RunRow> Store::list_runs(const RunFilter& filter) const {
  return guarded(path_, "cannot list runs", [&] {
    // A NULL parameter switches its filter off, so one statement serves every filter.
    SQLite::Statement query(*db_, std::string(kRunSelect) + "WHERE (?1 IS NULL OR r.arm = ?1) "
                                                            "AND (?2 IS NULL OR r.status = ?2) "
                                                            "AND (?3 OR r.archived_at IS NULL) "
                                                            "ORDER BY r.arm, r.resolution, r.seed, r.id");
    if (filter.arm) query.bind(1, *filter.arm);
    if (filter.status) query.bind(2, to_string(*filter.status));
    query.bind(3, filter.include_archived ? 1 : 0);
    std::vector<RunRow> rows;
    while (query.executeStep()) rows.push_back(read_run_row(query));
    return rows;
  });
}

std::vector<EpochRow> Store::epochs(std::int64_t run_id) const {
  return guarded(path_, "cannot read epochs", [&] {
    SQLite::Statement query(*db_, fmt::format("SELECT {} FROM epochs WHERE run_id = ? ORDER BY epoch", kEpochColumns));
    query.bind(1, run_id);
    std::vector<EpochRow> rows;
    while (query.executeStep()) rows.push_back(read_epoch_row(query));
    return rows;
  });
}

std::vector<MetricRow> Store::metrics(std::int64_t run_id) const {
  return guarded(path_, "cannot read metrics", [&] {
    SQLite::Statement query(*db_, "SELECT split, name, value FROM metrics WHERE run_id = ? ORDER BY split, name");
    query.bind(1, run_id);
    std::vector<MetricRow> rows;
    while (query.executeStep()) {
      // SQLite stores NaN (an undefined metric, e.g. AUC without positives) as NULL.
      const SQLite::Column value = query.getColumn(2);
      rows.push_back(MetricRow{query.getColumn(0).getString(), query.getColumn(1).getString(),
                               value.isNull() ? std::nan("") : value.getDouble()});
    }
    return rows;
  });
}

std::vector<MatrixRow> Store::matrices(std::int64_t run_id) const {
  return guarded(path_, "cannot read matrices", [&] {
    SQLite::Statement query(*db_, "SELECT split, name, rows, cols, values_json FROM matrices "
                                  "WHERE run_id = ? ORDER BY split, name");
    query.bind(1, run_id);
    std::vector<MatrixRow> rows;
    while (query.executeStep()) {
      MatrixRow row;
      row.split = query.getColumn(0).getString();
      row.name = query.getColumn(1).getString();
      row.rows = query.getColumn(2).getInt64();
      row.cols = query.getColumn(3).getInt64();
      const std::string text = query.getColumn(4).getString();
      try {
        row.values = nlohmann::json::parse(text).get<std::vector<double>>();
      } catch (const nlohmann::json::exception& e) {
        throw StoreError(fmt::format("store {}: matrix {}/{} of run {} is not a JSON array of "
                                     "numbers: {}",
                                     path_, row.split, row.name, run_id, e.what()));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

std::optional<PredictionRow> Store::predictions(std::int64_t run_id, const std::string& split) const {
  return guarded(path_, "cannot read predictions", [&]() -> std::optional<PredictionRow> {
    SQLite::Statement query(*db_, "SELECT count, num_classes, labels, scores FROM predictions "
                                  "WHERE run_id = ? AND split = ?");
    query.bind(1, run_id);
    query.bind(2, split);
    if (!query.executeStep()) return std::nullopt;
    PredictionRow row;
    row.split = split;
    row.count = query.getColumn(0).getInt64();
    row.num_classes = query.getColumn(1).getInt64();
    const SQLite::Column labels = query.getColumn(2);
    const SQLite::Column scores = query.getColumn(3);
    if (labels.getBytes() != row.count * 4 || scores.getBytes() != row.count * row.num_classes * 4) {
      throw StoreError(fmt::format("store {}: predictions/{} of run {} are truncated ({} and {} bytes "
                                   "for {} x {})",
                                   path_, split, run_id, labels.getBytes(), scores.getBytes(), row.count,
                                   row.num_classes));
    }
    row.labels.resize(row.count);
    row.scores.resize(row.count * row.num_classes);
    std::memcpy(row.labels.data(), labels.getBlob(), labels.getBytes());
    std::memcpy(row.scores.data(), scores.getBlob(), scores.getBytes());
    return row;
  });
}

std::optional<RunRow> Store::find_run_by_reference(const std::string& reference) const {
  return guarded(path_, "cannot look up a run", [&]() -> std::optional<RunRow> {
    // 18 digits always fit an int64; longer numbers can only be (unusual) hash prefixes.
    const bool numeric =
        !reference.empty() && reference.size() <= 18 && reference.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) {
      SQLite::Statement query(*db_, std::string(kRunSelect) + "WHERE r.id = ?");
      query.bind(1, static_cast<std::int64_t>(std::stoll(reference)));
      if (query.executeStep()) return read_run_row(query);
    }
    if (reference.size() < kMinHashPrefix) return std::nullopt;
    // A hash prefix: LIKE would treat % and _ as wildcards, substr compares literally.
    // Live runs first: a configuration run again with --force has archived runs too, and
    // its hash names the live one; archived runs are named only when no live run matches.
    constexpr std::size_t kCandidatesShown = 3;
    std::vector<RunRow> matches;
    for (const char* which : {"AND r.archived_at IS NULL ", ""}) {
      SQLite::Statement query(*db_, std::string(kRunSelect) + "WHERE substr(r.config_hash, 1, ?) = ? " + which +
                                        "ORDER BY r.id LIMIT ?");
      query.bind(1, static_cast<std::int64_t>(reference.size()));
      query.bind(2, reference);
      query.bind(3, static_cast<std::int64_t>(kCandidatesShown + 1));
      while (query.executeStep()) matches.push_back(read_run_row(query));
      if (!matches.empty()) break;
    }
    if (matches.empty()) return std::nullopt;
    if (matches.size() == 1) return matches.front();
    std::vector<std::string> hashes;
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < matches.size() && i < kCandidatesShown; ++i) {
      hashes.push_back(matches[i].config_hash);
      ids.push_back(std::to_string(matches[i].id));
    }
    if (matches.size() > kCandidatesShown) {
      hashes.emplace_back("\u2026");
      ids.emplace_back("\u2026");
    }
    if (std::all_of(matches.begin(), matches.end(),
                    [&](const RunRow& run) { return run.config_hash == matches.front().config_hash; })) {
      throw StoreError(fmt::format("run '{}' is ambiguous in {}: archived runs {} have that configuration; give the "
                                   "run id",
                                   reference, path_, fmt::join(ids, ", ")));
    }
    throw StoreError(fmt::format("run '{}' is ambiguous in {}: config hashes {} start with it; give more of the hash",
                                 reference, path_, fmt::join(hashes, ", ")));
  });
}

std::optional<RunOrigin> Store::run_origin(std::int64_t run_id) const {
  return guarded(path_, "cannot read a run's origin", [&]() -> std::optional<RunOrigin> {
    SQLite::Statement query(*db_, "SELECT g.experiment, g.spec_yaml, r.checkpoint, r.threads FROM runs r "
                                  "JOIN grid_runs gr ON gr.run_id = r.id JOIN grids g ON g.id = gr.grid_id "
                                  "WHERE r.id = ? ORDER BY g.id DESC LIMIT 1");
    query.bind(1, run_id);
    if (!query.executeStep()) return std::nullopt;
    return RunOrigin{query.getColumn(0).getString(), query.getColumn(1).getString(), text_or_empty(query.getColumn(2)),
                     query.getColumn(3).getInt64()};  // NULL reads as 0
  });
}

}  // namespace ablate::db
