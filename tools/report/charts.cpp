// Curves and confusion matrices: reading and summing them, as plain data.
#include "charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "cli_suggest.hpp"
#include "config_groups.hpp"
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
  static const std::vector<std::string> names = {"train_loss", "train_accuracy", "val_loss", "val_accuracy"};
  return names;
}

Curve mean_curve(const std::string& arm, std::int64_t resolution, const std::string& series,
                 const std::vector<std::vector<db::EpochRow>>& runs) {
  Curve curve;
  curve.arm = arm;
  curve.label = arm;
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

std::vector<Curve> learning_curves(const StoreReader& store, const RunQuery& query, const std::string& series) {
  const auto& names = curve_series();
  if (std::find(names.begin(), names.end(), series) == names.end()) {
    throw UsageError(unknown_choice("--series", series, names));
  }
  const auto runs = store.list_runs(query);
  std::vector<std::int64_t> ids;
  for (const auto& run : runs) ids.push_back(run.id);
  const auto epochs = store.epochs_of(ids);
  // One curve per configuration and resolution: runs of an arm with other settings
  // (another max_epochs, another data set) are never averaged together.
  const std::vector<std::string> labels = configuration_labels(runs, store.configs_of(runs));
  std::map<std::pair<std::string, std::int64_t>, std::pair<std::string, std::vector<std::vector<db::EpochRow>>>> groups;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    auto& group = groups[{labels[i], runs[i].resolution}];
    group.first = runs[i].arm;
    group.second.push_back(epochs.at(runs[i].id));
  }
  std::vector<Curve> curves;
  for (const auto& [key, group] : groups) {
    Curve curve = mean_curve(group.first, key.second, series, group.second);
    curve.label = key.first;
    curves.push_back(std::move(curve));
  }
  return curves;
}

CurveReport read_curves(const StoreReader& store, const RunQuery& query, const std::string& series) {
  RunQuery finished = query;
  finished.status = db::RunStatus::finished;
  return CurveReport{store.path(), series, learning_curves(store, finished, series)};
}

std::vector<ConfusionGroup> confusion_groups(const StoreReader& store, const RunQuery& query, const std::string& split,
                                             const std::optional<db::RunRow>& run) {
  struct Member {
    std::string label;
    ConfusionGroup group;  // its identity; the matrix is filled below
    std::vector<std::int64_t> ids;
  };
  std::vector<Member> members;
  if (run) {
    ConfusionGroup group;
    group.arm = run->arm;
    group.label = run->arm;
    group.resolution = run->resolution;
    group.run_id = run->id;
    members.push_back({fmt::format("run {}", run->id), group, {run->id}});
  } else {
    RunQuery finished = query;
    finished.status = db::RunStatus::finished;
    // Summed per configuration and resolution, never across an arm's other settings.
    const auto runs = store.list_runs(finished);
    const std::vector<std::string> labels = configuration_labels(runs, store.configs_of(runs));
    std::map<std::pair<std::string, std::int64_t>, std::pair<std::string, std::vector<std::int64_t>>> groups;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      auto& group = groups[{labels[i], runs[i].resolution}];
      group.first = runs[i].arm;
      group.second.push_back(runs[i].id);
    }
    for (const auto& [key, entry] : groups) {
      ConfusionGroup group;
      group.arm = entry.first;
      group.label = key.first;
      group.resolution = key.second;
      members.push_back({fmt::format("{} at {}", key.first, key.second), group, entry.second});
    }
  }
  std::vector<ConfusionGroup> result;
  for (auto& [label, group, ids] : members) {
    std::size_t used = 0;
    for (const std::int64_t id : ids) {
      for (const auto& matrix : store.store().matrices(id)) {
        if (matrix.split != split || matrix.name.find("confusion") == std::string::npos) continue;
        if (used == 0) {
          group.rows = matrix.rows;
          group.cols = matrix.cols;
          group.values.assign(matrix.values.size(), 0.0);
          // One configuration is one data set: the first run's names are the group's. A
          // list that does not match the matrix is not trusted to name its rows.
          group.classes = store.store().class_names(id);
          if (static_cast<std::int64_t>(group.classes.size()) != std::max(matrix.rows, matrix.cols)) {
            group.classes.clear();
          }
        }
        if (matrix.rows != group.rows || matrix.cols != group.cols) continue;
        for (std::size_t k = 0; k < matrix.values.size(); ++k) group.values[k] += matrix.values[k];
        ++used;
        break;
      }
    }
    if (used == 0) continue;
    group.runs = used;
    group.title = fmt::format("{}: {} confusion matrix{}", label, split,
                              used > 1 ? fmt::format(", summed over {} runs", used) : "");
    result.push_back(std::move(group));
  }
  return result;
}

ConfusionReport read_confusion(const StoreReader& store, const RunQuery& query, const std::string& split,
                               const std::optional<std::string>& run_spec) {
  std::optional<db::RunRow> run;
  if (run_spec) run = store.resolve_run(*run_spec);
  return ConfusionReport{store.path(), split, confusion_groups(store, query, split, run)};
}

std::string class_label(const std::vector<std::string>& names, std::int64_t index) {
  if (index >= 0 && static_cast<std::size_t>(index) < names.size()) return names[static_cast<std::size_t>(index)];
  return std::to_string(index);
}

double recall(const ConfusionGroup& group, std::int64_t row) {
  double total = 0;
  for (std::int64_t c = 0; c < group.cols; ++c) total += group.values[static_cast<std::size_t>(row * group.cols + c)];
  const double hit = row < group.cols ? group.values[static_cast<std::size_t>(row * group.cols + row)] : 0;
  return total > 0 ? hit / total : kNaN;
}

}  // namespace ablate::report
