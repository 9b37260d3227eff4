// Small helpers shared by the store and report's read-only queries: SQLite errors as
// StoreErrors that name the file, and NULL-aware column reads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "ablate/error.hpp"
#include "store.hpp"

namespace ablate::db {

// Runs `body`, turning SQLite's exceptions into a StoreError that names the file and what
// was being done, and keeps SQLite's extended result code. StoreErrors thrown by `body`
// itself pass through unchanged.
template <typename Body>
auto guarded(const std::string& path, const char* doing, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    throw StoreError(fmt::format("store {}: {}: {}", path, doing, e.what()), e.getExtendedErrorCode());
  }
}

// A read-only connection to the store at `path`. Where the store's folder cannot be
// written (a read-only mount, another user's results folder) SQLite could not create the
// WAL index (-shm) a WAL database needs even for reading, and the open fails; such a
// store is opened `immutable` instead, which needs no other file, and is safe because
// nothing can write there either.
std::unique_ptr<SQLite::Database> open_read_only(const std::string& path, int busy_timeout_ms);

inline std::optional<std::int64_t> optional_int(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

inline std::optional<double> optional_double(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getDouble();
}

inline std::string text_or_empty(const SQLite::Column& column) {
  return column.isNull() ? std::string() : column.getString();
}

// The SELECT and FROM read_run_row expects: a run with its test accuracy and its tags (a
// JSON object, by key) joined in. Append WHERE/ORDER BY clauses to it.
inline constexpr const char* kRunSelect =
    "SELECT r.id, r.config_hash, r.status, r.arm, r.model, r.dataset, r.resolution, r.seed, "
    "r.params_trainable, r.epochs, r.train_seconds, m.value, r.error, r.heartbeat_at, "
    "(julianday('now') - julianday(r.heartbeat_at)) * 86400.0, r.host, r.pid, r.attempt, r.note, r.archived_at, "
    "(SELECT json_group_object(key, value) FROM (SELECT key, value FROM run_tags WHERE run_id = r.id ORDER BY key)) "
    "FROM runs r LEFT JOIN metrics m "
    "ON m.run_id = r.id AND m.split = 'test' AND m.name = 'accuracy' ";

// {"key": "value", ...} as json_group_object writes it -> (key, value) pairs in its order.
std::vector<std::pair<std::string, std::string>> parse_tags(const std::string& json);

inline RunRow read_run_row(SQLite::Statement& query) {
  RunRow row;
  row.id = query.getColumn(0).getInt64();
  row.config_hash = query.getColumn(1).getString();
  row.status = parse_run_status(query.getColumn(2).getString());
  row.arm = query.getColumn(3).getString();
  row.model = query.getColumn(4).getString();
  row.dataset = query.getColumn(5).getString();
  row.resolution = query.getColumn(6).getInt64();
  row.seed = query.getColumn(7).getInt64();
  row.params_trainable = optional_int(query.getColumn(8));
  row.epochs = optional_int(query.getColumn(9));
  row.train_seconds = optional_double(query.getColumn(10));
  row.test_accuracy = optional_double(query.getColumn(11));
  row.error = text_or_empty(query.getColumn(12));
  row.heartbeat_at = text_or_empty(query.getColumn(13));
  row.heartbeat_age_seconds = query.getColumn(14).isNull() ? 1e18 : query.getColumn(14).getDouble();
  row.host = text_or_empty(query.getColumn(15));
  row.pid = query.getColumn(16).isNull() ? 0 : query.getColumn(16).getInt64();
  row.attempt = query.getColumn(17).getInt64();
  row.note = text_or_empty(query.getColumn(18));
  row.archived_at = text_or_empty(query.getColumn(19));
  row.tags = parse_tags(text_or_empty(query.getColumn(20)));
  return row;
}

// The columns read_epoch_row expects, in its order.
inline constexpr const char* kEpochColumns =
    "epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds, images_per_second, is_best";

inline EpochRow read_epoch_row(SQLite::Statement& query) {
  EpochRow row;
  row.epoch = query.getColumn(0).getInt64();
  row.train_loss = query.getColumn(1).getDouble();
  row.train_accuracy = query.getColumn(2).getDouble();
  row.val_loss = query.getColumn(3).getDouble();
  row.val_accuracy = query.getColumn(4).getDouble();
  row.learning_rate = query.getColumn(5).getDouble();
  row.seconds = query.getColumn(6).getDouble();
  row.images_per_second = query.getColumn(7).getDouble();
  row.is_best = query.getColumn(8).getInt() != 0;
  return row;
}

}  // namespace ablate::db
