// Builds the arms × axis tables of `report table`.
#include "aggregate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "usage_error.hpp"

namespace ablate::report {

namespace {

// Column key that sorts resolutions numerically and names alphabetically.
struct ColumnKey {
  std::int64_t number = 0;
  std::string text;
  bool operator<(const ColumnKey& other) const {
    return number != other.number ? number < other.number : text < other.text;
  }
};

ColumnKey column_of(const MetricSample& sample, const std::string& axis) {
  if (axis == "resolution") return {sample.resolution, std::to_string(sample.resolution)};
  if (axis == "dataset") return {0, sample.dataset};
  return {0, sample.model};
}

}  // namespace

const std::vector<std::string>& table_axes() {
  static const std::vector<std::string> axes = {"resolution", "dataset", "model"};
  return axes;
}

bool higher_is_better(const std::string& metric_name) {
  return metric_name.find("loss") == std::string::npos && metric_name.find("error") == std::string::npos;
}

AggregateTable aggregate(const std::string& store_path, const std::string& metric, const std::string& axis,
                         const std::vector<MetricSample>& samples, bool higher) {
  AggregateTable table;
  table.store_path = store_path;
  table.metric = metric;
  table.axis = axis;
  table.higher_is_better = higher;
  std::map<std::string, std::map<ColumnKey, std::vector<double>>> groups;
  std::set<ColumnKey> columns;
  for (const auto& sample : samples) {
    const ColumnKey key = column_of(sample, axis);
    groups[sample.arm][key].push_back(sample.value);
    columns.insert(key);
  }
  for (const auto& column : columns) table.columns.push_back(column.text);
  for (const auto& [arm, by_column] : groups) {
    table.arms.push_back(arm);
    std::vector<Summary> row;
    for (const auto& column : columns) {
      const auto found = by_column.find(column);
      row.push_back(found == by_column.end() ? Summary{} : summarize(found->second));
    }
    table.cells.push_back(std::move(row));
  }
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    std::optional<std::size_t> best;
    for (std::size_t r = 0; r < table.arms.size(); ++r) {
      const Summary& cell = table.cells[r][c];
      if (cell.n == 0) continue;
      if (!best) {
        best = r;
        continue;
      }
      const double incumbent = table.cells[*best][c].mean;
      if (higher ? cell.mean > incumbent : cell.mean < incumbent) best = r;
    }
    // One arm alone in a column is not "best" of anything.
    std::size_t filled = 0;
    for (std::size_t r = 0; r < table.arms.size(); ++r) filled += table.cells[r][c].n > 0;
    table.best.push_back(filled > 1 ? best : std::nullopt);
  }
  return table;
}

std::vector<AggregateTable> aggregate_tables(const StoreReader& store, const std::vector<MetricKey>& metrics,
                                             const std::string& axis, const RunQuery& filter) {
  const auto& axes = table_axes();
  if (std::find(axes.begin(), axes.end(), axis) == axes.end()) {
    throw UsageError(fmt::format("unknown --by '{}': expected one of {}", axis, fmt::join(axes, ", ")));
  }
  const std::vector<MetricKey> known = store.metrics();
  std::vector<AggregateTable> tables;
  for (const auto& metric : metrics) {
    if (!known.empty() && std::find(known.begin(), known.end(), metric) == known.end()) {
      std::vector<std::string> labels;
      for (const auto& key : known) labels.push_back(key.label());
      throw UsageError(fmt::format("unknown metric '{}' in {}: the metrics are {}", metric.label(), store.path(),
                                   fmt::join(labels, ", ")));
    }
    tables.push_back(aggregate(store.path(), metric.label(), axis, store.metric_samples(filter, metric),
                               higher_is_better(metric.name)));
  }
  return tables;
}

}  // namespace ablate::report
