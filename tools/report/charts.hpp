// The data behind the pictures (learning curves across seeds, summed confusion matrices)
// and their compact terminal versions for `report curves` and `report confusion`.
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
  std::int64_t resolution = 0;
  std::string series;               // "val_accuracy"
  std::size_t runs = 0;             // seeds that contributed
  std::vector<std::int64_t> epochs;  // 1-based
  std::vector<Summary> values;      // per epoch, over the runs that reached it
};

// One epoch series of runs grouped by arm and resolution. Pure.
Curve mean_curve(const std::string& arm, std::int64_t resolution, const std::string& series,
                 const std::vector<std::vector<db::EpochRow>>& runs);

// Reads the epochs of the runs matching `query` and builds one curve per arm and
// resolution. UsageError for an unknown series.
std::vector<Curve> learning_curves(const StoreReader& store, const RunQuery& query,
                                   const std::string& series);

// Unicode sparklines on one shared scale, one line per curve.
std::string curves_text(const std::vector<Curve>& curves, const std::string& series,
                        const std::string& store_path);

// "▁▂▃▅▇": each value placed between low and high; ' ' for NaN.
std::string sparkline(const std::vector<double>& values, double low, double high);

struct ConfusionGroup {
  std::string title;  // "baseline at 28, test confusion, 3 runs"
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<double> values;  // summed, row-major, rows = true class
};

// The confusion matrix of `run`, or the sum over the finished runs of each arm and
// resolution matching `query`. Matrices whose shape differs within a group are skipped.
std::vector<ConfusionGroup> confusion_groups(const StoreReader& store, const RunQuery& query,
                                             const std::string& split,
                                             std::optional<std::int64_t> run);

// Aligned counts with each row's recall.
std::string confusion_text(const std::vector<ConfusionGroup>& groups);

}  // namespace ablate::report
