// Copies stores into one with SQLiteCpp on an ATTACHed input; schema from db::Store.
#include "merge.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "ablate/error.hpp"
#include "run_labels.hpp"
#include "store.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

constexpr int kBusyTimeoutMs = 10000;

// The tables holding one row set per run, copied with the run under its new id.
constexpr const char* kRunTables[] = {"epochs", "metrics", "matrices", "predictions", "class_names"};

// Column names of `table` in schema `schema` ("main" or "src"), in order. Names come from
// SQLite's own catalogue, never from the user, and are quoted all the same.
std::vector<std::string> columns(SQLite::Database& db, const std::string& schema, const std::string& table) {
  SQLite::Statement query(db, fmt::format("PRAGMA {}.table_info(\"{}\")", schema, table));
  std::vector<std::string> names;
  while (query.executeStep()) names.push_back(query.getColumn(1).getString());
  return names;
}

std::string quoted_list(const std::vector<std::string>& names, const std::string& prefix = "") {
  std::string list;
  for (const auto& name : names) {
    if (!list.empty()) list += ", ";
    list += prefix + "\"" + name + "\"";
  }
  return list;
}

std::vector<std::string> without(std::vector<std::string> names, const std::string& name) {
  names.erase(std::remove(names.begin(), names.end(), name), names.end());
  return names;
}

struct Counts {
  int added = 0;
  int replaced = 0;
  int kept = 0;
  int grids = 0;
  int checkpoints = 0;          // copied into OUT.artifacts/
  int missing_checkpoints = 0;  // named by a run but not in IN.artifacts/
};

// Copies a run's checkpoint (`relative`, as runs.checkpoint holds it) from IN.artifacts/
// to OUT.artifacts/ (at `out_relative`, where that differs: an archived run's folder is
// named by its id, which OUT gives anew), through a temporary file and a rename so that
// OUT never holds half a checkpoint. A path that would leave the artifacts folder is refused.
void copy_checkpoint(const std::string& input, const std::string& out, const std::string& relative, Counts& counts,
                     const std::string& out_relative = "") {
  namespace fs = std::filesystem;
  if (relative.empty()) return;
  const fs::path path(relative);
  if (path.is_absolute() || std::find(path.begin(), path.end(), fs::path("..")) != path.end()) {
    throw UsageError(fmt::format("{}: a run's checkpoint '{}' is outside {}.artifacts/", input, relative, input));
  }
  const fs::path from = fs::path(input + ".artifacts") / path;
  const fs::path to = fs::path(out + ".artifacts") / (out_relative.empty() ? path : fs::path(out_relative));
  if (!fs::is_regular_file(from)) {
    ++counts.missing_checkpoints;
    return;
  }
  std::error_code error;
  fs::create_directories(to.parent_path(), error);
  const fs::path temp = to.string() + ".merging";
  if (!error) fs::copy_file(from, temp, fs::copy_options::overwrite_existing, error);
  if (!error) fs::rename(temp, to, error);
  if (error) {
    fs::remove(temp, error);
    throw StoreError(fmt::format("cannot copy checkpoint {} to {}", from.string(), to.string()));
  }
  ++counts.checkpoints;
}

// Every table and column OUT has must be in the input too (the copy names OUT's columns):
// a store damaged or changed by hand is named as the culprit before anything is copied,
// rather than failing half-way with SQLite's "no such table: src.grids" under OUT's name.
void check_input_shape(SQLite::Database& db, const std::string& input) {
  SQLite::Statement tables(db, "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'");
  while (tables.executeStep()) {
    const std::string table = tables.getColumn(0).getString();
    const std::vector<std::string> in_input = columns(db, "src", table);
    if (in_input.empty()) {
      throw StoreError(fmt::format("{} is not a whole Ablate store: it has no table '{}', which its schema version "
                                   "promises; the file was damaged or changed by hand (nothing was merged from it)",
                                   input, table));
    }
    for (const auto& column : columns(db, "main", table)) {
      if (std::find(in_input.begin(), in_input.end(), column) == in_input.end()) {
        throw StoreError(fmt::format("{} is not a whole Ablate store: its table '{}' has no column '{}', which its "
                                     "schema version promises; the file was damaged or changed by hand (nothing was "
                                     "merged from it)",
                                     input, table, column));
      }
    }
  }
}

Counts merge_one(SQLite::Database& db, const std::string& input, const std::string& out) {
  Counts counts;
  SQLite::Statement attach(db, "ATTACH DATABASE ? AS src");
  attach.bind(1, input);
  attach.exec();
  try {
    check_input_shape(db, input);
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);

    // Grids: no natural key, so all four recorded fields together identify one.
    std::map<std::int64_t, std::int64_t> grid_ids;
    {
      SQLite::Statement grids(db, "SELECT id, name, experiment, spec_yaml, created_at FROM src.grids");
      SQLite::Statement find(db, "SELECT id FROM main.grids WHERE name = ? AND experiment = ? "
                                 "AND spec_yaml = ? AND created_at = ?");
      SQLite::Statement insert(db, "INSERT INTO main.grids (name, experiment, spec_yaml, "
                                   "created_at) VALUES (?, ?, ?, ?)");
      while (grids.executeStep()) {
        find.reset();
        for (int i = 1; i <= 4; ++i) find.bind(i, grids.getColumn(i).getString());
        if (find.executeStep()) {
          grid_ids[grids.getColumn(0).getInt64()] = find.getColumn(0).getInt64();
          continue;
        }
        insert.reset();
        for (int i = 1; i <= 4; ++i) insert.bind(i, grids.getColumn(i).getString());
        insert.exec();
        grid_ids[grids.getColumn(0).getInt64()] = db.getLastInsertRowid();
        ++counts.grids;
      }
    }

    const std::vector<std::string> run_columns = without(columns(db, "main", "runs"), "id");
    const std::string run_list = quoted_list(run_columns);
    SQLite::Statement insert_run(db, fmt::format("INSERT INTO main.runs ({0}) SELECT {0} FROM "
                                                 "src.runs WHERE id = ?",
                                                 run_list));
    // A replaced run keeps what people said about it in OUT, and whether it is archived there.
    SQLite::Statement replace_run(
        db, fmt::format("UPDATE main.runs SET ({0}) = (SELECT {0} FROM src.runs WHERE id = ?) WHERE id = ?",
                        quoted_list(without(without(run_columns, "note"), "archived_at"))));
    // Tags and notes are merged into every matched run: OUT's win where both have one.
    // ?1: the run in OUT, ?2: the same run in IN.
    SQLite::Statement merge_tags(db, "INSERT OR IGNORE INTO main.run_tags (run_id, key, value) "
                                     "SELECT ?1, key, value FROM src.run_tags WHERE run_id = ?2");
    SQLite::Statement merge_note(db, "UPDATE main.runs SET note = coalesce(note, (SELECT note FROM src.runs "
                                     "WHERE id = ?2)) WHERE id = ?1");
    SQLite::Statement set_checkpoint(db, "UPDATE main.runs SET checkpoint = ? WHERE id = ?");
    std::vector<SQLite::Statement> clear_children, copy_children;
    for (const char* table : kRunTables) {
      const std::vector<std::string> child = without(columns(db, "main", table), "run_id");
      clear_children.emplace_back(db, fmt::format("DELETE FROM main.\"{}\" WHERE run_id = ?", table));
      copy_children.emplace_back(db, fmt::format("INSERT INTO main.\"{0}\" (run_id, {1}) SELECT ?, {1} FROM "
                                                 "src.\"{0}\" WHERE run_id = ?",
                                                 table, quoted_list(child)));
    }
    const auto copy_children_of = [&](std::int64_t from, std::int64_t to) {
      for (auto& statement : copy_children) {
        statement.reset();
        statement.bind(1, static_cast<std::int64_t>(to));
        statement.bind(2, static_cast<std::int64_t>(from));
        statement.exec();
      }
    };

    const auto merge_labels = [&](std::int64_t from, std::int64_t to) {
      for (SQLite::Statement* statement : {&merge_tags, &merge_note}) {
        statement->reset();
        statement->bind(1, static_cast<std::int64_t>(to));
        statement->bind(2, static_cast<std::int64_t>(from));
        statement->exec();
      }
    };

    std::map<std::int64_t, std::int64_t> run_ids;
    SQLite::Statement runs(db, "SELECT id, config_hash, status, coalesce(checkpoint, ''), archived_at IS NOT NULL, "
                               "started_at FROM src.runs ORDER BY id");
    // The same run: one configuration's claim, started at one moment. Archived or not, in
    // OUT it is that run (merging again, or after it was archived in OUT).
    SQLite::Statement find_same(db, "SELECT id, status, archived_at IS NOT NULL FROM main.runs "
                                    "WHERE config_hash = ? AND started_at IS ? ORDER BY id LIMIT 1");
    // Else a live run meets OUT's live run of its configuration (one per configuration).
    SQLite::Statement find_live(db, "SELECT id, status, 0 FROM main.runs WHERE config_hash = ? "
                                    "AND archived_at IS NULL");
    while (runs.executeStep()) {
      const std::int64_t source_id = runs.getColumn(0).getInt64();
      const std::string hash = runs.getColumn(1).getString();
      const std::string status = runs.getColumn(2).getString();
      const std::string checkpoint = runs.getColumn(3).getString();
      const bool archived = runs.getColumn(4).getInt() != 0;
      find_same.reset();
      find_same.bind(1, hash);
      if (runs.getColumn(5).isNull()) find_same.bind(2);
      else find_same.bind(2, runs.getColumn(5).getString());
      find_live.reset();
      find_live.bind(1, hash);
      SQLite::Statement* found = nullptr;
      if (find_same.executeStep()) found = &find_same;
      else if (!archived && find_live.executeStep()) found = &find_live;
      if (found == nullptr) {
        insert_run.reset();
        insert_run.bind(1, static_cast<std::int64_t>(source_id));
        insert_run.exec();
        const std::int64_t id = db.getLastInsertRowid();
        copy_children_of(source_id, id);
        merge_labels(source_id, id);
        // An archived run's files are in archive/<its id>/: OUT's id names them there.
        const std::string out_checkpoint = db::detail::moved_checkpoint(
            checkpoint, db::archived_artifact_folder(source_id), db::archived_artifact_folder(id));
        if (out_checkpoint != checkpoint) {
          set_checkpoint.reset();
          set_checkpoint.bind(1, out_checkpoint);
          set_checkpoint.bind(2, static_cast<std::int64_t>(id));
          set_checkpoint.exec();
        }
        copy_checkpoint(input, out, checkpoint, counts, out_checkpoint);
        run_ids[source_id] = id;
        ++counts.added;
        continue;
      }
      const std::int64_t id = found->getColumn(0).getInt64();
      const std::string existing = found->getColumn(1).getString();
      const bool existing_archived = found->getColumn(2).getInt() != 0;
      run_ids[source_id] = id;
      merge_labels(source_id, id);
      // A finished live run wins over a live one that did not finish; otherwise OUT's stays
      // (archived runs are history: neither side of a replacement).
      if (!archived && !existing_archived && existing != "finished" && status == "finished") {
        for (auto& statement : clear_children) {
          statement.reset();
          statement.bind(1, static_cast<std::int64_t>(id));
          statement.exec();
        }
        replace_run.reset();
        replace_run.bind(1, static_cast<std::int64_t>(source_id));
        replace_run.bind(2, static_cast<std::int64_t>(id));
        replace_run.exec();
        copy_children_of(source_id, id);
        copy_checkpoint(input, out, checkpoint, counts);
        ++counts.replaced;
      } else {
        ++counts.kept;
      }
    }

    SQLite::Statement links(db, "SELECT grid_id, run_id FROM src.grid_runs");
    SQLite::Statement link(db, "INSERT OR IGNORE INTO main.grid_runs (grid_id, run_id) VALUES (?, ?)");
    while (links.executeStep()) {
      const auto grid = grid_ids.find(links.getColumn(0).getInt64());
      const auto run = run_ids.find(links.getColumn(1).getInt64());
      if (grid == grid_ids.end() || run == run_ids.end()) continue;  // dangling in the input
      link.reset();
      link.bind(1, static_cast<std::int64_t>(grid->second));
      link.bind(2, static_cast<std::int64_t>(run->second));
      link.exec();
    }
    transaction.commit();
  } catch (...) {
    // The transaction has rolled back; detach so the next input can attach.
    try {
      db.exec("DETACH DATABASE src");
    } catch (const SQLite::Exception&) {
    }
    throw;
  }
  db.exec("DETACH DATABASE src");
  return counts;
}

}  // namespace

std::vector<std::string> merge_stores(const std::string& out, const std::vector<std::string>& inputs) {
  for (const auto& input : inputs) {
    std::error_code error;
    if (std::filesystem::equivalent(input, out, error)) {
      throw UsageError(fmt::format("cannot merge {} into itself", input));
    }
    // Validates the input: an Ablate store of this binary's schema version.
    const db::Store check(input, db::OpenMode::read_only);
  }
  { const db::Store create(out, db::OpenMode::read_write); }  // creates or migrates OUT

  std::vector<std::string> summaries;
  try {
    SQLite::Database db(out, SQLite::OPEN_READWRITE, kBusyTimeoutMs);
    db.exec("PRAGMA foreign_keys = ON");
    for (const auto& input : inputs) {
      Counts counts;
      try {
        counts = merge_one(db, input, out);
      } catch (const SQLite::Exception& e) {
        // Each input is merged in one transaction: OUT keeps what earlier inputs brought.
        throw StoreError(fmt::format("cannot merge {} into {} ({} is unchanged by it): {}", input, out, out, e.what()),
                         e.getExtendedErrorCode());
      }
      std::string summary =
          fmt::format("merged {} into {}: {} runs added, {} replaced by a finished run, {} kept, {} grids "
                      "added, {} checkpoints copied",
                      input, out, counts.added, counts.replaced, counts.kept, counts.grids, counts.checkpoints);
      if (counts.missing_checkpoints > 0) {
        summary += fmt::format(" ({} named but missing from {}.artifacts/)", counts.missing_checkpoints, input);
      }
      summaries.push_back(summary);
    }
  } catch (const SQLite::Exception& e) {
    throw StoreError(fmt::format("cannot merge into {}: {}", out, e.what()), e.getExtendedErrorCode());
  }
  return summaries;
}

}  // namespace ablate::report
