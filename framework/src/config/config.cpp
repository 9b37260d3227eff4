// Experiment files: strict YAML validation with messages that point at file:line:column.
#include "config/config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ablate/error.hpp"
#include "api/options_yaml.hpp"
#include "config/yaml_reading.hpp"

namespace ablate {

namespace {

YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  YAML::Node document;
  try {
    document = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}:{}:{}: YAML syntax error: {}", source, e.mark.line + 1, e.mark.column + 1,
                                  e.msg));
  }
  reject_alias_bombs(document, source);
  reject_duplicate_keys(document, source);
  return document;
}

// `number`: the override's place among the command line's KEY=VALUE arguments, from 1,
// which messages name it by: "override 2 'train.max_epochs=one'".
void apply_override(YAML::Node document, const std::string& override_text, std::size_t number) {
  const std::string what = fmt::format("override {} '{}'", number, override_text);
  const auto equals = override_text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw ConfigError(fmt::format("{} must look like key=value, e.g. train.max_epochs=3 or seeds=[0,1]", what));
  }
  const std::string key = override_text.substr(0, equals);
  YAML::Node value;
  try {
    value = YAML::Load(override_text.substr(equals + 1));
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}: the value is not valid YAML: {}", what, e.msg));
  }
  reject_alias_bombs(value, what);
  reject_duplicate_keys(value, what);
  note_origin(value, what);
  set_dotted(document, key, value, what);
}

}  // namespace

void set_dotted(YAML::Node document, const std::string& dotted_key, const YAML::Node& value, const std::string& what) {
  std::vector<std::string> parts;
  std::stringstream stream(dotted_key);
  for (std::string part; std::getline(stream, part, '.');) {
    if (part.empty()) throw ConfigError(fmt::format("{}: '{}' has an empty key", what, dotted_key));
    parts.push_back(part);
  }
  if (parts.empty()) throw ConfigError(fmt::format("{}: the key is empty", what));
  YAML::Node node = document;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!node[parts[i]] || node[parts[i]].IsNull()) node[parts[i]] = YAML::Node(YAML::NodeType::Map);
    node.reset(node[parts[i]]);  // reset, not assignment: assignment would overwrite the parent's value
    if (!node.IsMap()) {
      throw ConfigError(fmt::format("{}: '{}' is not a mapping, so '{}' cannot be set", what,
                                    fmt::join(parts.begin(), parts.begin() + i + 1, "."), dotted_key));
    }
  }
  // The value itself, not a clone: it keeps its marks, so errors about it name its line
  // (or the override it came from). Callers that reuse a value copy it (grid.cpp).
  node[parts.back()] = value;
}

nlohmann::json yaml_to_json(const YAML::Node& node) {
  if (!node || node.IsNull()) return nullptr;
  if (node.IsSequence()) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& item : node) array.push_back(yaml_to_json(item));
    return array;
  }
  if (node.IsMap()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& entry : node) object[entry.first.Scalar()] = yaml_to_json(entry.second);
    return object;
  }
  const std::string& text = node.Scalar();
  // A quoted scalar stays a string; plain ones are typed as YAML 1.2's core schema does.
  if (node.Tag() != "!") {
    static const std::regex integer(R"([-+]?[0-9]+)");
    static const std::regex number(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
    if (std::regex_match(text, integer)) return std::stoll(text);
    if (std::regex_match(text, number)) return std::stod(text);
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    if (text == "null" || text == "~") return nullptr;
  }
  return text;
}

Experiment parse_experiment(const std::string& yaml_text, const std::string& source,
                            const std::vector<std::string>& overrides) {
  YAML::Node document = parse_yaml(yaml_text, source);
  if (!document.IsMap()) {
    throw ConfigError(fmt::format("{}: an experiment file must be a mapping with at least "
                                  "`dataset`, `arms`, `resolutions` and `seeds`",
                                  source));
  }
  for (std::size_t i = 0; i < overrides.size(); ++i) apply_override(document, overrides[i], i + 1);
  check_keys(document,
             {"name", "description", "dataset", "arms", "resolutions", "seeds", "train", "metrics", "grid", "exclude"},
             "the experiment", source);
  for (const char* required : {"dataset", "arms", "resolutions", "seeds"}) {
    if (!document[required]) {
      throw ConfigError(fmt::format("{}: missing required key '{}'", source, required));
    }
  }

  Experiment experiment;
  experiment.source = source;
  YAML::Emitter emitter;
  emitter << document;
  experiment.text = emitter.c_str();
  experiment.name = document["name"] ? scalar<std::string>(document["name"], "name", "a string", source)
                                     : std::filesystem::path(source).stem().string();
  // The name is printed on every progress line: a control character in it (an escape
  // sequence, CR, LF) would rewrite the user's terminal or forge lines of output.
  const auto control = std::find_if(experiment.name.begin(), experiment.name.end(),
                                    [](unsigned char c) { return c < 0x20 || c == 0x7f; });
  if (control != experiment.name.end()) {
    throw ConfigError(fmt::format("{}name must be printable text, but it contains the control character 0x{:02x} "
                                  "(at character {})",
                                  document["name"] ? at(document["name"], source) : source + ": ",
                                  static_cast<unsigned char>(*control), control - experiment.name.begin() + 1));
  }

  const YAML::Node dataset = require_map(document["dataset"], "dataset", source);
  if (!dataset["plugin"]) {
    throw ConfigError(fmt::format("{}dataset needs a `plugin` key, e.g. dataset: {{plugin: fashion_mnist}}",
                                  at(dataset, source)));
  }
  experiment.dataset_plugin = scalar<std::string>(dataset["plugin"], "dataset.plugin", "a plugin name", source);
  experiment.dataset_plugin_node = dataset["plugin"];
  experiment.dataset_options = YAML::Node(YAML::NodeType::Map);
  for (const auto& entry : dataset) {
    if (entry.first.Scalar() != "plugin") experiment.dataset_options[entry.first] = entry.second;
  }

  const YAML::Node arms = require_map(document["arms"], "arms", source);
  if (arms.size() == 0) throw ConfigError(fmt::format("{}arms must name at least one arm", at(arms, source)));
  static const std::regex arm_name(R"([A-Za-z0-9][A-Za-z0-9_.-]*)");
  for (const auto& entry : arms) {
    ArmSpec arm;
    arm.name = entry.first.Scalar();
    if (!std::regex_match(arm.name, arm_name)) {
      throw ConfigError(fmt::format("{}arm name '{}' may contain only letters, digits, '_', '.' and '-'",
                                    at(entry.first, source), arm.name));
    }
    const std::string what = "arm '" + arm.name + "'";
    require_map(entry.second, what, source);
    check_keys(entry.second, {"model", "options"}, what, source);
    if (!entry.second["model"]) {
      throw ConfigError(fmt::format("{}{} needs a `model` key naming a model plugin", at(entry.second, source), what));
    }
    arm.model = scalar<std::string>(entry.second["model"], what + ".model", "a plugin name", source);
    arm.model_node = entry.second["model"];
    arm.options = child(entry.second, "options");
    if (arm.options && !arm.options.IsNull()) require_map(arm.options, what + ".options", source);
    experiment.arms.push_back(arm);
  }

  experiment.resolutions = integer_list(document["resolutions"], "resolutions", 8, source);
  experiment.seeds = integer_list(document["seeds"], "seeds", 0, source);
  experiment.train = child(document, "train");
  parse_train(experiment.train, source);  // reports errors with their positions up front

  if (const auto metrics = document["metrics"]) {
    if (!metrics.IsSequence() || metrics.size() == 0) {
      throw ConfigError(fmt::format("{}metrics must be a non-empty list of metric plugins, e.g. [classification]",
                                    at(metrics, source)));
    }
    for (const auto& item : metrics) {
      experiment.metrics.push_back(scalar<std::string>(item, "metrics", "a list of plugin names", source));
      experiment.metric_nodes.push_back(item);
    }
  } else {
    experiment.metrics = {"classification"};
    experiment.metric_nodes = {YAML::Node()};
  }

  if (const auto grid = document["grid"]) {
    require_map(grid, "grid", source);
    for (const auto& entry : grid) {
      GridAxis axis;
      axis.key = entry.first.Scalar();
      static const std::regex axis_key(R"((train|dataset|model\.options)\.[A-Za-z0-9_.]+)");
      if (!std::regex_match(axis.key, axis_key) || axis.key == "dataset.plugin") {
        throw ConfigError(fmt::format("{}grid axis '{}' must be a dotted key under train., dataset. or model.options., "
                                      "e.g. train.optimizer.lr (arms, resolutions and seeds have their own keys)",
                                      at(entry.first, source), axis.key));
      }
      if (!entry.second.IsSequence() || entry.second.size() == 0) {
        throw ConfigError(fmt::format("{}grid axis '{}' must be a non-empty list of values", at(entry.second, source),
                                      axis.key));
      }
      for (const auto& value : entry.second) axis.values.push_back(value);
      experiment.grid.push_back(axis);
    }
  }
  if (const auto exclude = document["exclude"]) {
    if (!exclude.IsSequence()) {
      throw ConfigError(fmt::format("{}exclude must be a list of rules, e.g. exclude: [{{arm: se, resolution: 128}}]",
                                    at(exclude, source)));
    }
    std::vector<std::string> known = {"arm", "resolution", "seed"};
    for (const auto& axis : experiment.grid) known.push_back(axis.key);
    for (const auto& rule : exclude) {
      require_map(rule, "an exclude rule", source);
      if (rule.size() == 0)
        throw ConfigError(fmt::format("{}an exclude rule needs at least one key", at(rule, source)));
      check_keys(rule, known, "an exclude rule", source);
      ExcludeRule parsed;
      for (const auto& entry : rule) {
        const std::string key = entry.first.Scalar();
        if (key == "arm") {
          const auto arm = scalar<std::string>(entry.second, "exclude.arm", "an arm name", source);
          const bool exists = std::any_of(experiment.arms.begin(), experiment.arms.end(),
                                          [&](const ArmSpec& a) { return a.name == arm; });
          if (!exists)
            throw ConfigError(fmt::format("{}exclude names arm '{}', which the experiment does not have",
                                          at(entry.second, source), arm));
        } else if (key == "resolution" || key == "seed") {
          scalar<std::int64_t>(entry.second, "exclude." + key, "an integer", source);
        }
        parsed.conditions.emplace_back(key, entry.second);
      }
      experiment.exclude.push_back(std::move(parsed));
    }
  }
  return experiment;
}

Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("cannot read experiment file {}", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse_experiment(text.str(), path, overrides);
}

}  // namespace ablate
