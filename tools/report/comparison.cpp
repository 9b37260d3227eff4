// Groups the finished runs of two arms by metric and resolution and tests the difference.
#include "comparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <set>

#include "usage_error.hpp"

namespace ablate::report {

namespace {

constexpr double kAlpha = 0.05;

std::vector<double> values_of(const std::vector<SeedValue>& samples) {
  std::vector<double> values;
  for (const auto& sample : samples) values.push_back(sample.value);
  return values;
}

// Seed -> value when each seed appears once; nullopt when some seed repeats.
std::optional<std::map<std::int64_t, SeedValue>> by_seed(const std::vector<SeedValue>& samples) {
  std::map<std::int64_t, SeedValue> seeds;
  for (const auto& sample : samples) {
    if (!seeds.emplace(sample.seed, sample).second) return std::nullopt;
  }
  return seeds;
}

std::string p_text(double p) { return fmt::format("{:.4g}", p); }

void check_arm(const std::vector<std::string>& arms, const std::string& arm, const std::string& path) {
  if (std::find(arms.begin(), arms.end(), arm) != arms.end()) return;
  if (arms.empty()) {
    throw UsageError(fmt::format("unknown arm '{}': {} has no runs yet", arm, path));
  }
  throw UsageError(fmt::format("unknown arm '{}' in {}: the arms are {}", arm, path, fmt::join(arms, ", ")));
}

}  // namespace

ComparisonRow compare_values(const std::string& metric, std::int64_t resolution, const std::vector<SeedValue>& a,
                             const std::vector<SeedValue>& b) {
  ComparisonRow row;
  row.metric = metric;
  row.resolution = resolution;
  const std::vector<double> values_a = values_of(a);
  const std::vector<double> values_b = values_of(b);
  row.a = summarize(values_a);
  row.b = summarize(values_b);
  row.welch = welch_t_test(values_a, values_b);
  row.mann_whitney = mann_whitney_u(values_a, values_b);
  const std::string where = fmt::format("{} at {}", metric, resolution);
  if (a.empty() || b.empty()) {
    row.notes.push_back(fmt::format("{}: an arm has no finished run; nothing to test", where));
    return row;
  }

  if (a.size() < 2 || b.size() < 2) {
    row.notes.push_back(fmt::format("{}: {} vs {} seeds: the t tests need at least two seeds per arm", where, a.size(),
                                    b.size()));
  } else if (std::isnan(row.welch.t)) {
    row.notes.push_back(fmt::format("{}: both arms have zero variance across seeds: the t test is undefined", where));
  }
  if (row.mann_whitney.exact) {
    const double floor = mann_whitney_min_p(a.size(), b.size());
    if (floor > kAlpha) {
      row.notes.push_back(fmt::format("{}: {} vs {} seeds: the smallest p Mann-Whitney can give is {}; it can never "
                                      "reach {}",
                                      where, a.size(), b.size(), p_text(floor), kAlpha));
    }
  }

  const auto seeds_a = by_seed(a);
  const auto seeds_b = by_seed(b);
  if (!seeds_a || !seeds_b) {
    row.notes.push_back(
        fmt::format("{}: several runs share a seed (another grid axis?): no paired test; narrow the runs "
                    "with --where or --grid",
                    where));
  } else {
    std::set<std::int64_t> keys_a, keys_b;
    for (const auto& entry : *seeds_a) keys_a.insert(entry.first);
    for (const auto& entry : *seeds_b) keys_b.insert(entry.first);
    if (keys_a != keys_b) {
      row.notes.push_back(fmt::format("{}: the arms ran different seeds: no paired test", where));
    } else {
      std::vector<double> paired_a, paired_b;
      for (const auto& [seed, sample] : *seeds_a) {
        paired_a.push_back(sample.value);
        paired_b.push_back(seeds_b->at(seed).value);
      }
      row.paired = paired_t_test(paired_a, paired_b);
      if (row.paired->n >= 2 && std::isnan(row.paired->t)) {
        row.notes.push_back(
            fmt::format("{}: every seed pair differs by the same amount: the paired t test is undefined", where));
      }
    }
  }
  return row;
}

std::optional<Discordance> discordant_counts(const db::PredictionRow& a, const db::PredictionRow& b) {
  if (a.count != b.count || a.num_classes != b.num_classes || a.labels != b.labels || a.num_classes <= 0 ||
      a.scores.size() != static_cast<std::size_t>(a.count * a.num_classes) || b.scores.size() != a.scores.size()) {
    return std::nullopt;
  }
  const auto classes = static_cast<std::size_t>(a.num_classes);
  const auto predicted = [classes](const std::vector<float>& scores, std::size_t item) {
    const auto first = scores.begin() + static_cast<std::ptrdiff_t>(item * classes);
    return static_cast<std::int32_t>(std::max_element(first, first + static_cast<std::ptrdiff_t>(classes)) - first);
  };
  Discordance counts;
  for (std::size_t item = 0; item < a.labels.size(); ++item) {
    const bool right_a = predicted(a.scores, item) == a.labels[item];
    const bool right_b = predicted(b.scores, item) == b.labels[item];
    if (right_a && !right_b) ++counts.b;
    if (!right_a && right_b) ++counts.c;
  }
  return counts;
}

Comparison compare_arms(const StoreReader& store, const std::string& a, const std::string& b,
                        const std::vector<MetricKey>& metrics, RunQuery filter) {
  const std::vector<std::string> arms = store.arms();
  check_arm(arms, a, store.path());
  check_arm(arms, b, store.path());
  const std::vector<MetricKey> known = store.metrics();
  for (const auto& metric : metrics) {
    if (std::find(known.begin(), known.end(), metric) == known.end()) {
      std::vector<std::string> labels;
      for (const auto& key : known) labels.push_back(key.label());
      throw UsageError(fmt::format("unknown metric '{}' in {}: the metrics are {}", metric.label(), store.path(),
                                   fmt::join(labels, ", ")));
    }
  }

  Comparison comparison;
  comparison.store_path = store.path();
  comparison.arm_a = a;
  comparison.arm_b = b;
  filter.arms = {a, b};

  // Every resolution either arm has, at any status, so that a resolution whose runs all
  // failed shows up with n = 0 rather than vanishing.
  std::set<std::int64_t> resolutions;
  {
    RunQuery any_status = filter;
    any_status.status.reset();
    for (const auto& run : store.list_runs(any_status)) resolutions.insert(run.resolution);
  }

  for (const auto& metric : metrics) {
    comparison.metrics.push_back(metric.label());
    std::map<std::int64_t, std::pair<std::vector<SeedValue>, std::vector<SeedValue>>> groups;
    for (const auto& sample : store.metric_samples(filter, metric)) {
      auto& group = groups[sample.resolution];
      const SeedValue value{sample.seed, sample.run_id, sample.value};
      // Comparing an arm with itself puts the same values on both sides.
      if (sample.arm == a) group.first.push_back(value);
      if (sample.arm == b) group.second.push_back(value);
    }
    for (const std::int64_t resolution : resolutions) {
      const auto& group = groups[resolution];
      ComparisonRow row = compare_values(metric.label(), resolution, group.first, group.second);
      if (metric.name == "accuracy" && row.paired) {
        // McNemar on each seed pair's stored predictions of this split.
        Discordance pooled;
        const std::string where = fmt::format("{} at {}", metric.label(), resolution);
        std::vector<std::int64_t> missing;
        for (const auto& sample_a : group.first) {
          const auto match = std::find_if(group.second.begin(), group.second.end(),
                                          [&](const SeedValue& v) { return v.seed == sample_a.seed; });
          const auto predictions_a = store.store().predictions(sample_a.run_id, metric.split);
          const auto predictions_b = store.store().predictions(match->run_id, metric.split);
          if (!predictions_a || !predictions_b) {
            missing.push_back(sample_a.seed);
            continue;
          }
          const auto counts = discordant_counts(*predictions_a, *predictions_b);
          if (!counts) {
            row.notes.push_back(
                fmt::format("{}: seed {}: the arms' {} predictions are not of the same items: no McNemar", where,
                            sample_a.seed, metric.split));
            continue;
          }
          row.mcnemar_seeds.push_back({sample_a.seed, mcnemar_test(counts->b, counts->c)});
          pooled.b += counts->b;
          pooled.c += counts->c;
        }
        if (!missing.empty()) {
          row.notes.push_back(fmt::format("{}: no stored {} predictions for seed(s) {}: no McNemar there", where,
                                          metric.split, fmt::join(missing, ", ")));
        }
        if (!row.mcnemar_seeds.empty()) {
          row.mcnemar = mcnemar_test(pooled.b, pooled.c);
          if (row.mcnemar->exact && mcnemar_min_p(pooled.b + pooled.c) > kAlpha) {
            row.notes.push_back(fmt::format("{}: only {} discordant predictions: McNemar can never reach p < {}", where,
                                            pooled.b + pooled.c, kAlpha));
          }
        }
      }
      comparison.rows.push_back(std::move(row));
    }
  }
  return comparison;
}

}  // namespace ablate::report
