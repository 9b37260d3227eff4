// Grouping runs by their stored configuration, and the labels that tell groups apart.
#include "config_groups.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

namespace ablate::report {

namespace {

using Json = nlohmann::json;

// An empty object holds no setting (a model without options): it adds no key, so that
// "model.options" never stands beside "model.options.dense" as another key.
void flatten(const Json& node, const std::string& prefix, Settings* settings) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      flatten(value, prefix.empty() ? key : prefix + "." + key, settings);
    }
    return;
  }
  if (prefix.empty()) return;
  (*settings)[prefix] = node.is_string() ? node.get<std::string>() : node.dump();
}

// Keys whose value is not the same in every group of `members` (absent counts as a value).
std::set<std::string> differing_keys(const std::vector<const ConfigGroup*>& members) {
  std::set<std::string> keys;
  if (members.size() < 2) return keys;
  std::set<std::string> all;
  for (const auto* group : members) {
    for (const auto& entry : group->settings) all.insert(entry.first);
  }
  for (const auto& key : all) {
    const std::string first = members.front()->value(key);
    for (const auto* group : members) {
      if (group->value(key) != first) {
        keys.insert(key);
        break;
      }
    }
  }
  return keys;
}

}  // namespace

Settings flatten_config(const std::string& config_json) {
  Settings settings;
  const Json json = Json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) flatten(json, "", &settings);
  return settings;
}

std::string ConfigGroup::value(const std::string& key) const {
  const auto found = settings.find(key);
  return found == settings.end() ? std::string(kDefaultValue) : found->second;
}

Grouping group_by_configuration(const std::vector<MetricSample>& samples, const std::set<std::string>& excluded,
                                bool arm_from_config) {
  // (arm, settings) -> group; std::map orders the groups by arm, then settings.
  std::map<std::pair<std::string, Settings>, std::size_t> index;
  std::vector<std::pair<std::string, Settings>> keys_of_samples;
  for (const auto& sample : samples) {
    Settings settings = flatten_config(sample.config_json);
    std::string arm = sample.arm;
    if (arm_from_config) {
      const auto found = settings.find("arm");
      if (found != settings.end()) arm = found->second;
    }
    settings.erase("arm");
    settings.erase("seed");
    for (const auto& key : excluded) settings.erase(key);
    index.emplace(std::make_pair(arm, settings), 0);
    keys_of_samples.emplace_back(std::move(arm), std::move(settings));
  }
  Grouping grouping;
  for (auto& [key, position] : index) {
    position = grouping.groups.size();
    grouping.groups.push_back({key.first, key.second, {}});
  }
  for (const auto& key : keys_of_samples) grouping.group_of.push_back(index.at(key));

  std::map<std::string, std::vector<const ConfigGroup*>> by_arm;
  for (const auto& group : grouping.groups) by_arm[group.arm].push_back(&group);
  std::set<std::string> differing;
  for (const auto& [arm, members] : by_arm) {
    grouping.differing_by_arm[arm] = differing_keys(members);
    differing.insert(grouping.differing_by_arm[arm].begin(), grouping.differing_by_arm[arm].end());
  }
  grouping.differing.assign(differing.begin(), differing.end());
  for (auto& group : grouping.groups) {
    std::vector<std::string> parts;
    for (const auto& key : grouping.differing_by_arm[group.arm]) {
      parts.push_back(fmt::format("{}={}", key, group.value(key)));
    }
    group.suffix = fmt::format("{}", fmt::join(parts, ", "));
  }
  return grouping;
}

std::vector<MetricSample> latest_per_seed(const std::vector<MetricSample>& samples, const std::string& where,
                                          std::vector<std::string>* notes) {
  std::map<std::int64_t, std::vector<const MetricSample*>> by_seed;
  for (const auto& sample : samples) by_seed[sample.seed].push_back(&sample);
  std::vector<MetricSample> kept;
  for (const auto& [seed, runs] : by_seed) {
    const MetricSample* latest = *std::max_element(runs.begin(), runs.end(), [](const auto* x, const auto* y) {
      return std::tie(x->finished_at, x->run_id) < std::tie(y->finished_at, y->run_id);
    });
    kept.push_back(*latest);
    if (runs.size() > 1) {
      std::vector<std::int64_t> dropped;
      for (const auto* run : runs) {
        if (run != latest) dropped.push_back(run->run_id);
      }
      notes->push_back(fmt::format("{}: seed {} has {} finished runs of the same configuration: kept run {} (the "
                                   "latest finished), left out run(s) {}",
                                   where, seed, runs.size(), latest->run_id, fmt::join(dropped, ", ")));
    }
  }
  return kept;
}

std::vector<std::string> configuration_labels(const std::vector<db::RunRow>& runs,
                                              const std::map<std::int64_t, std::string>& configs) {
  std::vector<MetricSample> samples;
  for (const auto& run : runs) {
    MetricSample sample;
    sample.run_id = run.id;
    sample.arm = run.arm;
    sample.seed = run.seed;
    sample.resolution = run.resolution;
    const auto found = configs.find(run.id);
    if (found != configs.end()) sample.config_json = found->second;
    samples.push_back(std::move(sample));
  }
  const Grouping grouping = group_by_configuration(samples, {"resolution"}, /*arm_from_config=*/false);
  std::vector<std::string> labels;
  for (const std::size_t group : grouping.group_of) labels.push_back(grouping.groups[group].label());
  return labels;
}

std::set<std::string> config_keys(const std::vector<std::string>& config_jsons) {
  std::set<std::string> keys;
  for (const auto& text : config_jsons) {
    for (const auto& entry : flatten_config(text)) keys.insert(entry.first);
  }
  return keys;
}

std::optional<std::string> resolve_config_key(const std::string& typed, const std::set<std::string>& keys) {
  if (keys.count(typed) != 0) return typed;
  for (const char* section : {"dataset.", "model."}) {
    const std::string prefix(section);
    if (typed.compare(0, prefix.size(), prefix) == 0) {
      const std::string options = prefix + "options." + typed.substr(prefix.size());
      if (keys.count(options) != 0) return options;
    }
  }
  std::optional<std::string> match;
  for (const auto& key : keys) {
    const auto dot = key.rfind('.');
    if (dot != std::string::npos && key.substr(dot + 1) == typed) {
      if (match) return std::nullopt;  // ambiguous: the caller lists the keys
      match = key;
    }
  }
  return match;
}

}  // namespace ablate::report
