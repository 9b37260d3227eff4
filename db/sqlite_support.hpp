// Small helpers shared by the store and report's read-only queries: SQLite errors as
// StoreErrors that name the file, and NULL-aware column reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "ablate/error.hpp"

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

}  // namespace ablate::db
