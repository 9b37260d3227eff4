// Resolving an experiment against the plugins.
#include "grid_plan.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "ablate/error.hpp"
#include "config/crash_report.hpp"
#include "config/invoke_plugin.hpp"
#include "config/yaml_reading.hpp"
#include "engine/trainer.hpp"

namespace ablate {

const PlannedCell* GridPlan::find(const std::string& hash) const {
  for (const auto& planned : cells) {
    if (planned.hash == hash) return &planned;
  }
  return nullptr;
}

namespace {

// Two cells of one grid with one identity would be one run: the second would be skipped
// as done and `report` could not tell them apart. Their axis values then differ only in
// how a value is written (1.0e-3 and 0.001) or in settings outside the identity (threads).
[[noreturn]] void throw_same_identity(const Experiment& experiment, const Cell& first, const Cell& second) {
  throw ConfigError(fmt::format(
      "{}: cells {} ({}) and {} ({}) have the same identity, so they would be one run: their values differ only in "
      "how a number is written or in settings that are not part of a run's identity (train.threads, train.images; "
      "docs/experiments.md); give the axis values that differ in what they compute",
      experiment.source, first.index + 1, first.label(), second.index + 1, second.label()));
}

DatasetInfo describe_data(const Dataset& dataset, const std::string& plugin) {
  const PluginCallNote note(fmt::format("dataset plugin '{}', describing its data", plugin));
  return invoke_plugin([&] { return dataset.info(); },
                       [&] { return fmt::format("dataset plugin '{}' failed to describe its data", plugin); });
}

// Each number a run stores has one author: two metric plugins returning one name (or a
// metric named `loss`, which the engine records itself) would overwrite each other's
// value silently. The names a metric returns are known only from what it computes, so
// each computes once here on a probe: every class twice, each scored highest on its own.
void reject_metric_name_clashes(const std::vector<std::string>& names,
                                const std::vector<std::shared_ptr<Metric>>& metrics, std::int64_t num_classes) {
  const std::int64_t classes = std::max<std::int64_t>(num_classes, 2);
  std::vector<std::int64_t> labels;
  std::vector<float> scores;
  for (std::int64_t i = 0; i < 2 * classes; ++i) {
    labels.push_back(i % classes);
    for (std::int64_t c = 0; c < classes; ++c) {
      scores.push_back(c == i % classes ? 0.5f : 0.5f / static_cast<float>(classes - 1));
    }
  }
  ScoredSamples probe;
  probe.scores = scores.data();
  probe.labels = labels.data();
  probe.count = 2 * classes;
  probe.num_classes = classes;
  std::map<std::string, std::string> author{{"loss", "the engine"}};
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    const PluginCallNote note(fmt::format("metric plugin '{}', computing a probe of {} samples", names[m],
                                          probe.count));
    const MetricResults results = invoke_plugin(
        [&] { return metrics[m]->compute(probe); },
        [&] {
          return fmt::format("metric plugin '{}' failed on a probe of {} scored samples", names[m], probe.count);
        });
    std::vector<std::string> returned;
    for (const auto& scalar : results.scalars) returned.push_back(scalar.first);
    for (const auto& matrix : results.matrices) returned.push_back(matrix.name);
    for (const auto& name : returned) {
      const auto [first, inserted] = author.emplace(name, fmt::format("metric plugin '{}'", names[m]));
      if (!inserted) {
        throw PluginError(fmt::format("metric plugin '{}' returns '{}', which {} already records: each number of a run "
                                      "has one author; rename one of them, or list only one of the two under `metrics`",
                                      names[m], name, first->second));
      }
    }
  }
}

// An unknown plugin is named with where the experiment (or an override) names it, and
// the registry's nearest name and list: "exp.yaml:4:23: unknown model plugin 'unet_encodr'
// (did you mean 'unet_encoder'?); available: ...".
void require_plugin(const PluginRegistry& registry, PluginKind kind, const std::string& name,
                    const YAML::Node& named_at, const std::string& source) {
  try {
    registry.find(kind, name);
  } catch (const PluginError& e) {
    throw PluginError(at(named_at, source) + e.what());
  }
}

}  // namespace

std::unique_ptr<GridPlan> plan_grid(Experiment experiment, const std::vector<std::filesystem::path>& plugin_dirs,
                                    bool validate_models) {
  auto plan = std::make_unique<GridPlan>();
  plan->experiment = std::move(experiment);
  const Experiment& e = plan->experiment;
  plan->registry.load_directories(plugin_search_path(plugin_dirs));
  require_plugin(plan->registry, PluginKind::dataset, e.dataset_plugin, e.dataset_plugin_node, e.source);
  for (const auto& arm : e.arms) require_plugin(plan->registry, PluginKind::model, arm.model, arm.model_node, e.source);
  for (std::size_t i = 0; i < e.metrics.size(); ++i) {
    require_plugin(plan->registry, PluginKind::metric, e.metrics[i],
                   i < e.metric_nodes.size() ? e.metric_nodes[i] : YAML::Node(), e.source);
  }
  plan->dataset = plan->registry.create_dataset(e.dataset_plugin, e.dataset_options, e.source);
  plan->info = describe_data(*plan->dataset, e.dataset_plugin);
  for (const auto& name : e.metrics)
    plan->metrics.push_back(plan->registry.create_metric(name, YAML::Node(), e.source));
  reject_metric_name_clashes(e.metrics, plan->metrics, plan->info.num_classes);
  plan->versions[e.dataset_plugin] = plan->registry.find(PluginKind::dataset, e.dataset_plugin).version;
  for (const auto& name : e.metrics) plan->versions[name] = plan->registry.find(PluginKind::metric, name).version;
  for (const auto& arm : e.arms) plan->versions[arm.model] = plan->registry.find(PluginKind::model, arm.model).version;

  std::map<std::string, std::size_t> cell_of_hash;  // to find two cells that would be one run
  // Each distinct set of dataset options (grid axes under `dataset.`) is its own dataset
  // object, built and so validated here: an axis value reaches the data, and a misspelt
  // axis key is the plugin's unknown-option error before anything runs.
  std::map<std::string, std::shared_ptr<const PlannedDataset>> datasets;
  const auto base = std::make_shared<const PlannedDataset>(PlannedDataset{plan->dataset, plan->info});
  datasets.emplace(YAML::Dump(e.dataset_options), base);
  const auto dataset_for = [&](const Cell& cell) {
    auto [found, inserted] = datasets.emplace(YAML::Dump(cell.dataset_options), nullptr);
    if (inserted) {
      auto dataset = plan->registry.create_dataset(cell.dataset_plugin, cell.dataset_options, e.source);
      const DatasetInfo info = describe_data(*dataset, cell.dataset_plugin);
      found->second = std::make_shared<const PlannedDataset>(PlannedDataset{std::move(dataset), info});
    }
    return found->second;
  };

  for (auto& cell : expand_grid(e)) {
    auto data = dataset_for(cell);
    // Each distinct model configuration is built once: the seed does not change it.
    if (validate_models && cell.seed == e.seeds.front()) validate_model(cell, plan->registry, data->info);
    PlannedCell planned{std::move(cell), {}, {}, std::move(data)};
    planned.identity = cell_identity(planned.cell, plan->versions);
    planned.hash = config_hash(planned.identity);
    const auto [first, inserted] = cell_of_hash.emplace(planned.hash, plan->cells.size());
    if (!inserted) throw_same_identity(e, plan->cells[first->second].cell, planned.cell);
    plan->cells.push_back(std::move(planned));
  }
  return plan;
}

DatasetSplits load_cell_data(const PlannedCell& planned) {
  const Cell& cell = planned.cell;
  const PluginCallNote note(fmt::format("dataset plugin '{}', loading its data at {}x{}", cell.dataset_plugin,
                                        cell.resolution, cell.resolution));
  DatasetSplits data = invoke_plugin([&] { return planned.data->dataset->load(cell.resolution); },
                                     [&] {
                                       return fmt::format("dataset plugin '{}' failed to load its data at {}x{}",
                                                          cell.dataset_plugin, cell.resolution, cell.resolution);
                                     });
  // A batch larger than the training split gives no full batch at all: the cell would
  // "finish" with a NaN loss and nothing trained (issue 20, item 6).
  if (cell.train.batch_size > data.train.count) {
    throw ConfigError(fmt::format("{}: train.batch_size {} is larger than the {} training images of dataset '{}'; "
                                  "expected at most {}",
                                  cell.label(), cell.train.batch_size, data.train.count, planned.data->info.name,
                                  data.train.count));
  }
  return data;
}

std::vector<const PlannedCell*> shard_of(const GridPlan& plan, std::int64_t index, std::int64_t count) {
  std::vector<const PlannedCell*> cells;
  for (std::size_t i = static_cast<std::size_t>(index); i < plan.cells.size(); i += static_cast<std::size_t>(count)) {
    cells.push_back(&plan.cells[i]);
  }
  return cells;
}

}  // namespace ablate
