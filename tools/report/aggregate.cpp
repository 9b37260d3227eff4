// Builds the arms × axis tables of `report table`.
#include "aggregate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "cli_suggest.hpp"
#include "config_groups.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

// Column key that sorts numbers numerically, before names in alphabetical order.
struct ColumnKey {
  bool is_text = false;
  double number = 0;
  std::string text;
  bool operator<(const ColumnKey& other) const {
    return std::tie(is_text, number, text) < std::tie(other.is_text, other.number, other.text);
  }
};

ColumnKey numeric_or_text(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size()) return {false, value, text};
  return {true, 0, text};
}

ColumnKey column_of(const MetricSample& sample, const std::string& axis) {
  if (axis == "resolution") return {false, static_cast<double>(sample.resolution), std::to_string(sample.resolution)};
  if (axis == "dataset") return {true, 0, sample.dataset};
  if (axis == "model") return {true, 0, sample.model};
  const Settings settings = flatten_config(sample.config_json);
  const auto found = settings.find(axis);
  return numeric_or_text(found == settings.end() ? std::string(kDefaultValue) : found->second);
}

// The configuration key each named axis stands for: the rows leave it out.
std::string axis_key(const std::string& axis) {
  if (axis == "dataset") return "dataset.plugin";
  if (axis == "model") return "model.plugin";
  return axis;  // "resolution" is a key of its own
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
  const Grouping grouping = group_by_configuration(samples, {axis_key(axis)}, /*arm_from_config=*/true);
  std::vector<std::map<ColumnKey, std::vector<MetricSample>>> cells(grouping.groups.size());
  std::set<ColumnKey> columns;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const ColumnKey key = column_of(samples[i], axis);
    cells[grouping.group_of[i]][key].push_back(samples[i]);
    columns.insert(key);
  }
  for (const auto& column : columns) table.columns.push_back(column.text);
  table.keys = grouping.differing;
  for (std::size_t g = 0; g < grouping.groups.size(); ++g) {
    const ConfigGroup& group = grouping.groups[g];
    table.arms.push_back(group.arm);
    table.labels.push_back(group.label());
    std::vector<std::string> values;
    for (const auto& key : table.keys) values.push_back(group.value(key));
    table.key_values.push_back(std::move(values));
    std::vector<Summary> row;
    std::vector<std::vector<MetricSample>> runs;
    for (const auto& column : columns) {
      const auto found = cells[g].find(column);
      if (found == cells[g].end()) {
        row.push_back(Summary{});
        runs.emplace_back();
        continue;
      }
      const std::string where = fmt::format("{} {} at {} {}", metric, group.label(), axis, column.text);
      std::vector<double> values_of_seeds;
      runs.push_back(latest_per_seed(found->second, where, &table.notes));
      for (const auto& sample : runs.back()) values_of_seeds.push_back(sample.value);
      row.push_back(summarize(values_of_seeds));
    }
    table.cells.push_back(std::move(row));
    table.runs.push_back(std::move(runs));
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
    // One row alone in a column is not "best" of anything.
    std::size_t filled = 0;
    for (std::size_t r = 0; r < table.arms.size(); ++r) filled += table.cells[r][c].n > 0;
    table.best.push_back(filled > 1 ? best : std::nullopt);
  }
  return table;
}

std::vector<AggregateTable> aggregate_tables(const StoreReader& store, const std::vector<MetricKey>& metrics,
                                             const std::string& axis, const RunQuery& filter) {
  const auto& axes = table_axes();
  std::string resolved = axis;
  if (std::find(axes.begin(), axes.end(), axis) == axes.end()) {
    const std::set<std::string> keys = config_keys(store.config_jsons());
    const auto key = resolve_config_key(axis, keys);
    if (!key || *key == "seed" || *key == "arm") {
      std::set<std::string> choices(keys);
      choices.erase("seed");
      choices.erase("arm");
      std::vector<std::string> names(axes.begin(), axes.end());
      names.insert(names.end(), choices.begin(), choices.end());
      throw UsageError(fmt::format("unknown --by '{}'{}: expected one of {} or a configuration key of {}: {}", axis,
                                   nearest_hint(axis, names), fmt::join(axes, ", "), store.path(),
                                   choices.empty() ? std::string("(none)")
                                                   : fmt::format("{}", fmt::join(choices, ", "))));
    }
    resolved = *key;
  }
  const std::vector<MetricKey> known = store.metrics();
  std::vector<AggregateTable> tables;
  for (const auto& metric : metrics) {
    if (!known.empty() && std::find(known.begin(), known.end(), metric) == known.end()) {
      std::vector<std::string> labels;
      for (const auto& key : known) labels.push_back(key.label());
      throw UsageError(unknown_name("metric", metric.label(), labels, store.path(), "metrics"));
    }
    tables.push_back(aggregate(store.path(), metric.label(), resolved, store.metric_samples(filter, metric),
                               higher_is_better(metric.name)));
  }
  return tables;
}

}  // namespace ablate::report
