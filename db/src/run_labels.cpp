// What people say about runs (tags and notes) and the archive: runs kept, out of sight.
#include "run_labels.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "ablate/error.hpp"
#include "sqlite_support.hpp"
#include "store.hpp"

namespace ablate::db {

namespace fs = std::filesystem;

namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

// Characters of a tag key: enough for "reviewed", "lr.sweep" or "paper/table-2", and all of
// them allowed in a --where name (tag.KEY), so every tag can be filtered on.
bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-' || c == '/';
}

void check_tag(const std::string& key, const std::string& value) {
  if (key.empty() || key.size() > kMaxTagKey || std::find_if_not(key.begin(), key.end(), is_key_char) != key.end()) {
    throw StoreError(fmt::format("bad tag key '{}': 1 to {} letters, digits or _ . - /", key, kMaxTagKey));
  }
  if (value.size() > kMaxTagValue) {
    throw StoreError(fmt::format("the value of tag '{}' has {} characters; at most {}", key, value.size(),
                                 kMaxTagValue));
  }
  // One line, so that every listing format shows it whole.
  for (const char c : value) {
    if (static_cast<unsigned char>(c) < 0x20) {
      throw StoreError(fmt::format("the value of tag '{}' has a control character (a line break?): a tag is one "
                                   "line; use `report note` for longer text",
                                   key));
    }
  }
}

RunRow read_run(SQLite::Database& db, const std::string& path, std::int64_t run_id) {
  SQLite::Statement query(db, std::string(kRunSelect) + "WHERE r.id = ?");
  query.bind(1, run_id);
  if (!query.executeStep()) throw StoreError(fmt::format("store {}: no run with id {}", path, run_id));
  return read_run_row(query);
}

}  // namespace

std::string live_artifact_folder(const std::string& config_hash) { return config_hash.substr(0, 16); }

std::string archived_artifact_folder(std::int64_t run_id) { return fmt::format("archive/{}", run_id); }

std::vector<std::pair<std::string, std::string>> parse_tags(const std::string& json) {
  std::vector<std::pair<std::string, std::string>> tags;
  if (json.empty()) return tags;
  const auto object = nlohmann::json::parse(json, nullptr, false);
  if (!object.is_object()) return tags;
  // nlohmann::json keeps object keys sorted: the tags come out by key.
  for (const auto& [key, value] : object.items()) {
    tags.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return tags;
}

namespace detail {

PendingRename::PendingRename(fs::path from, fs::path to) : from_(std::move(from)), to_(std::move(to)) {
  std::error_code error;
  if (!fs::exists(from_, error)) return;
  fs::remove_all(to_, error);
  if (!error) fs::create_directories(to_.parent_path(), error);
  if (!error) fs::rename(from_, to_, error);
  if (error) {
    throw StoreError(fmt::format("cannot move {} to {}: {}", from_.string(), to_.string(), error.message()));
  }
  done_ = true;
}

PendingRename::PendingRename(PendingRename&& other) noexcept
    : from_(std::move(other.from_)), to_(std::move(other.to_)), done_(std::exchange(other.done_, false)) {}

PendingRename& PendingRename::operator=(PendingRename&& other) noexcept {
  if (this != &other) {
    from_ = std::move(other.from_);
    to_ = std::move(other.to_);
    done_ = std::exchange(other.done_, false);
  }
  return *this;
}

PendingRename::~PendingRename() {
  if (!done_) return;
  std::error_code error;  // best effort: a destructor never throws
  fs::rename(to_, from_, error);
}

std::string moved_checkpoint(const std::string& checkpoint, const std::string& from, const std::string& to) {
  const std::string prefix = from + "/";
  if (checkpoint.compare(0, prefix.size(), prefix) != 0) return checkpoint;
  return to + "/" + checkpoint.substr(prefix.size());
}

PendingRename archive_in_transaction(SQLite::Database& db, const std::string& artifact_dir, std::int64_t run_id) {
  SQLite::Statement query(db, "SELECT config_hash, checkpoint FROM runs WHERE id = ? AND archived_at IS NULL");
  query.bind(1, run_id);
  if (!query.executeStep()) throw StoreError(fmt::format("store: no live run with id {}", run_id));
  const std::string live = live_artifact_folder(query.getColumn(0).getString());
  const std::string archived = archived_artifact_folder(run_id);
  const bool has_checkpoint = !query.getColumn(1).isNull();
  const std::string checkpoint = moved_checkpoint(text_or_empty(query.getColumn(1)), live, archived);
  query.reset();

  SQLite::Statement update(db, fmt::format("UPDATE runs SET archived_at = {}, checkpoint = ? WHERE id = ?", kNow));
  if (has_checkpoint) update.bind(1, checkpoint);
  update.bind(2, run_id);
  update.exec();
  return PendingRename(fs::path(artifact_dir) / live, fs::path(artifact_dir) / archived);
}

}  // namespace detail

void Store::set_tags(const std::vector<std::int64_t>& run_ids,
                     const std::vector<std::pair<std::string, std::string>>& tags) {
  for (const auto& [key, value] : tags) check_tag(key, value);
  guarded(path_, "cannot tag runs", [&] {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement upsert(*db_, "INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) "
                                   "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value");
    SQLite::Statement remove(*db_, "DELETE FROM run_tags WHERE run_id = ? AND key = ?");
    for (const std::int64_t run_id : run_ids) {
      read_run(*db_, path_, run_id);  // names an unknown run before anything is written
      for (const auto& [key, value] : tags) {
        SQLite::Statement& statement = value.empty() ? remove : upsert;
        statement.reset();
        statement.bind(1, run_id);
        statement.bind(2, key);
        if (!value.empty()) statement.bind(3, value);
        statement.exec();
      }
    }
    transaction.commit();
  });
}

void Store::set_note(std::int64_t run_id, const std::string& note) {
  if (note.size() > kMaxNote) {
    throw StoreError(fmt::format("the note has {} characters; at most {}", note.size(), kMaxNote));
  }
  guarded(path_, "cannot write a note", [&] {
    SQLite::Statement update(*db_, "UPDATE runs SET note = ? WHERE id = ?");
    if (!note.empty()) update.bind(1, note);
    update.bind(2, run_id);
    if (update.exec() == 0) throw StoreError(fmt::format("store {}: no run with id {}", path_, run_id));
  });
}

bool Store::archive_run(std::int64_t run_id, const ClaimPolicy& liveness) {
  return guarded(path_, "cannot archive a run", [&] {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    const RunRow run = read_run(*db_, path_, run_id);
    if (run.archived()) return false;
    if (run.status == RunStatus::running) {
      if (!is_stale(run, liveness)) {
        throw RunIsRunningError(fmt::format("run {} is running (heartbeat {:.0f} s ago, runner pid {} on {}): a "
                                            "runner is training it; archive it once it has ended",
                                            run_id, run.heartbeat_age_seconds, run.pid, run.host));
      }
      // Its runner is gone; should it wake up (it was suspended), its writes are refused.
      SQLite::Statement end(*db_, "UPDATE runs SET status = 'killed', error = 'its runner was gone when it was "
                                  "archived' WHERE id = ?");
      end.bind(1, run_id);
      end.exec();
    }
    detail::PendingRename files = detail::archive_in_transaction(*db_, artifact_dir(), run_id);
    transaction.commit();
    files.keep();
    return true;
  });
}

bool Store::unarchive_run(std::int64_t run_id) {
  return guarded(path_, "cannot unarchive a run", [&] {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    const RunRow run = read_run(*db_, path_, run_id);
    if (!run.archived()) return false;
    SQLite::Statement live(*db_, "SELECT id FROM runs WHERE config_hash = ? AND archived_at IS NULL");
    live.bind(1, run.config_hash);
    if (live.executeStep()) {
      const std::int64_t other = live.getColumn(0).getInt64();
      throw StoreError(fmt::format("store {}: run {} has the configuration of archived run {} and is live; a "
                                   "configuration has one live run: archive or remove run {} first",
                                   path_, other, run_id, other));
    }
    const std::string archived = archived_artifact_folder(run_id);
    const std::string back = live_artifact_folder(run.config_hash);
    SQLite::Statement update(*db_, "UPDATE runs SET archived_at = NULL, "
                                   "checkpoint = CASE WHEN checkpoint IS NULL THEN NULL ELSE ? END WHERE id = ?");
    SQLite::Statement checkpoint(*db_, "SELECT coalesce(checkpoint, '') FROM runs WHERE id = ?");
    checkpoint.bind(1, run_id);
    checkpoint.executeStep();
    update.bind(1, detail::moved_checkpoint(checkpoint.getColumn(0).getString(), archived, back));
    checkpoint.reset();
    update.bind(2, run_id);
    update.exec();
    detail::PendingRename files(fs::path(artifact_dir()) / archived, fs::path(artifact_dir()) / back);
    transaction.commit();
    files.keep();
    return true;
  });
}

}  // namespace ablate::db
