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

namespace ablate {

namespace {

// "file.yaml:3:5: " or "" for nodes without a position (made by overrides).
std::string at(const YAML::Node& node, const std::string& source) {
  const std::string where = describe_location(node, source);
  return where.empty() ? std::string() : where + ": ";
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Rejects keys of `map` that are not in `known`, suggesting the closest known key.
void check_keys(const YAML::Node& map, const std::vector<std::string>& known,
                const std::string& section, const std::string& source) {
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string hint;
    for (const auto& candidate : known) {
      if (edit_distance(key, candidate) <= 2) hint = fmt::format(" (did you mean '{}'?)", candidate);
    }
    throw ConfigError(fmt::format("{}unknown key '{}' in {}{}; known keys: {}",
                                  at(entry.first, source), key, section, hint,
                                  fmt::join(known, ", ")));
  }
}

// map[key], or a null node when absent: yaml-cpp's missing-key nodes cannot be copied.
YAML::Node child(const YAML::Node& map, const char* key) {
  const YAML::Node value = map[key];
  return value ? value : YAML::Node();
}

YAML::Node require_map(const YAML::Node& node, const std::string& what, const std::string& source) {
  if (!node.IsMap()) {
    throw ConfigError(fmt::format("{}{} must be a mapping (key: value)", at(node, source), what));
  }
  return node;
}

template <typename T>
T scalar(const YAML::Node& node, const std::string& what, const char* expected,
         const std::string& source) {
  if (node.IsScalar()) {
    try {
      return node.as<T>();
    } catch (const YAML::Exception&) {
    }
  }
  const std::string got = node.IsScalar() ? "'" + node.Scalar() + "'" : std::string("a collection");
  throw ConfigError(fmt::format("{}{} must be {}, got {}", at(node, source), what, expected, got));
}

std::string choice(const YAML::Node& node, const std::string& what,
                   const std::vector<std::string>& choices, const std::string& source) {
  const auto value = scalar<std::string>(node, what, "a string", source);
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    throw ConfigError(fmt::format("{}{} is '{}'; valid values: {}", at(node, source), what, value,
                                  fmt::join(choices, ", ")));
  }
  return value;
}

std::vector<std::int64_t> int_list(const YAML::Node& node, const std::string& what,
                                   std::int64_t minimum, const std::string& source) {
  if (!node.IsSequence() || node.size() == 0) {
    throw ConfigError(fmt::format("{}{} must be a non-empty list of integers, e.g. [0, 1, 2]",
                                  at(node, source), what));
  }
  std::vector<std::int64_t> values;
  for (const auto& item : node) {
    const auto value = scalar<std::int64_t>(item, what, "a list of integers", source);
    if (value < minimum) {
      throw ConfigError(fmt::format("{}{} contains {}; each must be at least {}",
                                    at(item, source), what, value, minimum));
    }
    if (std::find(values.begin(), values.end(), value) != values.end()) {
      throw ConfigError(fmt::format("{}{} lists {} twice", at(item, source), what, value));
    }
    values.push_back(value);
  }
  return values;
}

std::int64_t positive(const YAML::Node& node, const std::string& what, std::int64_t minimum,
                      const std::string& source) {
  const auto value = scalar<std::int64_t>(node, what, "an integer", source);
  if (value < minimum) {
    throw ConfigError(fmt::format("{}{} is {}; it must be at least {}", at(node, source), what,
                                  value, minimum));
  }
  return value;
}

double positive_number(const YAML::Node& node, const std::string& what, const std::string& source) {
  const auto value = scalar<double>(node, what, "a number", source);
  if (!(value > 0)) {
    throw ConfigError(fmt::format("{}{} is {}; it must be greater than 0", at(node, source),
                                  what, value));
  }
  return value;
}

YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}:{}:{}: YAML syntax error: {}", source, e.mark.line + 1,
                                  e.mark.column + 1, e.msg));
  }
}

void apply_override(YAML::Node document, const std::string& override_text) {
  const auto equals = override_text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw ConfigError(fmt::format(
        "override '{}' must look like key=value, e.g. train.max_epochs=3 or seeds=[0,1]",
        override_text));
  }
  const std::string key = override_text.substr(0, equals);
  const std::string what = fmt::format("override '{}'", override_text);
  YAML::Node value;
  try {
    value = YAML::Load(override_text.substr(equals + 1));
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}: the value is not valid YAML: {}", what, e.msg));
  }
  set_dotted(document, key, value, what);
}

}  // namespace

void set_dotted(YAML::Node document, const std::string& dotted_key, const YAML::Node& value,
                const std::string& what) {
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
  node[parts.back()] = YAML::Clone(value);
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

// The settings that make a run's identity. `threads` and `images` are left out: they
// change how a cell runs, not what it computes.
nlohmann::json TrainSettings::to_json() const {
  nlohmann::json optimizer_json = {{"name", optimizer}, {"lr", lr}, {"weight_decay", weight_decay}};
  if (optimizer == "sgd") {
    optimizer_json["momentum"] = momentum;
    optimizer_json["nesterov"] = nesterov;
  }
  nlohmann::json scheduler_json = {{"name", scheduler}};
  if (scheduler == "plateau") {
    scheduler_json.update({{"factor", scheduler_factor}, {"patience", scheduler_patience}, {"monitor", scheduler_monitor}});
  } else if (scheduler == "cosine") {
    scheduler_json["min_lr"] = scheduler_min_lr;
  } else if (scheduler == "multistep") {
    scheduler_json.update({{"milestones", scheduler_milestones}, {"gamma", scheduler_gamma}});
  }
  nlohmann::json normalize_json = normalize;
  if (normalize == "fixed") normalize_json = {{"mean", normalize_mean}, {"std", normalize_std}};
  nlohmann::json identity = {
      {"optimizer", optimizer_json},
      {"batch_size", batch_size},
      {"eval_batch_size", eval_batch_size},
      {"max_epochs", max_epochs},
      {"steps_per_epoch", steps_per_epoch},
      {"amp", amp},
      {"early_stopping", {{"monitor", early_stopping_monitor}, {"patience", early_stopping_patience}}},
      {"scheduler", scheduler_json},
      {"class_weights", class_weights},
      {"label_smoothing", label_smoothing},
      {"grad_clip_norm", grad_clip_norm},
      {"normalize", normalize_json},
      {"augment", {{"horizontal_flip", augment.horizontal_flip}, {"vertical_flip", augment.vertical_flip},
                   {"rotate90", augment.rotate90}, {"rotate_degrees", augment.rotate_degrees},
                   {"crop_min_area", augment.crop_min_area}}},
      {"device", device},
      {"deterministic", deterministic},
      {"channels_last", channels_last},
  };
  // fast_paths joins the identity only when off, so that every run recorded before the
  // setting existed (with the fast paths on) keeps its hash and is not trained again.
  if (!fast_paths) identity["fast_paths"] = false;
  return identity;
}

namespace {

double number_in(const YAML::Node& node, const std::string& what, double low, double high,
                 const std::string& source) {
  const auto value = scalar<double>(node, what, "a number", source);
  if (!(value >= low && value <= high)) {
    throw ConfigError(fmt::format("{}{} is {}; it must be between {} and {}", at(node, source), what,
                                  value, low, high));
  }
  return value;
}

std::vector<double> number_list(const YAML::Node& node, const std::string& what, const std::string& source) {
  if (!node.IsSequence() || node.size() == 0) {
    throw ConfigError(fmt::format("{}{} must be a non-empty list of numbers", at(node, source), what));
  }
  std::vector<double> values;
  for (const auto& item : node) values.push_back(scalar<double>(item, what, "a list of numbers", source));
  return values;
}

bool flag(const YAML::Node& node, const std::string& what, const std::string& source) {
  return scalar<bool>(node, what, "true or false", source);
}

const std::vector<std::string> kMonitors = {"val_loss", "val_accuracy", "val_auc"};

}  // namespace

TrainSettings parse_train(const YAML::Node& node, const std::string& source) {
  TrainSettings train;
  if (!node || node.IsNull()) return train;
  require_map(node, "train", source);
  check_keys(node,
             {"optimizer", "batch_size", "eval_batch_size", "max_epochs", "steps_per_epoch", "early_stopping", "scheduler",
              "class_weights", "label_smoothing", "grad_clip_norm", "normalize", "augment", "device",
              "deterministic", "amp", "threads", "channels_last", "fast_paths", "images"},
             "train", source);
  if (const auto optimizer = node["optimizer"]) {
    require_map(optimizer, "train.optimizer", source);
    check_keys(optimizer, {"name", "lr", "weight_decay", "momentum", "nesterov"}, "train.optimizer", source);
    if (optimizer["name"]) train.optimizer = choice(optimizer["name"], "train.optimizer.name", {"adam", "adamw", "sgd"}, source);
    if (optimizer["lr"]) train.lr = positive_number(optimizer["lr"], "train.optimizer.lr", source);
    if (optimizer["weight_decay"]) train.weight_decay = number_in(optimizer["weight_decay"], "train.optimizer.weight_decay", 0, 1e3, source);
    if (optimizer["momentum"]) train.momentum = number_in(optimizer["momentum"], "train.optimizer.momentum", 0, 1, source);
    if (optimizer["nesterov"]) train.nesterov = flag(optimizer["nesterov"], "train.optimizer.nesterov", source);
    if ((optimizer["momentum"] || optimizer["nesterov"]) && train.optimizer != "sgd") {
      throw ConfigError(fmt::format("{}train.optimizer: momentum and nesterov apply to sgd only, not {}",
                                    at(optimizer, source), train.optimizer));
    }
  }
  if (node["batch_size"]) train.batch_size = positive(node["batch_size"], "train.batch_size", 1, source);
  if (node["eval_batch_size"]) train.eval_batch_size = positive(node["eval_batch_size"], "train.eval_batch_size", 1, source);
  if (node["max_epochs"]) train.max_epochs = positive(node["max_epochs"], "train.max_epochs", 1, source);
  if (node["steps_per_epoch"]) train.steps_per_epoch = positive(node["steps_per_epoch"], "train.steps_per_epoch", 0, source);
  if (const auto stopping = node["early_stopping"]) {
    require_map(stopping, "train.early_stopping", source);
    check_keys(stopping, {"monitor", "patience"}, "train.early_stopping", source);
    if (stopping["monitor"]) train.early_stopping_monitor = choice(stopping["monitor"], "train.early_stopping.monitor", kMonitors, source);
    if (stopping["patience"]) train.early_stopping_patience = positive(stopping["patience"], "train.early_stopping.patience", 0, source);
  }
  if (const auto scheduler = node["scheduler"]) {
    require_map(scheduler, "train.scheduler", source);
    check_keys(scheduler, {"name", "factor", "patience", "monitor", "min_lr", "milestones", "gamma"}, "train.scheduler", source);
    if (scheduler["name"]) {
      train.scheduler = choice(scheduler["name"], "train.scheduler.name", {"none", "plateau", "cosine", "multistep"}, source);
    }
    if (scheduler["factor"]) train.scheduler_factor = number_in(scheduler["factor"], "train.scheduler.factor", 1e-9, 0.999999, source);
    if (scheduler["patience"]) train.scheduler_patience = positive(scheduler["patience"], "train.scheduler.patience", 0, source);
    if (scheduler["monitor"]) train.scheduler_monitor = choice(scheduler["monitor"], "train.scheduler.monitor", kMonitors, source);
    if (scheduler["min_lr"]) train.scheduler_min_lr = number_in(scheduler["min_lr"], "train.scheduler.min_lr", 0, 1e3, source);
    if (scheduler["milestones"]) train.scheduler_milestones = int_list(scheduler["milestones"], "train.scheduler.milestones", 1, source);
    if (scheduler["gamma"]) train.scheduler_gamma = number_in(scheduler["gamma"], "train.scheduler.gamma", 1e-9, 1, source);
  }
  if (node["class_weights"]) train.class_weights = choice(node["class_weights"], "train.class_weights", {"none", "balanced"}, source);
  if (node["label_smoothing"]) train.label_smoothing = number_in(node["label_smoothing"], "train.label_smoothing", 0, 0.999, source);
  if (node["grad_clip_norm"]) train.grad_clip_norm = number_in(node["grad_clip_norm"], "train.grad_clip_norm", 0, 1e9, source);
  if (const auto normalize = node["normalize"]) {
    if (normalize.IsMap()) {
      check_keys(normalize, {"mean", "std"}, "train.normalize", source);
      if (!normalize["mean"] || !normalize["std"]) {
        throw ConfigError(fmt::format("{}train.normalize needs both mean and std, e.g. {{mean: [0.5], std: [0.5]}}",
                                      at(normalize, source)));
      }
      train.normalize = "fixed";
      train.normalize_mean = number_list(normalize["mean"], "train.normalize.mean", source);
      train.normalize_std = number_list(normalize["std"], "train.normalize.std", source);
      for (const double s : train.normalize_std) {
        if (!(s > 0)) throw ConfigError(fmt::format("{}train.normalize.std values must be > 0", at(normalize["std"], source)));
      }
    } else {
      train.normalize = choice(normalize, "train.normalize (or {mean: [...], std: [...]})", {"none", "dataset"}, source);
    }
  }
  if (const auto augment = node["augment"]) {
    require_map(augment, "train.augment", source);
    check_keys(augment, {"horizontal_flip", "vertical_flip", "rotate90", "rotate_degrees", "crop_min_area"}, "train.augment", source);
    if (augment["horizontal_flip"]) train.augment.horizontal_flip = flag(augment["horizontal_flip"], "train.augment.horizontal_flip", source);
    if (augment["vertical_flip"]) train.augment.vertical_flip = flag(augment["vertical_flip"], "train.augment.vertical_flip", source);
    if (augment["rotate90"]) train.augment.rotate90 = flag(augment["rotate90"], "train.augment.rotate90", source);
    if (augment["rotate_degrees"]) train.augment.rotate_degrees = number_in(augment["rotate_degrees"], "train.augment.rotate_degrees", 0, 180, source);
    if (augment["crop_min_area"]) train.augment.crop_min_area = number_in(augment["crop_min_area"], "train.augment.crop_min_area", 0.05, 1, source);
  }
  if (node["device"]) train.device = choice(node["device"], "train.device", {"auto", "cpu", "cuda"}, source);
  if (node["amp"]) train.amp = choice(node["amp"], "train.amp", {"none", "bf16"}, source);
  if (node["deterministic"]) train.deterministic = flag(node["deterministic"], "train.deterministic", source);
  if (node["threads"]) train.threads = positive(node["threads"], "train.threads", 0, source);
  if (node["channels_last"]) train.channels_last = flag(node["channels_last"], "train.channels_last", source);
  if (node["fast_paths"]) train.fast_paths = flag(node["fast_paths"], "train.fast_paths", source);
  if (node["images"]) train.images = choice(node["images"], "train.images", {"memory", "disk"}, source);
  return train;
}

Experiment parse_experiment(const std::string& yaml_text, const std::string& source,
                            const std::vector<std::string>& overrides) {
  YAML::Node document = parse_yaml(yaml_text, source);
  if (!document.IsMap()) {
    throw ConfigError(fmt::format("{}: an experiment file must be a mapping with at least "
                                  "`dataset`, `arms`, `resolutions` and `seeds`", source));
  }
  for (const auto& override_text : overrides) apply_override(document, override_text);
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

  const YAML::Node dataset = require_map(document["dataset"], "dataset", source);
  if (!dataset["plugin"]) {
    throw ConfigError(fmt::format("{}dataset needs a `plugin` key, e.g. dataset: {{plugin: fashion_mnist}}",
                                  at(dataset, source)));
  }
  experiment.dataset_plugin = scalar<std::string>(dataset["plugin"], "dataset.plugin", "a plugin name", source);
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
      throw ConfigError(fmt::format("{}{} needs a `model` key naming a model plugin",
                                    at(entry.second, source), what));
    }
    arm.model = scalar<std::string>(entry.second["model"], what + ".model", "a plugin name", source);
    arm.options = child(entry.second, "options");
    if (arm.options && !arm.options.IsNull()) require_map(arm.options, what + ".options", source);
    experiment.arms.push_back(arm);
  }

  experiment.resolutions = int_list(document["resolutions"], "resolutions", 8, source);
  experiment.seeds = int_list(document["seeds"], "seeds", 0, source);
  experiment.train = child(document, "train");
  parse_train(experiment.train, source);  // reports errors with their positions up front

  if (const auto metrics = document["metrics"]) {
    if (!metrics.IsSequence() || metrics.size() == 0) {
      throw ConfigError(fmt::format("{}metrics must be a non-empty list of metric plugins, e.g. [classification]",
                                    at(metrics, source)));
    }
    for (const auto& item : metrics) {
      experiment.metrics.push_back(scalar<std::string>(item, "metrics", "a list of plugin names", source));
    }
  } else {
    experiment.metrics = {"classification"};
  }

  if (const auto grid = document["grid"]) {
    require_map(grid, "grid", source);
    for (const auto& entry : grid) {
      GridAxis axis;
      axis.key = entry.first.Scalar();
      static const std::regex axis_key(R"((train|dataset|model\.options)\.[A-Za-z0-9_.]+)");
      if (!std::regex_match(axis.key, axis_key) || axis.key == "dataset.plugin") {
        throw ConfigError(fmt::format(
            "{}grid axis '{}' must be a dotted key under train., dataset. or model.options., "
            "e.g. train.optimizer.lr (arms, resolutions and seeds have their own keys)",
            at(entry.first, source), axis.key));
      }
      if (!entry.second.IsSequence() || entry.second.size() == 0) {
        throw ConfigError(fmt::format("{}grid axis '{}' must be a non-empty list of values",
                                      at(entry.second, source), axis.key));
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
      if (rule.size() == 0) throw ConfigError(fmt::format("{}an exclude rule needs at least one key", at(rule, source)));
      check_keys(rule, known, "an exclude rule", source);
      ExcludeRule parsed;
      for (const auto& entry : rule) {
        const std::string key = entry.first.Scalar();
        if (key == "arm") {
          const auto arm = scalar<std::string>(entry.second, "exclude.arm", "an arm name", source);
          const bool exists = std::any_of(experiment.arms.begin(), experiment.arms.end(),
                                          [&](const ArmSpec& a) { return a.name == arm; });
          if (!exists) throw ConfigError(fmt::format("{}exclude names arm '{}', which the experiment does not have",
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
