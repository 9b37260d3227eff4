// Resolving an experiment against the plugins.
#include "grid_plan.hpp"

#include <map>

#include <fmt/format.h>

#include "ablate/error.hpp"
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

}  // namespace

std::unique_ptr<GridPlan> plan_grid(Experiment experiment, const std::vector<std::filesystem::path>& plugin_dirs,
                                    bool validate_models) {
  auto plan = std::make_unique<GridPlan>();
  plan->experiment = std::move(experiment);
  const Experiment& e = plan->experiment;
  plan->registry.load_directories(plugin_search_path(plugin_dirs));
  plan->dataset = plan->registry.create_dataset(e.dataset_plugin, e.dataset_options, e.source);
  plan->info = plan->dataset->info();
  for (const auto& name : e.metrics)
    plan->metrics.push_back(plan->registry.create_metric(name, YAML::Node(), e.source));
  plan->versions[e.dataset_plugin] = plan->registry.find(PluginKind::dataset, e.dataset_plugin).version;
  for (const auto& name : e.metrics) plan->versions[name] = plan->registry.find(PluginKind::metric, name).version;
  for (const auto& arm : e.arms) plan->versions[arm.model] = plan->registry.find(PluginKind::model, arm.model).version;

  std::map<std::string, std::size_t> cell_of_hash;  // to find two cells that would be one run
  for (auto& cell : expand_grid(e)) {
    // Each distinct model configuration is built once: the seed does not change it.
    if (validate_models && cell.seed == e.seeds.front()) validate_model(cell, plan->registry, plan->info);
    PlannedCell planned{std::move(cell), {}, {}};
    planned.identity = cell_identity(planned.cell, plan->versions);
    planned.hash = config_hash(planned.identity);
    const auto [first, inserted] = cell_of_hash.emplace(planned.hash, plan->cells.size());
    if (!inserted) throw_same_identity(e, plan->cells[first->second].cell, planned.cell);
    plan->cells.push_back(std::move(planned));
  }
  return plan;
}

std::vector<const PlannedCell*> shard_of(const GridPlan& plan, std::int64_t index, std::int64_t count) {
  std::vector<const PlannedCell*> cells;
  for (std::size_t i = static_cast<std::size_t>(index); i < plan.cells.size(); i += static_cast<std::size_t>(count)) {
    cells.push_back(&plan.cells[i]);
  }
  return cells;
}

}  // namespace ablate
