// `report table`: one metric as configurations × an axis (resolution, dataset, model or
// any configuration key), each cell the mean ± sd over seeds with n, the best cell of each
// column marked. A row is an arm's configuration without the seed and the axis
// (config_groups.hpp): runs of one arm with different settings are separate rows.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "statistics.hpp"
#include "store_queries.hpp"

namespace ablate::report {

struct AggregateTable {
  std::string store_path;
  std::string metric;  // "test.accuracy"
  std::string axis;    // "resolution", "dataset", "model" or a configuration key
  bool higher_is_better = true;
  std::vector<std::string> columns;                          // axis values, in order
  std::vector<std::string> arms;                             // per row: its arm
  std::vector<std::string> labels;                           // per row: "arm [key=value, ...]"
  std::vector<std::string> keys;                             // configuration keys telling rows of an arm apart
  std::vector<std::vector<std::string>> key_values;          // [row][key]
  std::vector<std::vector<Summary>> cells;                   // [row][column]; n = 0 where none
  std::vector<std::vector<std::vector<MetricSample>>> runs;  // [row][column]: the runs summarised, one per seed
  std::vector<std::optional<std::size_t>> best;              // per column: the best row
  std::vector<std::string> notes;                            // seeds run twice in one cell, and what was kept
};

// The named axes --by accepts besides configuration keys.
const std::vector<std::string>& table_axes();

// Losses and errors are better low; everything else (accuracy, F1, AUC) high.
bool higher_is_better(const std::string& metric_name);

// Builds the table from finished-run samples. Pure. `axis` is a named axis or a stored
// configuration key. Numeric columns sort as numbers, before any text.
AggregateTable aggregate(const std::string& store_path, const std::string& metric, const std::string& axis,
                         const std::vector<MetricSample>& samples, bool higher_is_better);

// Reads the samples of each metric and builds one table each. `axis` may be a named axis
// or a configuration key as resolve_config_key reads it. UsageError for an unknown metric
// or axis.
std::vector<AggregateTable> aggregate_tables(const StoreReader& store, const std::vector<MetricKey>& metrics,
                                             const std::string& axis, const RunQuery& filter);

}  // namespace ablate::report
