// The report's own read-only queries on a store: the filters, aggregates and bulk reads
// the shared Store API does not offer. Values are always bound, never spliced into SQL.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "store.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace ablate::report {

// A metric as the command line names it: "test.accuracy" is split "test", name "accuracy".
struct MetricKey {
  std::string split;
  std::string name;
  std::string label() const { return split + "." + name; }
  bool operator<(const MetricKey& other) const { return std::tie(split, name) < std::tie(other.split, other.name); }
  bool operator==(const MetricKey& other) const { return split == other.split && name == other.name; }
};

// "test.accuracy" -> {test, accuracy}; UsageError for text without a split.
MetricKey parse_metric(const std::string& text);

using SqlValue = std::variant<std::int64_t, double, std::string>;

// A WHERE fragment over `runs r` with its `?` parameters, in order.
struct SqlCondition {
  std::string sql;
  std::vector<SqlValue> parameters;
};

// Which runs a command reads by whether they are archived (docs/store.md): every command
// reads live runs only unless told otherwise (--archived, --all).
enum class ArchivedRuns { excluded, only, included };

// Which runs a command reads. Empty or unset fields do not filter.
struct RunQuery {
  ArchivedRuns archived = ArchivedRuns::excluded;
  std::vector<std::string> arms;  // any of these
  std::optional<std::string> dataset;
  std::optional<std::int64_t> resolution;
  std::optional<db::RunStatus> status;
  std::optional<std::string> grid;  // grid name (runs that grid asked for)
  std::optional<SqlCondition> where;
};

// One finished run's value of one metric, with the axes it is grouped by.
struct MetricSample {
  std::int64_t run_id = 0;
  std::string arm;
  std::string model;
  std::string dataset;
  std::int64_t resolution = 0;
  std::int64_t seed = 0;
  double value = 0;
  std::string config_json;  // the run's identity (docs/store.md), for grouping by configuration
  std::string finished_at;  // ISO 8601: which of two runs of a seed is the latest
};

// One column of `runs` for `report show`: its name and its value as text ("" for NULL).
struct Field {
  std::string name;
  std::string value;
  bool is_null = false;
  bool is_number = false;
};

class StoreReader {
 public:
  // Opens the store through db::Store (read-only: it validates the schema version and
  // names the file at fault), then a second read-only connection for the queries here.
  explicit StoreReader(const std::string& path);
  ~StoreReader();
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  const std::string& path() const { return store_.path(); }
  const db::Store& store() const { return store_; }

  std::vector<std::string> arms() const;          // distinct, sorted
  std::vector<std::string> datasets() const;      // distinct, sorted
  std::vector<std::int64_t> resolutions() const;  // distinct, ascending
  std::vector<std::string> grids() const;         // distinct names, sorted
  std::vector<MetricKey> metrics() const;         // distinct (split, name), sorted
  bool empty() const;                             // no runs at all
  std::vector<std::string> config_jsons() const;  // distinct stored configurations
  std::vector<std::string> tag_keys() const;      // distinct, sorted
  std::int64_t count_runs(const RunQuery& query) const;

  // Runs matching `query`, ordered by arm, resolution, seed, id; test accuracy joined in.
  std::vector<db::RunRow> list_runs(const RunQuery& query) const;

  // The metric of every finished run matching `query`.
  std::vector<MetricSample> metric_samples(const RunQuery& query, const MetricKey& metric) const;

  // The run `spec` names, by db::Store::find_run_by_reference's rule (an id, or a
  // config-hash prefix of at least 4 characters). UsageError when none matches,
  // StoreError listing the candidates when several do.
  db::RunRow resolve_run(const std::string& spec) const;

  // Every column of one run, in table order.
  std::vector<Field> run_fields(std::int64_t run_id) const;

  // The stored configuration of each run: run id -> config_json.
  std::map<std::int64_t, std::string> configs_of(const std::vector<db::RunRow>& runs) const;

  // Epochs of several runs at once: run id -> its epochs in order.
  std::map<std::int64_t, std::vector<db::EpochRow>> epochs_of(const std::vector<std::int64_t>& run_ids) const;

 private:
  db::Store store_;
  std::unique_ptr<SQLite::Database> db_;
};

// Binds `values` to `statement` from parameter `first` on; returns the next index.
int bind_all(SQLite::Statement& statement, const std::vector<SqlValue>& values, int first);

}  // namespace ablate::report
