// `report table`: one metric as arms × an axis (resolution, dataset or model), each cell
// the mean ± sd over seeds with n, the best cell of each column marked.
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
  std::string axis;    // "resolution", "dataset" or "model"
  bool higher_is_better = true;
  std::vector<std::string> columns;              // axis values, in order
  std::vector<std::string> arms;                 // rows
  std::vector<std::vector<Summary>> cells;       // [arm][column]; n = 0 where none
  std::vector<std::optional<std::size_t>> best;  // per column: the best arm's row
};

// The axes --by accepts.
const std::vector<std::string>& table_axes();

// Losses and errors are better low; everything else (accuracy, F1, AUC) high.
bool higher_is_better(const std::string& metric_name);

// Builds the table from finished-run samples. Pure. Resolution columns sort numerically.
AggregateTable aggregate(const std::string& store_path, const std::string& metric, const std::string& axis,
                         const std::vector<MetricSample>& samples, bool higher_is_better);

// Reads the samples of each metric and builds one table each. UsageError for an unknown
// metric or axis.
std::vector<AggregateTable> aggregate_tables(const StoreReader& store, const std::vector<MetricKey>& metrics,
                                             const std::string& axis, const RunQuery& filter);

}  // namespace ablate::report
