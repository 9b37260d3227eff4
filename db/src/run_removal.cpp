// `report rm`: deletes a run with every row that references it and the files it owns.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "ablate/error.hpp"
#include "sqlite_support.hpp"
#include "store.hpp"

namespace ablate::db {

namespace fs = std::filesystem;

namespace {

struct Reference {
  std::string table;
  std::string column;
};

// Every (table, column) with a foreign key to runs (id), from SQLite's own catalogue: a
// table a later migration adds is covered without being listed here.
std::vector<Reference> references_to_runs(SQLite::Database& db) {
  SQLite::Statement query(db, "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f "
                              "WHERE m.type = 'table' AND f.\"table\" = 'runs' ORDER BY m.name");
  std::vector<Reference> references;
  while (query.executeStep()) references.push_back({query.getColumn(0).getString(), query.getColumn(1).getString()});
  return references;
}

// The files a run owns, relative to the artifact folder: everything in its folder, and
// its checkpoint wherever it is.
std::vector<std::string> files_of(const fs::path& artifacts, const std::string& folder, const std::string& checkpoint) {
  std::vector<std::string> files;
  std::error_code error;
  if (fs::is_directory(artifacts / folder, error)) {
    for (fs::recursive_directory_iterator it(artifacts / folder, error), end; !error && it != end;
         it.increment(error)) {
      if (it->is_regular_file(error)) files.push_back(fs::relative(it->path(), artifacts, error).string());
    }
  }
  if (!checkpoint.empty() && fs::is_regular_file(artifacts / checkpoint, error) &&
      std::find(files.begin(), files.end(), checkpoint) == files.end()) {
    files.push_back(checkpoint);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

RemovedRun Store::remove_run(std::int64_t run_id, bool dry_run, bool even_if_running, const ClaimPolicy& liveness) {
  RemovedRun removed;
  std::string folder;
  std::string checkpoint;
  guarded(path_, dry_run ? "cannot read a run" : "cannot remove a run", [&] {
    // A dry run reads one snapshot and takes no write lock.
    SQLite::Transaction transaction(*db_, dry_run ? SQLite::TransactionBehavior::DEFERRED
                                                  : SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement query(*db_, std::string(kRunSelect) + "WHERE r.id = ?");
    query.bind(1, run_id);
    if (!query.executeStep()) throw StoreError(fmt::format("store {}: no run with id {}", path_, run_id));
    removed.run = read_run_row(query);
    query.reset();
    const RunRow& run = removed.run;
    if (run.status == RunStatus::running && !even_if_running && !is_stale(run, liveness)) {
      throw RunIsRunningError(fmt::format("run {} is running (heartbeat {:.0f} s ago, runner pid {} on {}): a runner "
                                          "is training it",
                                          run_id, run.heartbeat_age_seconds, run.pid, run.host));
    }
    SQLite::Statement path(*db_, "SELECT coalesce(checkpoint, '') FROM runs WHERE id = ?");
    path.bind(1, run_id);
    path.executeStep();
    checkpoint = path.getColumn(0).getString();
    path.reset();

    for (const auto& reference : references_to_runs(*db_)) {
      // Names from SQLite's catalogue, quoted all the same.
      const std::string where = fmt::format("FROM \"{}\" WHERE \"{}\" = ?", reference.table, reference.column);
      SQLite::Statement count(*db_, "SELECT count(*) " + where);
      count.bind(1, run_id);
      count.executeStep();
      const std::int64_t rows = count.getColumn(0).getInt64();
      count.reset();
      if (rows == 0) continue;
      removed.rows.emplace_back(reference.table, rows);
      if (dry_run) continue;
      SQLite::Statement remove(*db_, "DELETE " + where);
      remove.bind(1, run_id);
      remove.exec();
    }
    if (!dry_run) {
      SQLite::Statement remove(*db_, "DELETE FROM runs WHERE id = ?");
      remove.bind(1, run_id);
      remove.exec();
    }
    transaction.commit();
  });

  // The files go after the rows have: a file without its run is litter, a run without its
  // checkpoint would be a broken promise.
  const RunRow& run = removed.run;
  folder = run.archived() ? archived_artifact_folder(run_id) : live_artifact_folder(run.config_hash);
  const fs::path artifacts = artifact_dir();
  removed.files = files_of(artifacts, folder, checkpoint);
  if (dry_run) return removed;
  std::error_code error;
  fs::remove_all(artifacts / folder, error);
  if (!error && !checkpoint.empty()) fs::remove(artifacts / checkpoint, error);
  // The last archived run's folder takes archive/ with it.
  if (!error && run.archived() && fs::is_empty(artifacts / "archive", error)) fs::remove(artifacts / "archive", error);
  if (error) {
    throw StoreError(fmt::format("store {}: run {} was removed, but not all of its files in {}: {}", path_, run_id,
                                 (artifacts / folder).string(), error.message()));
  }
  return removed;
}

}  // namespace ablate::db
