// The store's internals for archived runs, shared by run_labels.cpp (report archive) and
// store.cpp (runner --force archives the run it replaces): moving a run's files together
// with its row, in one transaction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace SQLite {
class Database;
}

namespace ablate::db::detail {

// A file or folder renamed as part of a store transaction: renamed back by the destructor
// unless keep() was called after the commit, so that a transaction that rolls back leaves
// the files where its rows say they are. Nothing to rename (`from` missing) is no error.
class PendingRename {
 public:
  PendingRename() = default;
  // Renames now; an existing `to` (files no row names) is replaced. Throws StoreError.
  PendingRename(std::filesystem::path from, std::filesystem::path to);
  PendingRename(PendingRename&& other) noexcept;
  PendingRename& operator=(PendingRename&& other) noexcept;
  PendingRename(const PendingRename&) = delete;
  PendingRename& operator=(const PendingRename&) = delete;
  ~PendingRename();
  void keep() { done_ = false; }

 private:
  std::filesystem::path from_;
  std::filesystem::path to_;
  bool done_ = false;  // renamed, and not yet kept
};

// Within the caller's write transaction: marks live run `run_id` archived and moves its
// files from live_artifact_folder() to archived_artifact_folder() (the checkpoint column
// follows). The caller keeps the rename once it has committed.
PendingRename archive_in_transaction(SQLite::Database& db, const std::string& artifact_dir, std::int64_t run_id);

// `checkpoint` (relative to the artifact folder) moved from folder `from` to folder `to`;
// unchanged when it is not under `from`.
std::string moved_checkpoint(const std::string& checkpoint, const std::string& from, const std::string& to);

}  // namespace ablate::db::detail
