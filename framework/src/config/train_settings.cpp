// The `train:` settings declared once: a row each, read by parsing, defaults, identities and
// the test of docs/experiments.md. A new setting is a member of TrainSettings and a row here.
#include "config/train_settings.hpp"

#include <algorithm>
#include <functional>
#include <type_traits>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ablate/error.hpp"
#include "config/yaml_reading.hpp"

namespace ablate {

namespace {

// Where a setting is stored: a member of TrainSettings or of its `augment` group.
template <typename T>
class Field {
 public:
  // Implicit, so that rows name members plainly: &TrainSettings::lr, &AugmentSettings::rotate90.
  Field(T TrainSettings::*member) : member_(member) {}            // NOLINT(google-explicit-constructor)
  Field(T AugmentSettings::*member) : augment_member_(member) {}  // NOLINT(google-explicit-constructor)

  T& of(TrainSettings& train) const { return member_ ? train.*member_ : train.augment.*augment_member_; }
  const T& of(const TrainSettings& train) const { return member_ ? train.*member_ : train.augment.*augment_member_; }

 private:
  T TrainSettings::*member_ = nullptr;
  T AugmentSettings::*augment_member_ = nullptr;
};

// Choices enter identities by name, so stored identities never depend on the enums' order.
template <typename T>
nlohmann::json identity_value(const T& value) {
  if constexpr (std::is_enum_v<T>) {
    return std::string(name_of(value));
  } else {
    return value;
  }
}

// A value held in one field; `read_` parses it and checks that it is valid.
template <typename T>
class FieldValue : public SettingValue {
 public:
  using Reader = std::function<T(const YAML::Node& node, const std::string& what, const std::string& source)>;

  FieldValue(Field<T> field, T fallback, Reader read)
      : field_(field), default_(std::move(fallback)), read_(std::move(read)) {}

  void parse(const YAML::Node& node, const std::string& what, const std::string& source,
             TrainSettings& train) const override {
    field_.of(train) = read_(node, what, source);
  }
  void set_default(TrainSettings& train) const override { field_.of(train) = default_; }
  bool is_default(const TrainSettings& train) const override { return field_.of(train) == default_; }
  nlohmann::json to_json(const TrainSettings& train) const override { return identity_value(field_.of(train)); }

 private:
  Field<T> field_;
  T default_;
  Reader read_;
};

// train.normalize: a name (none, dataset) or the mapping {mean: [..], std: [..]}, which is
// Normalize::kFixed and enters identities as that mapping.
class NormalizeValue : public SettingValue {
 public:
  void parse(const YAML::Node& node, const std::string& what, const std::string& source,
             TrainSettings& train) const override {
    if (!node.IsMap()) {
      const std::vector<std::string> named = {std::string(name_of(Normalize::kNone)),
                                              std::string(name_of(Normalize::kDataset))};
      const std::size_t index = choice(node, what + " (or {mean: [...], std: [...]})", named, source);
      train.normalize = index == 0 ? Normalize::kNone : Normalize::kDataset;
      return;
    }
    check_keys(node, {"mean", "std"}, what, source);
    if (!node["mean"] || !node["std"]) {
      throw ConfigError(fmt::format("{}{} needs both mean and std, e.g. {{mean: [0.5], std: [0.5]}}", at(node, source),
                                    what));
    }
    train.normalize = Normalize::kFixed;
    train.normalize_mean = number_list(node["mean"], what + ".mean", source);
    train.normalize_std = number_list(node["std"], what + ".std", source);
    for (const double s : train.normalize_std) {
      if (!(s > 0)) throw ConfigError(fmt::format("{}{}.std values must be > 0", at(node["std"], source), what));
    }
  }
  void set_default(TrainSettings& train) const override {
    train.normalize = Normalize::kNone;
    train.normalize_mean.clear();
    train.normalize_std.clear();
  }
  bool is_default(const TrainSettings& train) const override { return train.normalize == Normalize::kNone; }
  nlohmann::json to_json(const TrainSettings& train) const override {
    if (train.normalize != Normalize::kFixed) return std::string(name_of(train.normalize));
    return {{"mean", train.normalize_mean}, {"std", train.normalize_std}};
  }
};

// train.vary: a list of source names (choices.hpp), in any order, each at most once; [] holds
// every source. Enters identities as the names in the enum's order, so the order a file lists
// them in does not matter.
class VaryValue : public SettingValue {
 public:
  void parse(const YAML::Node& node, const std::string& what, const std::string& source,
             TrainSettings& train) const override {
    const auto names = choice_names(SeedSource{});
    const std::vector<std::string> valid(names.begin(), names.end());
    if (!node.IsSequence()) {
      throw ConfigError(fmt::format("{}{} must be a list of sources of randomness, e.g. [init, order]; valid: {}",
                                    at(node, source), what, fmt::join(valid, ", ")));
    }
    SeedSources vary;
    for (const auto& item : node) {
      const auto chosen = static_cast<SeedSource>(choice(item, what, valid, source));
      if (vary.varies(chosen)) {
        throw ConfigError(fmt::format("{}{} lists {} twice", at(item, source), what, name_of(chosen)));
      }
      vary.add(chosen);
    }
    train.vary = vary;
  }
  void set_default(TrainSettings& train) const override { train.vary = SeedSources::usual(); }
  bool is_default(const TrainSettings& train) const override { return train.vary == SeedSources::usual(); }
  nlohmann::json to_json(const TrainSettings& train) const override {
    const auto names = choice_names(SeedSource{});
    nlohmann::json varied = nlohmann::json::array();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (train.vary.varies(static_cast<SeedSource>(i))) varied.push_back(std::string(names[i]));
    }
    return varied;
  }
};

// ---- The kinds of rows. ---------------------------------------------------------------------

struct AtLeast {
  std::int64_t minimum;
};
struct Between {
  double low, high;
};

template <typename T>
TrainSetting field_setting(std::string key, Field<T> field, T fallback, typename FieldValue<T>::Reader read,
                           std::string doc) {
  return {std::move(key), std::move(doc), std::make_shared<FieldValue<T>>(field, std::move(fallback), std::move(read))};
}

TrainSetting flag_setting(std::string key, Field<bool> field, bool fallback, std::string doc) {
  return field_setting<bool>(std::move(key), field, fallback, flag, std::move(doc));
}

TrainSetting integer_setting(std::string key, Field<std::int64_t> field, std::int64_t fallback, AtLeast range,
                             std::string doc) {
  const auto read = [range](const YAML::Node& node, const std::string& what, const std::string& source) {
    return integer_at_least(node, what, range.minimum, source);
  };
  return field_setting<std::int64_t>(std::move(key), field, fallback, read, std::move(doc));
}

TrainSetting integer_list_setting(std::string key, Field<std::vector<std::int64_t>> field,
                                  std::vector<std::int64_t> fallback, AtLeast range, std::string doc) {
  const auto read = [range](const YAML::Node& node, const std::string& what, const std::string& source) {
    return integer_list(node, what, range.minimum, source);
  };
  return field_setting<std::vector<std::int64_t>>(std::move(key), field, std::move(fallback), read, std::move(doc));
}

TrainSetting number_setting(std::string key, Field<double> field, double fallback, Between range, std::string doc) {
  const auto read = [range](const YAML::Node& node, const std::string& what, const std::string& source) {
    return number_between(node, what, range.low, range.high, source);
  };
  return field_setting<double>(std::move(key), field, fallback, read, std::move(doc));
}

TrainSetting positive_number_setting(std::string key, Field<double> field, double fallback, std::string doc) {
  return field_setting<double>(std::move(key), field, fallback, number_above_zero, std::move(doc));
}

template <typename Choice>
TrainSetting choice_setting(std::string key, Choice TrainSettings::*member, Choice fallback, std::string doc) {
  const auto read = [](const YAML::Node& node, const std::string& what, const std::string& source) {
    const auto names = choice_names(Choice{});
    return static_cast<Choice>(choice(node, what, std::vector<std::string>(names.begin(), names.end()), source));
  };
  return field_setting<Choice>(std::move(key), member, fallback, read, std::move(doc));
}

TrainSetting normalize_setting(std::string key, std::string doc) {
  return {std::move(key), std::move(doc), std::make_shared<NormalizeValue>()};
}

TrainSetting vary_setting(std::string key, std::string doc) {
  return {std::move(key), std::move(doc), std::make_shared<VaryValue>()};
}

// Only in identities while `applies` holds (an optimizer's or a schedule's own settings).
TrainSetting only_with(bool (*applies)(const TrainSettings&), TrainSetting setting) {
  setting.applies = applies;
  return setting;
}

TrainSetting identity(Identity identity, TrainSetting setting) {
  setting.identity = identity;
  return setting;
}

bool with_sgd(const TrainSettings& train) { return train.optimizer == Optimizer::kSgd; }
bool with_plateau(const TrainSettings& train) { return train.scheduler == Scheduler::kPlateau; }
bool with_cosine(const TrainSettings& train) { return train.scheduler == Scheduler::kCosine; }
bool with_multistep(const TrainSettings& train) { return train.scheduler == Scheduler::kMultistep; }

// ---- Reading the table. ---------------------------------------------------------------------

// "optimizer" for "optimizer.lr"; "" for a key directly under train.
std::string group_of(const std::string& key) {
  const auto dot = key.find('.');
  return dot == std::string::npos ? std::string() : key.substr(0, dot);
}

// The keys directly under `group` ("" for train itself), in the table's order.
std::vector<std::string> keys_under(const std::string& group) {
  std::vector<std::string> keys;
  for (const auto& setting : train_settings()) {
    const std::string setting_group = group_of(setting.key);
    std::string key;
    if (group.empty()) {
      key = setting_group.empty() ? setting.key : setting_group;
    } else if (setting_group == group) {
      key = setting.key.substr(group.size() + 1);
    }
    if (!key.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  return keys;
}

}  // namespace

const std::vector<TrainSetting>& train_settings() {
  static const std::vector<TrainSetting> table = {
      choice_setting("optimizer.name", &TrainSettings::optimizer, Optimizer::kAdam, "what steps the weights"),
      positive_number_setting("optimizer.lr", &TrainSettings::lr, 1e-3, "the learning rate (a schedule's start)"),
      number_setting("optimizer.weight_decay", &TrainSettings::weight_decay, 0.0, Between{0, 1e3},
                     "L2 penalty, decoupled for adamw"),
      only_with(with_sgd,
                number_setting("optimizer.momentum", &TrainSettings::momentum, 0.9, Between{0, 1}, "SGD's momentum")),
      only_with(with_sgd,
                flag_setting("optimizer.nesterov", &TrainSettings::nesterov, false, "SGD with Nesterov momentum")),
      integer_setting("batch_size", &TrainSettings::batch_size, 64, AtLeast{1}, "images per training step"),
      integer_setting("eval_batch_size", &TrainSettings::eval_batch_size, 256, AtLeast{1},
                      "images per batch in validation and test"),
      integer_setting("max_epochs", &TrainSettings::max_epochs, 10, AtLeast{1}, "epochs at most"),
      integer_setting("steps_per_epoch", &TrainSettings::steps_per_epoch, 0, AtLeast{0},
                      "batches per epoch; 0 = the whole train split"),
      choice_setting("early_stopping.monitor", &TrainSettings::early_stopping_monitor, Monitor::kValLoss,
                     "what picks the best epoch and stops training"),
      integer_setting("early_stopping.patience", &TrainSettings::early_stopping_patience, 5, AtLeast{0},
                      "epochs without improvement before stopping; 0 = never"),
      choice_setting("scheduler.name", &TrainSettings::scheduler, Scheduler::kNone,
                     "how the learning rate changes after each epoch"),
      only_with(with_plateau, number_setting("scheduler.factor", &TrainSettings::scheduler_factor, 0.5,
                                             Between{1e-9, 0.999999}, "plateau: lr x factor at each cut")),
      only_with(with_plateau, integer_setting("scheduler.patience", &TrainSettings::scheduler_patience, 3, AtLeast{0},
                                              "plateau: epochs without improvement before a cut")),
      only_with(with_plateau, choice_setting("scheduler.monitor", &TrainSettings::scheduler_monitor, Monitor::kValLoss,
                                             "plateau: what is watched")),
      only_with(with_cosine, number_setting("scheduler.min_lr", &TrainSettings::scheduler_min_lr, 0.0, Between{0, 1e3},
                                            "cosine: the learning rate at max_epochs")),
      only_with(with_multistep,
                integer_list_setting("scheduler.milestones", &TrainSettings::scheduler_milestones, {50, 75}, AtLeast{1},
                                     "multistep: the 1-based epochs after which lr x gamma")),
      only_with(with_multistep, number_setting("scheduler.gamma", &TrainSettings::scheduler_gamma, 0.1,
                                               Between{1e-9, 1}, "multistep: the factor at each milestone")),
      choice_setting("class_weights", &TrainSettings::class_weights, ClassWeights::kNone,
                     "balanced: n / (classes x count) per class, as scikit-learn"),
      number_setting("label_smoothing", &TrainSettings::label_smoothing, 0.0, Between{0, 0.999},
                     "the label smoothing epsilon"),
      number_setting("grad_clip_norm", &TrainSettings::grad_clip_norm, 0.0, Between{0, 1e9},
                     "clip the global gradient norm to this; 0 = off"),
      normalize_setting("normalize", "none, dataset (the train split's statistics) or {mean: [..], std: [..]}"),
      flag_setting("augment.horizontal_flip", &AugmentSettings::horizontal_flip, false, "random horizontal flips"),
      flag_setting("augment.vertical_flip", &AugmentSettings::vertical_flip, false, "random vertical flips"),
      flag_setting("augment.rotate90", &AugmentSettings::rotate90, false, "rotation by a random multiple of 90°"),
      number_setting("augment.rotate_degrees", &AugmentSettings::rotate_degrees, 0.0, Between{0, 180},
                     "a small rotation, uniform in [-d, d]"),
      number_setting("augment.crop_min_area", &AugmentSettings::crop_min_area, 1.0, Between{0.05, 1},
                     "random crop keeping [a, 1] of the area, resized back; 1 = off"),
      // Added after runs were stored, when one seed drove the usual sources: those keep their hashes.
      identity(Identity::kUnlessDefault,
               vary_setting("vary", "what the seed draws: init, order, augment, dropout, split; the rest is held")),
      choice_setting("device", &TrainSettings::device, Device::kAuto, "where cells train; auto: cuda when usable"),
      flag_setting("deterministic", &TrainSettings::deterministic, false,
                   "LibTorch's deterministic algorithms (matters on GPUs)"),
      choice_setting("amp", &TrainSettings::amp, Amp::kNone, "bf16: autocast forward passes to bfloat16"),
      identity(Identity::kNever, integer_setting("threads", &TrainSettings::threads, 0, AtLeast{0},
                                                 "LibTorch threads per cell; 0 = the cores divided by --jobs")),
      flag_setting("channels_last", &TrainSettings::channels_last, true, "channels-last memory format"),
      // Added after runs were stored, all with the fast paths on: those keep their hashes.
      identity(Identity::kUnlessDefault,
               flag_setting("fast_paths", &TrainSettings::fast_paths, true,
                            "the engine's own CPU fast paths; false: LibTorch's operations throughout")),
      identity(Identity::kNever, choice_setting("images", &TrainSettings::images, Images::kMemory,
                                                "where the pixels stay while a cell runs (split_pixels.hpp)")),
  };
  return table;
}

TrainSettings::TrainSettings() {
  for (const auto& setting : train_settings()) setting.value->set_default(*this);
}

TrainSettings parse_train(const YAML::Node& node, const std::string& source) {
  TrainSettings train;
  if (!node || node.IsNull()) return train;
  require_map(node, "train", source);
  check_keys(node, keys_under(""), "train", source);
  std::string checked_group;
  for (const auto& setting : train_settings()) {
    const std::string group = group_of(setting.key);
    const YAML::Node map = group.empty() ? node : node[group];
    if (!map) continue;
    if (!group.empty() && group != checked_group) {
      require_map(map, "train." + group, source);
      check_keys(map, keys_under(group), "train." + group, source);
      checked_group = group;
    }
    const std::string name = group.empty() ? setting.key : setting.key.substr(group.size() + 1);
    if (const YAML::Node value = map[name]) setting.value->parse(value, "train." + setting.key, source, train);
  }
  // SGD's own settings with another optimizer are errors, not silently ignored.
  const YAML::Node optimizer = node["optimizer"];
  if (optimizer && (optimizer["momentum"] || optimizer["nesterov"]) && train.optimizer != Optimizer::kSgd) {
    throw ConfigError(fmt::format("{}train.optimizer: momentum and nesterov apply to sgd only, not {}",
                                  at(optimizer, source), name_of(train.optimizer)));
  }
  return train;
}

}  // namespace ablate
