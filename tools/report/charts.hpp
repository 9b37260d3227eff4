// The data behind the pictures (learning curves across seeds, summed confusion matrices),
// read from the store as plain results for the reporters (`report curves`, `report
// confusion`) and the HTML page. Their terminal forms are in chart_text.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "statistics.hpp"
#include "store_queries.hpp"

namespace ablate::report {

// The epoch columns a curve can follow.
const std::vector<std::string>& curve_series();

struct Curve {
  std::string arm;
  std::string label;  // the arm and the settings telling its configurations apart (config_groups.hpp)
  std::int64_t resolution = 0;
  std::string series;                // "val_accuracy"
  std::size_t runs = 0;              // seeds that contributed
  std::vector<std::int64_t> epochs;  // 1-based
  std::vector<Summary> values;       // per epoch, over the runs that reached it
};

// One epoch series of runs grouped by arm and resolution. Pure.
Curve mean_curve(const std::string& arm, std::int64_t resolution, const std::string& series,
                 const std::vector<std::vector<db::EpochRow>>& runs);

// Reads the epochs of the runs matching `query` and builds one curve per arm and
// resolution. UsageError for an unknown series.
std::vector<Curve> learning_curves(const StoreReader& store, const RunQuery& query, const std::string& series);

// What `report curves` shows: one series of the finished runs, per arm and resolution.
struct CurveReport {
  std::string store_path;
  std::string series;  // one of curve_series()
  std::vector<Curve> curves;
};

// The curves of the finished runs matching `query`. UsageError for an unknown series.
CurveReport read_curves(const StoreReader& store, const RunQuery& query, const std::string& series);

struct ConfusionGroup {
  std::string title;  // "baseline at 28: test confusion matrix, summed over 3 runs"
  std::string arm;
  std::string label;  // the arm and the settings telling its configurations apart
  std::int64_t resolution = 0;
  std::optional<std::int64_t> run_id;  // set when one run was asked for
  std::size_t runs = 0;                // matrices summed
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<double> values;  // summed, row-major, rows = true class
  // The classes' names (the runs' data set's, migration 0005), one per row; empty when
  // the store has none for these runs: then classes read as their indices.
  std::vector<std::string> classes;
};

// What class `index` is called: its name when `names` has one, else the index.
std::string class_label(const std::vector<std::string>& names, std::int64_t index);

// The confusion matrix of `run`, or the sum over the finished runs of each arm and
// resolution matching `query`. Matrices whose shape differs within a group are skipped.
std::vector<ConfusionGroup> confusion_groups(const StoreReader& store, const RunQuery& query, const std::string& split,
                                             const std::optional<db::RunRow>& run);

// What `report confusion` shows.
struct ConfusionReport {
  std::string store_path;
  std::string split;  // "test" or "val"
  std::vector<ConfusionGroup> groups;
};

// The matrices of run `run_spec` (an id or config-hash prefix, see StoreReader::resolve_run)
// when given, else summed per arm and resolution over the finished runs matching `query`.
ConfusionReport read_confusion(const StoreReader& store, const RunQuery& query, const std::string& split,
                               const std::optional<std::string>& run_spec);

// Row `row`'s recall: its diagonal count over its total; NaN for a row with no items.
double recall(const ConfusionGroup& group, std::int64_t row);

}  // namespace ablate::report
