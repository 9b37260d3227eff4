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

// The mapping `map` as a new mapping of the same keys and values: what is set in it later
// leaves `map` as it was. Only its own level is new; the keys and values are `map`'s own
// nodes, which keep their positions in the file (or the override they came from) for the
// messages about them. (YAML::Clone would lose both, and copy what nothing changes.)
YAML::Node copy_of_mapping(const YAML::Node& map) {
  YAML::Node copy(YAML::NodeType::Map);
  for (const auto& entry : map) copy[entry.first] = entry.second;
  return copy;
}

// Gives `root` its own copy of each mapping on the path to `dotted_key`, so that setting
// the key there changes nothing the experiment (or another cell) holds.
void copy_path(YAML::Node root, const std::string& dotted_key) {
  YAML::Node node = root;
  for (std::size_t start = 0, dot = dotted_key.find('.'); dot != std::string::npos;
       start = dot + 1, dot = dotted_key.find('.', start)) {
    const std::string part = dotted_key.substr(start, dot - start);
    if (!node[part] || !node[part].IsMap()) return;  // set_dotted makes it, or says why not
    node[part] = copy_of_mapping(node[part]);
    node.reset(node[part]);  // reset, not assignment: assignment would overwrite the parent's value
  }
}

YAML::Node mapping_or_empty(const YAML::Node& node) {
  return node && node.IsMap() ? node : YAML::Node(YAML::NodeType::Map);
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
          copy_path(sections, axis.key);
          set_dotted(sections, axis.key, value, fmt::format("grid axis '{}'", axis.key));
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
