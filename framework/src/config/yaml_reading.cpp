// Strict reading of experiment files: each error names the file, line, key and what would be valid.
#include "config/yaml_reading.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include <fmt/ranges.h>

#include "api/did_you_mean.hpp"
#include "api/options_yaml.hpp"

namespace ablate {

namespace {

void reject_duplicate_keys_in(const YAML::Node& node, const std::string& source, std::set<int>& checked) {
  if (!node.IsMap() && !node.IsSequence()) return;
  // An alias is the node it names: check each node once (an alias bomb stays linear here).
  const int position = node.Mark().pos;
  if (position >= 0 && !checked.insert(position).second) return;
  if (node.IsSequence()) {
    for (const auto& item : node) reject_duplicate_keys_in(item, source, checked);
    return;
  }
  std::map<std::string, YAML::Mark> first_seen;
  for (const auto& pair : node) {
    const std::string key = pair.first.IsScalar() ? pair.first.Scalar() : YAML::Dump(pair.first);
    const auto [first, inserted] = first_seen.emplace(key, pair.first.Mark());
    if (!inserted) {
      const std::string first_at =
          first->second.is_null() ? std::string("before") : fmt::format("at line {}", first->second.line + 1);
      throw ConfigError(fmt::format("{}key '{}' is given twice in one mapping (first {}): YAML would silently keep "
                                    "only one of them; remove or rename one",
                                    at(pair.first, source), key, first_at));
    }
    reject_duplicate_keys_in(pair.second, source, checked);
  }
}

// Counts the nodes of `node` with aliases expanded into `count`; throws past the limit.
void count_expanded_nodes(const YAML::Node& node, const std::string& source, std::size_t& count) {
  if (++count > kMaxExpandedYamlNodes) {
    throw ConfigError(fmt::format("{}: the document expands to more than {} YAML nodes through its aliases (*name); "
                                  "an experiment needs a few hundred: write the values out, or use fewer nested "
                                  "aliases",
                                  source, kMaxExpandedYamlNodes));
  }
  if (node.IsSequence()) {
    for (const auto& item : node) count_expanded_nodes(item, source, count);
  } else if (node.IsMap()) {
    for (const auto& pair : node) {
      count_expanded_nodes(pair.first, source, count);
      count_expanded_nodes(pair.second, source, count);
    }
  }
}

}  // namespace

void reject_alias_bombs(const YAML::Node& node, const std::string& source) {
  std::size_t count = 0;
  count_expanded_nodes(node, source, count);
}

void reject_duplicate_keys(const YAML::Node& node, const std::string& source) {
  std::set<int> checked;
  reject_duplicate_keys_in(node, source, checked);
}

std::string at(const YAML::Node& node, const std::string& source) {
  const std::string where = describe_location(node, source);
  return where.empty() ? std::string() : where + ": ";
}

void check_keys(const YAML::Node& map, const std::vector<std::string>& known, const std::string& section,
                const std::string& source) {
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    throw ConfigError(fmt::format("{}unknown key '{}' in {}{}; known keys: {}", at(entry.first, source), key, section,
                                  did_you_mean(key, known), fmt::join(known, ", ")));
  }
}

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

std::size_t choice(const YAML::Node& node, const std::string& what, const std::vector<std::string>& choices,
                   const std::string& source) {
  const auto value = scalar<std::string>(node, what, "a string", source);
  const auto found = std::find(choices.begin(), choices.end(), value);
  if (found == choices.end()) {
    throw ConfigError(fmt::format("{}{} is '{}'{}; valid values: {}", at(node, source), what, value,
                                  did_you_mean(value, choices), fmt::join(choices, ", ")));
  }
  return static_cast<std::size_t>(found - choices.begin());
}

bool flag(const YAML::Node& node, const std::string& what, const std::string& source) {
  return scalar<bool>(node, what, "true or false", source);
}

std::int64_t integer_at_least(const YAML::Node& node, const std::string& what, std::int64_t minimum,
                              const std::string& source) {
  const auto value = scalar<std::int64_t>(node, what, "an integer", source);
  if (value < minimum) {
    throw ConfigError(fmt::format("{}{} is {}; it must be at least {}", at(node, source), what, value, minimum));
  }
  return value;
}

double number_above_zero(const YAML::Node& node, const std::string& what, const std::string& source) {
  const auto value = scalar<double>(node, what, "a number", source);
  if (!(value > 0)) {
    throw ConfigError(fmt::format("{}{} is {}; it must be greater than 0", at(node, source), what, value));
  }
  return value;
}

double number_between(const YAML::Node& node, const std::string& what, double low, double high,
                      const std::string& source) {
  const auto value = scalar<double>(node, what, "a number", source);
  if (!(value >= low && value <= high)) {
    throw ConfigError(fmt::format("{}{} is {}; it must be between {} and {}", at(node, source), what, value, low,
                                  high));
  }
  return value;
}

std::vector<std::int64_t> integer_list(const YAML::Node& node, const std::string& what, std::int64_t minimum,
                                       const std::string& source) {
  if (!node.IsSequence() || node.size() == 0) {
    throw ConfigError(fmt::format("{}{} must be a non-empty list of integers, e.g. [0, 1, 2]", at(node, source), what));
  }
  std::vector<std::int64_t> values;
  std::unordered_set<std::int64_t> seen;  // linear: a list of a million seeds is checked in a blink
  for (const auto& item : node) {
    const auto value = scalar<std::int64_t>(item, what, "a list of integers", source);
    if (value < minimum) {
      throw ConfigError(fmt::format("{}{} contains {}; each must be at least {}", at(item, source), what, value,
                                    minimum));
    }
    if (!seen.insert(value).second) {
      throw ConfigError(fmt::format("{}{} lists {} twice", at(item, source), what, value));
    }
    values.push_back(value);
  }
  return values;
}

std::vector<double> number_list(const YAML::Node& node, const std::string& what, const std::string& source) {
  if (!node.IsSequence() || node.size() == 0) {
    throw ConfigError(fmt::format("{}{} must be a non-empty list of numbers", at(node, source), what));
  }
  std::vector<double> values;
  for (const auto& item : node) values.push_back(scalar<double>(item, what, "a list of numbers", source));
  return values;
}

}  // namespace ablate
