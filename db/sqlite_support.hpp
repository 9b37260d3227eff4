// Small helpers shared by the store and report's read-only queries: SQLite errors as
// StoreErrors that name the file, and NULL-aware column reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "ablate/error.hpp"
#include "store.hpp"

namespace ablate::db {

// Runs `body`, turning SQLite's exceptions into a StoreError that names the file and what
// was being done. StoreErrors thrown by `body` itself pass through unchanged.
template <typename Body>
auto guarded(const std::string& path, const char* doing, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    throw StoreError(fmt::format("store {}: {}: {}", path, doing, e.what()));
  }
}

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
