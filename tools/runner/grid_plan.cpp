// Resolving an experiment against the plugins.
#include "grid_plan.hpp"

#include <map>

#include <fmt/format.h>

#include "ablate/error.hpp"
#include "config/invoke_plugin.hpp"
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
  return invoke_plugin([&] { return dataset.info(); },
                       [&] { return fmt::format("dataset plugin '{}' failed to describe its data", plugin); });
}

}  // namespace

std::unique_ptr<GridPlan> plan_grid(Experiment experiment, const std::vector<std::filesystem::path>& plugin_dirs,
                                    bool validate_models) {
  auto plan = std::make_unique<GridPlan>();
  plan->experiment = std::move(experiment);
  const Experiment& e = plan->experiment;
  plan->registry.load_directories(plugin_search_path(plugin_dirs));
  plan->dataset = plan->registry.create_dataset(e.dataset_plugin, e.dataset_options, e.source);
  plan->info = describe_data(*plan->dataset, e.dataset_plugin);
  for (const auto& name : e.metrics)
    plan->metrics.push_back(plan->registry.create_metric(name, YAML::Node(), e.source));
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
  return invoke_plugin([&] { return planned.data->dataset->load(cell.resolution); },
                       [&] {
                         return fmt::format("dataset plugin '{}' failed to load its data at {}x{}", cell.dataset_plugin,
                                            cell.resolution, cell.resolution);
                       });
}

std::vector<const PlannedCell*> shard_of(const GridPlan& plan, std::int64_t index, std::int64_t count) {
  std::vector<const PlannedCell*> cells;
  for (std::size_t i = static_cast<std::size_t>(index); i < plan.cells.size(); i += static_cast<std::size_t>(count)) {
    cells.push_back(&plan.cells[i]);
  }
  return cells;
}

}  // namespace ablate
