// Comparing two runs' configurations (and metrics) key by key.
#include "config_diff.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "run_detail.hpp"
#include "text.hpp"

namespace ablate::report {

namespace {

DiffSide side_of(const db::RunRow& run) { return {run.id, run.config_hash, run.arm, db::to_string(run.status)}; }

// SPLIT.NAME -> value.
std::map<std::string, double> metrics_of(const StoreReader& store, std::int64_t run_id) {
  std::map<std::string, double> values;
  for (const auto& metric : store.store().metrics(run_id)) values[metric.split + "." + metric.name] = metric.value;
  return values;
}

// "cat" for "test.f1/3" when class 3 of `classes` is a cat; "" for other metrics.
std::string class_of(const std::string& metric, const std::vector<std::string>& classes) {
  const std::string named = metric_with_class(metric, classes);
  return named == metric ? "" : named.substr(metric.size() + 2, named.size() - metric.size() - 3);
}

// A config hash is 64 hex digits: the first 12 tell runs apart in a heading.
std::string short_hash(const std::string& hash) { return hash.size() > 12 ? hash.substr(0, 12) : hash; }

bool same_number(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b) return !a && !b;
  return *a == *b || (std::isnan(*a) && std::isnan(*b));
}

std::string shown(const std::optional<std::string>& value) { return value ? *value : std::string(kDefaultValue); }

// Full precision, trailing zeros dropped: a diff is about exact values.
std::string shown(const std::optional<double>& value) {
  if (!value) return kUndefined;
  return std::isnan(*value) ? std::string(kUndefined) : fmt::format("{:.6g}", *value);
}

}  // namespace

std::vector<KeyDifference> diff_settings(const Settings& a, const Settings& b) {
  std::set<std::string> keys;
  for (const auto& entry : a) keys.insert(entry.first);
  for (const auto& entry : b) keys.insert(entry.first);
  std::vector<KeyDifference> differences;
  for (const auto& key : keys) {
    const auto in_a = a.find(key);
    const auto in_b = b.find(key);
    std::optional<std::string> value_a, value_b;
    if (in_a != a.end()) value_a = in_a->second;
    if (in_b != b.end()) value_b = in_b->second;
    if (value_a != value_b) differences.push_back({key, value_a, value_b});
  }
  return differences;
}

ConfigDiff read_config_diff(const StoreReader& store, const std::string& spec_a, const std::string& spec_b,
                            bool with_metrics) {
  const db::RunRow run_a = store.resolve_run(spec_a);
  const db::RunRow run_b = store.resolve_run(spec_b);
  ConfigDiff diff;
  diff.store_path = store.path();
  diff.a = side_of(run_a);
  diff.b = side_of(run_b);
  const auto configs = store.configs_of({run_a, run_b});
  const Settings a = flatten_config(configs.count(run_a.id) != 0 ? configs.at(run_a.id) : "");
  const Settings b = flatten_config(configs.count(run_b.id) != 0 ? configs.at(run_b.id) : "");
  diff.keys = diff_settings(a, b);
  std::set<std::string> all;
  for (const auto& entry : a) all.insert(entry.first);
  for (const auto& entry : b) all.insert(entry.first);
  diff.same_keys = all.size() - diff.keys.size();
  diff.with_metrics = with_metrics;
  if (with_metrics) {
    const auto metrics_a = metrics_of(store, run_a.id);
    const auto metrics_b = metrics_of(store, run_b.id);
    const std::vector<std::string> classes = store.store().class_names(run_a.id);
    std::set<std::string> names;
    for (const auto& entry : metrics_a) names.insert(entry.first);
    for (const auto& entry : metrics_b) names.insert(entry.first);
    for (const auto& name : names) {
      std::optional<double> value_a, value_b;
      if (metrics_a.count(name) != 0) value_a = metrics_a.at(name);
      if (metrics_b.count(name) != 0) value_b = metrics_b.at(name);
      if (!same_number(value_a, value_b)) diff.metrics.push_back({name, class_of(name, classes), value_a, value_b});
    }
  }
  return diff;
}

std::string side_title(const DiffSide& side) { return fmt::format("run {}", side.id); }

Document diff_document(const ConfigDiff& diff) {
  Document document;
  document.push_back(heading(fmt::format("{} ({}, {}, {}) against {} ({}, {}, {}) in {}", side_title(diff.a),
                                         short_hash(diff.a.config_hash), diff.a.arm, diff.a.status, side_title(diff.b),
                                         short_hash(diff.b.config_hash), diff.b.arm, diff.b.status, diff.store_path)));
  if (diff.keys.empty()) {
    document.push_back(note(fmt::format("the configurations are the same ({} keys)", diff.same_keys)));
  } else {
    Table keys;
    keys.columns = {{"key", Align::left}, {side_title(diff.a), Align::left}, {side_title(diff.b), Align::left}};
    for (const auto& key : diff.keys) keys.rows.push_back({key.key, shown(key.a), shown(key.b)});
    document.push_back(table_block(std::move(keys)));
    document.push_back(note(fmt::format("{} key{} differ{}, {} the same; `{}`: not stored, the setting's default",
                                        diff.keys.size(), diff.keys.size() == 1 ? "" : "s",
                                        diff.keys.size() == 1 ? "s" : "", diff.same_keys, kDefaultValue)));
  }
  if (!diff.with_metrics) return document;
  document.push_back(heading("metrics that differ"));
  if (diff.metrics.empty()) {
    document.push_back(note("none: every metric has the same value"));
    return document;
  }
  Table metrics;
  metrics.columns = {{"metric", Align::left},
                     {side_title(diff.a), Align::right},
                     {side_title(diff.b), Align::right},
                     {fmt::format("{} \u2212 {}", diff.b.id, diff.a.id), Align::right}};
  for (const auto& metric : diff.metrics) {
    const bool both = metric.a && metric.b && std::isfinite(*metric.a) && std::isfinite(*metric.b);
    const std::string name = metric.class_name.empty() ? metric.metric : metric.metric + " (" + metric.class_name + ")";
    metrics.rows.push_back({name, shown(metric.a), shown(metric.b),
                            both ? signed_fixed(*metric.b - *metric.a, 4) : std::string(kUndefined)});
  }
  document.push_back(table_block(std::move(metrics)));
  return document;
}

}  // namespace ablate::report
