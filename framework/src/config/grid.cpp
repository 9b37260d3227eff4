// Grid expansion: the cartesian product of an experiment's axes.
#include "config/grid.hpp"

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

std::string Cell::label() const {
  std::string text = fmt::format("{} r{} s{}", arm, resolution, seed);
  for (const auto& [key, value] : axes) text += fmt::format(" {}={}", key, value);
  return text;
}

std::string Cell::arm_label() const {
  std::string text = arm;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const std::string& key = axes[i].first;
    text += (i == 0 ? "@" : ",") + key.substr(key.rfind('.') + 1) + "=" + axes[i].second;
  }
  return text;
}

namespace {

// A copy of `node` whose mappings are new, so that a cell's grid axis values can be set in
// them, while every other value is the experiment's own node: it keeps its position in the
// file (or the override it came from) for the messages about it. YAML::Clone would lose both.
YAML::Node copy_mappings(const YAML::Node& node) {
  if (!node.IsMap()) return node;
  YAML::Node copy(YAML::NodeType::Map);
  for (const auto& entry : node) copy[entry.first] = copy_mappings(entry.second);
  return copy;
}

YAML::Node mapping_or_empty(const YAML::Node& node) {
  return node && node.IsMap() ? copy_mappings(node) : YAML::Node(YAML::NodeType::Map);
}

std::string scalar_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter emitter;
  emitter << YAML::Flow << node;
  return emitter.c_str();
}

// Two YAML scalars are the same value when their typed JSON forms are equal (1.0e-3 and
// 0.001 alike).
bool same_value(const YAML::Node& a, const YAML::Node& b) { return yaml_to_json(a) == yaml_to_json(b); }

bool excluded(const Experiment& experiment, const std::string& arm, std::int64_t resolution, std::int64_t seed,
              const std::vector<std::pair<std::string, YAML::Node>>& axis_values) {
  for (const auto& rule : experiment.exclude) {
    bool matches = true;
    for (const auto& [key, value] : rule.conditions) {
      if (key == "arm") {
        matches = value.Scalar() == arm;
      } else if (key == "resolution") {
        matches = value.as<std::int64_t>() == resolution;
      } else if (key == "seed") {
        matches = value.as<std::int64_t>() == seed;
      } else {
        matches = false;
        for (const auto& [axis, axis_value] : axis_values) {
          if (axis == key) matches = same_value(axis_value, value);
        }
      }
      if (!matches) break;
    }
    if (matches) return true;
  }
  return false;
}

}  // namespace

std::vector<Cell> expand_grid(const Experiment& experiment) {
  // The cell count is checked against max_cells at every factor, so it cannot wrap: 64
  // axes of two values each once wrapped to 0 cells, and the grid "finished" having
  // validated nothing. Every factor is at least 1, so `combinations` is bounded too.
  std::size_t cell_count = 1;
  const auto count_in = [&](std::size_t factor, const std::string& what) {
    if (factor != 0 && cell_count > experiment.max_cells / factor) {
      throw ConfigError(fmt::format("{}: the grid has more than {} cells (arms x resolutions x seeds x each grid "
                                    "axis's values, counted up to {}); split it into several experiments, or raise "
                                    "the limit with `runner --max-cells N`",
                                    experiment.source, experiment.max_cells, what));
    }
    cell_count *= factor;
  };
  count_in(experiment.arms.size(), "the arms");
  count_in(experiment.resolutions.size(), "the resolutions");
  count_in(experiment.seeds.size(), "the seeds");
  // Odometer over the grid axes: combination k picks value digits[i] of axis i.
  std::size_t combinations = 1;
  for (const auto& axis : experiment.grid) {
    count_in(axis.values.size(), fmt::format("grid axis '{}'", axis.key));
    combinations *= axis.values.size();
  }

  std::vector<Cell> cells;
  for (const auto& arm : experiment.arms) {
    for (const auto resolution : experiment.resolutions) {
      for (std::size_t combination = 0; combination < combinations; ++combination) {
        // Apply this combination's axis values to copies of the arm's sections.
        YAML::Node sections(YAML::NodeType::Map);
        sections["train"] = mapping_or_empty(experiment.train);
        sections["dataset"] = mapping_or_empty(experiment.dataset_options);
        sections["model"] = YAML::Node(YAML::NodeType::Map);
        sections["model"]["options"] = mapping_or_empty(arm.options);
        std::vector<std::pair<std::string, std::string>> axes;
        std::vector<std::pair<std::string, YAML::Node>> axis_values;
        std::size_t rest = combination;
        for (std::size_t i = experiment.grid.size(); i-- > 0;) {
          const auto& axis = experiment.grid[i];
          const YAML::Node& value = axis.values[rest % axis.values.size()];
          rest /= axis.values.size();
          set_dotted(sections, axis.key, copy_mappings(value), fmt::format("grid axis '{}'", axis.key));
          axes.insert(axes.begin(), {axis.key, scalar_text(value)});
          axis_values.emplace_back(axis.key, value);
        }
        TrainSettings train;
        try {
          train = parse_train(sections["train"], experiment.source);
        } catch (const ConfigError& e) {
          throw ConfigError(fmt::format(
              "in the grid cell of arm '{}' with {}: {}", arm.name,
              axes.empty() ? std::string("no axes") : axes.front().first + "=" + axes.front().second, e.what()));
        }
        for (const auto seed : experiment.seeds) {
          if (excluded(experiment, arm.name, resolution, seed, axis_values)) continue;
          Cell cell;
          cell.index = cells.size();
          cell.arm = arm.name;
          cell.model = arm.model;
          cell.model_options = sections["model"]["options"];
          cell.dataset_plugin = experiment.dataset_plugin;
          cell.dataset_options = sections["dataset"];
          cell.resolution = resolution;
          cell.seed = seed;
          cell.train = train;
          cell.metrics = experiment.metrics;
          cell.axes = axes;
          cell.source = experiment.source;
          cells.push_back(std::move(cell));
        }
      }
    }
  }
  return cells;
}

}  // namespace ablate
