// Strict reading of experiment files: typed values whose errors name the file, line, key and
// what would be valid. `what` is the key as a user writes it ("train.batch_size"), `source`
// the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "ablate/error.hpp"

namespace ablate {

// "file.yaml:3:5: " or "" for nodes without a position (made by overrides).
std::string at(const YAML::Node& node, const std::string& source);

// Rejects a mapping, anywhere in `node`, that has a key twice, naming both lines.
// yaml-cpp keeps both pairs but every lookup finds the first, so an arm defined twice
// would run under one name and `seeds:` given twice would silently keep one list.
void reject_duplicate_keys(const YAML::Node& node, const std::string& source);

// The most nodes an experiment may hold with its aliases expanded (each *alias counted as
// a copy of what it names, as the grid and its exclude rules use it). Real experiments
// hold a few hundred; a 1.5 KB "billion laughs" file nests aliases to billions.
inline constexpr std::size_t kMaxExpandedYamlNodes = 100000;

// Rejects a document that expands to more than kMaxExpandedYamlNodes nodes, before any
// code walks it: such an alias bomb under `exclude:` grew to 5.4 GB in a minute. Counting
// stops at the limit, so the check itself is cheap.
void reject_alias_bombs(const YAML::Node& node, const std::string& source);

// Rejects keys of `map` that are not in `known`, suggesting the closest known key.
void check_keys(const YAML::Node& map, const std::vector<std::string>& known, const std::string& section,
                const std::string& source);

// map[key], or a null node when absent: yaml-cpp's missing-key nodes cannot be copied.
YAML::Node child(const YAML::Node& map, const char* key);

YAML::Node require_map(const YAML::Node& node, const std::string& what, const std::string& source);

// `expected` says what would be valid: "an integer", "a list of plugin names".
template <typename T>
T scalar(const YAML::Node& node, const std::string& what, const char* expected, const std::string& source) {
  if (node.IsScalar()) {
    try {
      return node.as<T>();
    } catch (const YAML::Exception&) {
    }
  }
  const std::string got = node.IsScalar() ? "'" + node.Scalar() + "'" : std::string("a collection");
  throw ConfigError(fmt::format("{}{} must be {}, got {}", at(node, source), what, expected, got));
}

// The position of the value in `choices`.
std::size_t choice(const YAML::Node& node, const std::string& what, const std::vector<std::string>& choices,
                   const std::string& source);

bool flag(const YAML::Node& node, const std::string& what, const std::string& source);
std::int64_t integer_at_least(const YAML::Node& node, const std::string& what, std::int64_t minimum,
                              const std::string& source);
double number_above_zero(const YAML::Node& node, const std::string& what, const std::string& source);
double number_between(const YAML::Node& node, const std::string& what, double low, double high,
                      const std::string& source);

// A non-empty list of distinct integers, each at least `minimum`.
std::vector<std::int64_t> integer_list(const YAML::Node& node, const std::string& what, std::int64_t minimum,
                                       const std::string& source);
std::vector<double> number_list(const YAML::Node& node, const std::string& what, const std::string& source);

}  // namespace ablate
