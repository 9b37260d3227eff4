// Read-only SQL of the report tool, on a second connection to the store file.
#include "store_queries.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <cctype>
#include <set>

#include "ablate/error.hpp"
#include "cli_suggest.hpp"
#include "sqlite_support.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

using db::guarded;
using db::optional_double;
using db::optional_int;

constexpr int kBusyTimeoutMs = 10000;

std::vector<std::string> strings(SQLite::Database& db, const char* sql) {
  SQLite::Statement query(db, sql);
  std::vector<std::string> values;
  while (query.executeStep()) values.push_back(query.getColumn(0).getString());
  return values;
}

// The filters of a RunQuery as a WHERE clause over `runs r` and its parameters.
SqlCondition conditions(const RunQuery& query) {
  SqlCondition where;
  std::vector<std::string> parts;
  if (query.archived == ArchivedRuns::excluded) parts.emplace_back("r.archived_at IS NULL");
  if (query.archived == ArchivedRuns::only) parts.emplace_back("r.archived_at IS NOT NULL");
  if (!query.arms.empty()) {
    std::string list;
    for (const auto& arm : query.arms) {
      list += list.empty() ? "?" : ", ?";
      where.parameters.emplace_back(arm);
    }
    parts.push_back("r.arm IN (" + list + ")");
  }
  if (query.dataset) {
    parts.push_back("r.dataset = ?");
    where.parameters.emplace_back(*query.dataset);
  }
  if (query.resolution) {
    parts.push_back("r.resolution = ?");
    where.parameters.emplace_back(*query.resolution);
  }
  if (query.status) {
    parts.push_back("r.status = ?");
    where.parameters.emplace_back(std::string(db::to_string(*query.status)));
  }
  if (query.grid) {
    parts.push_back("r.id IN (SELECT gr.run_id FROM grid_runs gr JOIN grids g ON g.id = gr.grid_id "
                    "WHERE g.name = ?)");
    where.parameters.emplace_back(*query.grid);
  }
  if (query.where) {
    parts.push_back("(" + query.where->sql + ")");
    where.parameters.insert(where.parameters.end(), query.where->parameters.begin(), query.where->parameters.end());
  }
  for (const auto& part : parts) where.sql += (where.sql.empty() ? "WHERE " : " AND ") + part;
  return where;
}

}  // namespace

MetricKey parse_metric(const std::string& text) {
  const auto dot = text.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == text.size()) {
    throw UsageError(fmt::format("bad metric '{}': expected SPLIT.NAME, such as test.accuracy or val.f1_macro", text));
  }
  return {text.substr(0, dot), text.substr(dot + 1)};
}

int bind_all(SQLite::Statement& statement, const std::vector<SqlValue>& values, int first) {
  int index = first;
  for (const auto& value : values) {
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      statement.bind(index, static_cast<std::int64_t>(*integer));
    } else if (const auto* real = std::get_if<double>(&value)) {
      statement.bind(index, *real);
    } else {
      statement.bind(index, std::get<std::string>(value));
    }
    ++index;
  }
  return index;
}

StoreReader::StoreReader(const std::string& path) : store_(existing_store(path), db::OpenMode::read_only) {
  db_ = guarded(path, "cannot open", [&] { return db::open_read_only(path, kBusyTimeoutMs); });
}

StoreReader::~StoreReader() = default;

std::vector<std::string> StoreReader::arms() const {
  return guarded(path(), "cannot list arms",
                 [&] { return strings(*db_, "SELECT DISTINCT arm FROM runs ORDER BY arm"); });
}

std::vector<std::string> StoreReader::datasets() const {
  return guarded(path(), "cannot list datasets",
                 [&] { return strings(*db_, "SELECT DISTINCT dataset FROM runs ORDER BY dataset"); });
}

std::vector<std::int64_t> StoreReader::resolutions() const {
  return guarded(path(), "cannot list resolutions", [&] {
    SQLite::Statement query(*db_, "SELECT DISTINCT resolution FROM runs ORDER BY resolution");
    std::vector<std::int64_t> values;
    while (query.executeStep()) values.push_back(query.getColumn(0).getInt64());
    return values;
  });
}

std::vector<std::string> StoreReader::grids() const {
  return guarded(path(), "cannot list grids",
                 [&] { return strings(*db_, "SELECT DISTINCT name FROM grids ORDER BY name"); });
}

std::vector<MetricKey> StoreReader::metrics() const {
  return guarded(path(), "cannot list metrics", [&] {
    SQLite::Statement query(*db_, "SELECT DISTINCT split, name FROM metrics ORDER BY split, name");
    std::vector<MetricKey> keys;
    while (query.executeStep()) {
      keys.push_back({query.getColumn(0).getString(), query.getColumn(1).getString()});
    }
    return keys;
  });
}

bool StoreReader::empty() const {
  return guarded(path(), "cannot count runs",
                 [&] { return !db_->execAndGet("SELECT EXISTS (SELECT 1 FROM runs)").getInt(); });
}

std::vector<std::string> StoreReader::config_jsons() const {
  return guarded(path(), "cannot read configurations",
                 [&] { return strings(*db_, "SELECT DISTINCT config_json FROM runs"); });
}

std::vector<std::string> StoreReader::tag_keys() const {
  return guarded(path(), "cannot list tags",
                 [&] { return strings(*db_, "SELECT DISTINCT key FROM run_tags ORDER BY key"); });
}

std::int64_t StoreReader::count_runs(const RunQuery& run_query) const {
  return guarded(path(), "cannot count runs", [&] {
    const SqlCondition where = conditions(run_query);
    SQLite::Statement query(*db_, "SELECT count(*) FROM runs r " + where.sql);
    bind_all(query, where.parameters, 1);
    query.executeStep();
    return query.getColumn(0).getInt64();
  });
}

std::vector<db::RunRow> StoreReader::list_runs(const RunQuery& run_query) const {
  return guarded(path(), "cannot list runs", [&] {
    const SqlCondition where = conditions(run_query);
    SQLite::Statement query(*db_,
                            std::string(db::kRunSelect) + where.sql + " ORDER BY r.arm, r.resolution, r.seed, r.id");
    bind_all(query, where.parameters, 1);
    std::vector<db::RunRow> rows;
    while (query.executeStep()) {
      rows.push_back(db::read_run_row(query));
    }
    return rows;
  });
}

std::vector<MetricSample> StoreReader::metric_samples(const RunQuery& run_query, const MetricKey& metric) const {
  return guarded(path(), "cannot read metrics", [&] {
    RunQuery finished = run_query;
    finished.status = db::RunStatus::finished;
    const SqlCondition where = conditions(finished);
    SQLite::Statement query(*db_,
                            "SELECT r.id, r.arm, r.model, r.dataset, r.resolution, r.seed, m.value, r.config_json, "
                            "coalesce(r.finished_at, '') FROM runs r "
                            "JOIN metrics m ON m.run_id = r.id AND m.split = ? AND m.name = ? " +
                                where.sql + " AND m.value IS NOT NULL ORDER BY r.arm, r.resolution, r.seed, r.id");
    query.bind(1, metric.split);
    query.bind(2, metric.name);
    bind_all(query, where.parameters, 3);
    std::vector<MetricSample> samples;
    while (query.executeStep()) {
      MetricSample sample;
      sample.run_id = query.getColumn(0).getInt64();
      sample.arm = query.getColumn(1).getString();
      sample.model = query.getColumn(2).getString();
      sample.dataset = query.getColumn(3).getString();
      sample.resolution = query.getColumn(4).getInt64();
      sample.seed = query.getColumn(5).getInt64();
      sample.value = query.getColumn(6).getDouble();
      sample.config_json = query.getColumn(7).getString();
      sample.finished_at = query.getColumn(8).getString();
      samples.push_back(std::move(sample));
    }
    return samples;
  });
}

db::RunRow StoreReader::resolve_run(const std::string& spec) const {
  // The store's rule, shared with `runner --evaluate`; it names the candidates itself
  // when a prefix is ambiguous.
  const auto run = store_.find_run_by_reference(spec);
  if (!run) {
    throw UsageError(fmt::format("no run '{}' in {}: give a run id or at least {} leading characters of a config hash "
                                 "(see `report`)",
                                 spec, path(), db::kMinHashPrefix));
  }
  return *run;
}

std::vector<Field> StoreReader::run_fields(std::int64_t run_id) const {
  return guarded(path(), "cannot read a run", [&] {
    SQLite::Statement query(*db_, "SELECT * FROM runs WHERE id = ?");
    query.bind(1, static_cast<std::int64_t>(run_id));
    std::vector<Field> fields;
    if (!query.executeStep()) return fields;
    for (int i = 0; i < query.getColumnCount(); ++i) {
      const SQLite::Column column = query.getColumn(i);
      Field field;
      field.name = column.getName();
      field.is_null = column.isNull();
      field.is_number = column.isInteger() || column.isFloat();
      if (column.isFloat()) {
        field.value = fmt::format("{}", column.getDouble());
      } else if (!field.is_null) {
        field.value = column.getString();
      }
      fields.push_back(std::move(field));
    }
    return fields;
  });
}

std::map<std::int64_t, std::string> StoreReader::configs_of(const std::vector<db::RunRow>& runs) const {
  return guarded(path(), "cannot read configurations", [&] {
    std::map<std::int64_t, std::string> configs;
    SQLite::Statement query(*db_, "SELECT config_json FROM runs WHERE id = ?");
    for (const auto& run : runs) {
      query.reset();
      query.bind(1, static_cast<std::int64_t>(run.id));
      if (query.executeStep()) configs[run.id] = query.getColumn(0).getString();
    }
    return configs;
  });
}

std::map<std::int64_t, std::vector<db::EpochRow>> StoreReader::epochs_of(
    const std::vector<std::int64_t>& run_ids) const {
  return guarded(path(), "cannot read epochs", [&] {
    std::map<std::int64_t, std::vector<db::EpochRow>> epochs;
    SQLite::Statement query(*db_,
                            fmt::format("SELECT {} FROM epochs WHERE run_id = ? ORDER BY epoch", db::kEpochColumns));
    for (const std::int64_t id : run_ids) {
      query.reset();
      query.bind(1, static_cast<std::int64_t>(id));
      auto& rows = epochs[id];
      while (query.executeStep()) {
        rows.push_back(db::read_epoch_row(query));
      }
    }
    return epochs;
  });
}

}  // namespace ablate::report
