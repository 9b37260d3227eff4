// `report diff RUN RUN` and the HTML page's config diff: what tells two runs apart. Their
// configurations flattened to dotted keys (config_groups.hpp) and compared key by key;
// optionally their metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config_groups.hpp"
#include "store_queries.hpp"
#include "table.hpp"

namespace ablate::report {

// One key whose value differs; unset: the run's configuration does not have the key (a
// train setting left at its default is not stored, docs/store.md), shown as kDefaultValue.
struct KeyDifference {
  std::string key;
  std::optional<std::string> a;
  std::optional<std::string> b;
};

// The keys of `a` and `b` whose values differ (a key only one side has counts), sorted.
// Pure.
std::vector<KeyDifference> diff_settings(const Settings& a, const Settings& b);

// One metric (SPLIT.NAME) whose value differs, or which only one run has.
struct MetricDifference {
  std::string metric;      // SPLIT.NAME as stored: "test.f1/3"
  std::string class_name;  // of a per-class metric, where run a's store names it: "cat"
  std::optional<double> a;
  std::optional<double> b;
};

struct DiffSide {
  std::int64_t id = 0;
  std::string config_hash;
  std::string arm;
  std::string status;
};

struct ConfigDiff {
  std::string store_path;
  DiffSide a;
  DiffSide b;
  std::vector<KeyDifference> keys;        // differing keys only
  std::size_t same_keys = 0;              // keys both have with the same value
  bool with_metrics = false;              // the metrics were asked for
  std::vector<MetricDifference> metrics;  // with_metrics: those that differ
};

// Reads runs `spec_a` and `spec_b` (ids or config-hash prefixes, as `report show` takes
// them) and compares them; with_metrics also their metrics.
ConfigDiff read_config_diff(const StoreReader& store, const std::string& spec_a, const std::string& spec_b,
                            bool with_metrics);

// The terminal, Markdown and LaTeX form: the differing keys side by side, then the metrics.
Document diff_document(const ConfigDiff& diff);

// "run 3"; the column title of a side.
std::string side_title(const DiffSide& side);

}  // namespace ablate::report
