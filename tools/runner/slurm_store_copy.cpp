// A store and its checkpoints copied as one consistent snapshot (slurm_store_copy.hpp).
#include "slurm_store_copy.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "ablate/error.hpp"
#include "store.hpp"

namespace ablate {

namespace {

namespace fs = std::filesystem;

constexpr int kBusyTimeoutMs = 30000;

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

Database open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) {
    throw StoreError(fmt::format("cannot open {}: {}", path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)), rc);
  }
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  return db;
}

void exec(sqlite3* db, const std::string& path, const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StoreError(fmt::format("{}: {}: {}", path, sql, text), rc);
  }
}

// SQLite's backup API: reads FROM in one read transaction (WAL content included, while a
// writer may go on), page by page into `temp`.
void backup(const std::string& from, const std::string& temp) {
  const Database source = open(from, SQLITE_OPEN_READONLY);
  const Database target = open(temp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3_backup* copy = sqlite3_backup_init(target.get(), "main", source.get(), "main");
  if (!copy) {
    throw StoreError(fmt::format("cannot copy {}: {}", from, sqlite3_errmsg(target.get())),
                     sqlite3_extended_errcode(target.get()));
  }
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(copy, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(100);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(copy);
  if (rc != SQLITE_DONE) {
    throw StoreError(fmt::format("cannot copy {} to {}: {}", from, temp, sqlite3_errstr(rc)), rc);
  }
  // One file, no -wal or -shm beside it: what a shared folder (NFS) can hold safely.
  exec(target.get(), temp, "PRAGMA journal_mode = DELETE");
}

void remove_quietly(const fs::path& path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

}  // namespace

void copy_store(const std::string& from, const std::string& to) {
  // An Ablate store of a schema this binary knows; a clear error otherwise.
  { const db::Store check(from, db::OpenMode::read_only); }
  const fs::path target = fs::absolute(to);
  std::error_code error;
  fs::create_directories(target.parent_path(), error);
  if (error) throw StoreError(fmt::format("cannot create {}: {}", target.parent_path().string(), error.message()));
  // Temporary names in TO's own folder, so that the renames below stay on one file system.
  const std::string suffix = fmt::format(".copy-{}", getpid());
  const fs::path temp_db = target.string() + suffix;
  const fs::path artifacts = target.string() + ".artifacts";
  const fs::path temp_artifacts = artifacts.string() + suffix;
  const fs::path old_artifacts = artifacts.string() + suffix + ".old";
  remove_quietly(temp_db);
  remove_quietly(temp_artifacts);
  try {
    const fs::path from_artifacts = from + ".artifacts";
    if (fs::is_directory(from_artifacts)) {
      fs::copy(from_artifacts, temp_artifacts, fs::copy_options::recursive, error);
      if (error) {
        throw StoreError(fmt::format("cannot copy {} to {}: {}", from_artifacts.string(), temp_artifacts.string(),
                                     error.message()));
      }
    }
    backup(from, temp_db.string());
    if (fs::exists(temp_artifacts)) {
      if (fs::exists(artifacts)) fs::rename(artifacts, old_artifacts);
      fs::rename(temp_artifacts, artifacts);
      remove_quietly(old_artifacts);
    }
    // A -wal left beside an older TO would be replayed into the new one: gone first.
    remove_quietly(target.string() + "-wal");
    remove_quietly(target.string() + "-shm");
    fs::rename(temp_db, target);
  } catch (const fs::filesystem_error& e) {
    remove_quietly(temp_db);
    remove_quietly(temp_artifacts);
    throw StoreError(fmt::format("cannot copy {} to {}: {}", from, to, e.what()));
  } catch (...) {
    remove_quietly(temp_db);
    remove_quietly(temp_artifacts);
    throw;
  }
}

}  // namespace ablate
