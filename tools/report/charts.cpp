// Curves and confusion matrices: their data, and their terminal forms.
#include "charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "text.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

double series_value(const db::EpochRow& epoch, const std::string& series) {
  if (series == "train_loss") return epoch.train_loss;
  if (series == "train_accuracy") return epoch.train_accuracy;
  if (series == "val_loss") return epoch.val_loss;
  return epoch.val_accuracy;
}

}  // namespace

const std::vector<std::string>& curve_series() {
  static const std::vector<std::string> names = {"train_loss", "train_accuracy", "val_loss",
                                                 "val_accuracy"};
  return names;
}

Curve mean_curve(const std::string& arm, std::int64_t resolution, const std::string& series,
                 const std::vector<std::vector<db::EpochRow>>& runs) {
  Curve curve;
  curve.arm = arm;
  curve.resolution = resolution;
  curve.series = series;
  std::map<std::int64_t, std::vector<double>> by_epoch;
  for (const auto& run : runs) {
    if (!run.empty()) ++curve.runs;
    for (const auto& epoch : run) {
      const double value = series_value(epoch, series);
      if (std::isfinite(value)) by_epoch[epoch.epoch].push_back(value);
    }
  }
  for (const auto& [epoch, values] : by_epoch) {
    curve.epochs.push_back(epoch);
    curve.values.push_back(summarize(values));
  }
  return curve;
}

std::vector<Curve> learning_curves(const StoreReader& store, const RunQuery& query,
                                   const std::string& series) {
  const auto& names = curve_series();
  if (std::find(names.begin(), names.end(), series) == names.end()) {
    throw UsageError(fmt::format("unknown --series '{}': expected one of {}", series,
                                 fmt::join(names, ", ")));
  }
  const auto runs = store.list_runs(query);
  std::vector<std::int64_t> ids;
  for (const auto& run : runs) ids.push_back(run.id);
  const auto epochs = store.epochs_of(ids);
  std::map<std::pair<std::string, std::int64_t>, std::vector<std::vector<db::EpochRow>>> groups;
  for (const auto& run : runs) groups[{run.arm, run.resolution}].push_back(epochs.at(run.id));
  std::vector<Curve> curves;
  for (const auto& [key, group] : groups) {
    curves.push_back(mean_curve(key.first, key.second, series, group));
  }
  return curves;
}

std::string sparkline(const std::vector<double>& values, double low, double high) {
  static const char* const kBars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                      "\u2585", "\u2586", "\u2587", "\u2588"};
  std::string line;
  for (double value : values) {
    if (!std::isfinite(value)) {
      line += ' ';
      continue;
    }
    const double span = high - low;
    const double position = span > 0 ? (value - low) / span : 0.5;
    const int index = std::clamp(static_cast<int>(std::lround(position * 7)), 0, 7);
    line += kBars[index];
  }
  return line;
}

std::string curves_text(const std::vector<Curve>& curves, const std::string& series,
                        const std::string& store_path) {
  if (curves.empty()) return fmt::format("no finished runs with epochs in {}\n", store_path);
  double low = INFINITY;
  double high = -INFINITY;
  std::size_t label_width = 0;
  std::vector<std::string> labels;
  for (const auto& curve : curves) {
    for (const auto& value : curve.values) {
      low = std::min(low, value.mean);
      high = std::max(high, value.mean);
    }
    labels.push_back(fmt::format("{} at {} ({} run{})", curve.arm, curve.resolution, curve.runs,
                                 curve.runs == 1 ? "" : "s"));
    label_width = std::max(label_width, display_width(labels.back()));
  }
  const bool lower_better = series.find("loss") != std::string::npos;
  std::string text = fmt::format("{}: mean over seeds per epoch, scale {} to {}\n", series,
                                 fixed(low, 4), fixed(high, 4));
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const Curve& curve = curves[i];
    std::vector<double> means;
    for (const auto& value : curve.values) means.push_back(value.mean);
    std::size_t best = 0;
    for (std::size_t k = 0; k < means.size(); ++k) {
      if (lower_better ? means[k] < means[best] : means[k] > means[best]) best = k;
    }
    text += labels[i] + std::string(label_width - display_width(labels[i]), ' ') + "  " +
            sparkline(means, low, high);
    if (!means.empty()) {
      text += fmt::format("  {} \u2192 {}, best {} at epoch {}", fixed(means.front(), 4),
                          fixed(means.back(), 4), fixed(means[best], 4), curve.epochs[best]);
    }
    text += '\n';
  }
  return text;
}

std::vector<ConfusionGroup> confusion_groups(const StoreReader& store, const RunQuery& query,
                                             const std::string& split,
                                             std::optional<std::int64_t> run) {
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> members;
  if (run) {
    members.push_back({fmt::format("run {}", *run), {*run}});
  } else {
    RunQuery finished = query;
    finished.status = db::RunStatus::finished;
    std::map<std::pair<std::string, std::int64_t>, std::vector<std::int64_t>> groups;
    for (const auto& row : store.list_runs(finished)) {
      groups[{row.arm, row.resolution}].push_back(row.id);
    }
    for (const auto& [key, ids] : groups) {
      members.push_back({fmt::format("{} at {}", key.first, key.second), ids});
    }
  }
  std::vector<ConfusionGroup> result;
  for (const auto& [label, ids] : members) {
    ConfusionGroup group;
    std::size_t used = 0;
    for (const std::int64_t id : ids) {
      for (const auto& matrix : store.store().matrices(id)) {
        if (matrix.split != split || matrix.name.find("confusion") == std::string::npos) continue;
        if (used == 0) {
          group.rows = matrix.rows;
          group.cols = matrix.cols;
          group.values.assign(matrix.values.size(), 0.0);
        }
        if (matrix.rows != group.rows || matrix.cols != group.cols) continue;
        for (std::size_t k = 0; k < matrix.values.size(); ++k) group.values[k] += matrix.values[k];
        ++used;
        break;
      }
    }
    if (used == 0) continue;
    group.title = fmt::format("{}: {} confusion matrix{}", label, split,
                              used > 1 ? fmt::format(", summed over {} runs", used) : "");
    result.push_back(std::move(group));
  }
  return result;
}

std::string confusion_text(const std::vector<ConfusionGroup>& groups) {
  if (groups.empty()) return "no confusion matrices recorded for these runs\n";
  std::string text;
  for (const auto& group : groups) {
    if (!text.empty()) text += '\n';
    text += group.title + " (rows: true class, columns: predicted)\n";
    std::size_t width = 6;  // "recall"
    for (double value : group.values) width = std::max(width, fmt::format("{:g}", value).size());
    text += fmt::format("{:>{}}", "", 4);
    for (std::int64_t c = 0; c < group.cols; ++c) text += fmt::format("  {:>{}}", c, width);
    text += fmt::format("  {:>{}}\n", "recall", width);
    for (std::int64_t r = 0; r < group.rows; ++r) {
      text += fmt::format("{:>4}", r);
      double total = 0;
      for (std::int64_t c = 0; c < group.cols; ++c) {
        const double value = group.values[static_cast<std::size_t>(r * group.cols + c)];
        total += value;
        text += fmt::format("  {:>{}}", fmt::format("{:g}", value), width);
      }
      const double hit = r < group.cols ? group.values[static_cast<std::size_t>(r * group.cols + r)] : 0;
      text += fmt::format("  {:>{}}\n", total > 0 ? fixed(hit / total, 4) : std::string(kUndefined), width);
    }
  }
  return text;
}

}  // namespace ablate::report
