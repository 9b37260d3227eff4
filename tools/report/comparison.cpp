// Groups the finished runs of two arms by metric and resolution and tests the difference.
#include "comparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <map>
#include <set>

#include "aggregate.hpp"
#include "cli_suggest.hpp"
#include "config_groups.hpp"
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
  throw UsageError(unknown_name("arm", arm, arms, path, "arms"));
}

}  // namespace

ComparisonRow compare_values(const std::string& metric, std::int64_t resolution, const std::vector<SeedValue>& a,
                             const std::vector<SeedValue>& b) {
  ComparisonRow row;
  row.metric = metric;
  row.resolution = resolution;
  row.values_a = a;
  row.values_b = b;
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

std::size_t adjust_for_multiple_comparisons(std::vector<ComparisonRow>* rows) {
  std::vector<double> welch, mann_whitney, paired;
  for (const auto& row : *rows) {
    welch.push_back(row.welch.p);
    mann_whitney.push_back(row.mann_whitney.p);
    paired.push_back(row.paired ? row.paired->p : kNaN);
  }
  const auto defined = [](const std::vector<double>& p) {
    return static_cast<std::size_t>(std::count_if(p.begin(), p.end(), [](double v) { return !std::isnan(v); }));
  };
  const std::size_t family = std::max({defined(welch), defined(mann_whitney), defined(paired)});
  if (family < 2) return family;
  welch = holm_adjust(welch);
  mann_whitney = holm_adjust(mann_whitney);
  paired = holm_adjust(paired);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    (*rows)[i].holm = {welch[i], mann_whitney[i], paired[i]};
  }
  return family;
}

bool directions_disagree(const std::vector<McNemarSeed>& seeds) {
  bool favours_a = false;
  bool favours_b = false;
  for (const auto& seed : seeds) {
    favours_a = favours_a || seed.result.b > seed.result.c;
    favours_b = favours_b || seed.result.c > seed.result.b;
  }
  return favours_a && favours_b;
}

namespace {

// Stored predictions by run id, read once per comparison (McNemar and the bootstrap both
// need them).
class PredictionCache {
 public:
  PredictionCache(const StoreReader& store, std::string split) : store_(store), split_(std::move(split)) {}
  const std::optional<db::PredictionRow>& of(std::int64_t run_id) {
    auto found = cache_.find(run_id);
    if (found == cache_.end()) found = cache_.emplace(run_id, store_.store().predictions(run_id, split_)).first;
    return found->second;
  }

 private:
  const StoreReader& store_;
  std::string split_;
  std::map<std::int64_t, std::optional<db::PredictionRow>> cache_;
};

// Whether each item was classified right (arg max of the scores is the label); empty when
// the stored scores do not match the item count.
std::vector<std::uint8_t> correctness(const db::PredictionRow& predictions) {
  std::vector<std::uint8_t> correct;
  if (predictions.num_classes <= 0 || predictions.labels.size() != static_cast<std::size_t>(predictions.count) ||
      predictions.scores.size() != static_cast<std::size_t>(predictions.count * predictions.num_classes)) {
    return correct;
  }
  const auto classes = static_cast<std::ptrdiff_t>(predictions.num_classes);
  for (std::size_t item = 0; item < predictions.labels.size(); ++item) {
    const auto first = predictions.scores.begin() + static_cast<std::ptrdiff_t>(item) * classes;
    const auto predicted = std::max_element(first, first + classes) - first;
    correct.push_back(predicted == predictions.labels[item] ? 1 : 0);
  }
  return correct;
}

// The bootstrap's runs: stored values, with per-item correctness for accuracy metrics when
// every run of both arms has predictions of the same items (same labels in the same order).
std::pair<std::vector<BootstrapRun>, std::vector<BootstrapRun>> bootstrap_runs(
    const std::vector<SeedValue>& a, const std::vector<SeedValue>& b, bool with_items, PredictionCache* cache) {
  std::vector<BootstrapRun> runs_a, runs_b;
  for (const auto& value : a) runs_a.push_back({value.value, {}});
  for (const auto& value : b) runs_b.push_back({value.value, {}});
  if (!with_items || a.empty() || b.empty()) return {runs_a, runs_b};
  const auto& reference = cache->of(a.front().run_id);
  if (!reference) return {runs_a, runs_b};
  std::vector<std::vector<std::uint8_t>> correct_a, correct_b;
  for (const auto* side : {&a, &b}) {
    for (const auto& value : *side) {
      const auto& predictions = cache->of(value.run_id);
      if (!predictions || predictions->labels != reference->labels) return {runs_a, runs_b};
      std::vector<std::uint8_t> correct = correctness(*predictions);
      if (correct.empty()) return {runs_a, runs_b};
      (side == &a ? correct_a : correct_b).push_back(std::move(correct));
    }
  }
  for (std::size_t i = 0; i < runs_a.size(); ++i) runs_a[i].correct = std::move(correct_a[i]);
  for (std::size_t i = 0; i < runs_b.size(); ++i) runs_b[i].correct = std::move(correct_b[i]);
  return {runs_a, runs_b};
}

std::vector<SeedValue> seed_values(const std::vector<MetricSample>& samples) {
  std::vector<SeedValue> values;
  for (const auto& sample : samples) values.push_back({sample.seed, sample.run_id, sample.value});
  return values;
}

// McNemar's test on each seed pair's stored predictions, and the pooled counts beside them.
void add_mcnemar(const MetricKey& metric, const std::string& where, ComparisonRow* row, const std::vector<SeedValue>& a,
                 const std::vector<SeedValue>& b, PredictionCache* cache) {
  Discordance pooled;
  std::vector<std::int64_t> missing;
  for (const auto& sample_a : a) {
    const auto match = std::find_if(b.begin(), b.end(), [&](const SeedValue& v) { return v.seed == sample_a.seed; });
    if (match == b.end()) continue;
    const auto& predictions_a = cache->of(sample_a.run_id);
    const auto& predictions_b = cache->of(match->run_id);
    if (!predictions_a || !predictions_b) {
      missing.push_back(sample_a.seed);
      continue;
    }
    const auto counts = discordant_counts(*predictions_a, *predictions_b);
    if (!counts) {
      row->notes.push_back(fmt::format("{}: seed {}: the arms' {} predictions are not of the same items: no McNemar",
                                       where, sample_a.seed, metric.split));
      continue;
    }
    row->mcnemar_seeds.push_back({sample_a.seed, mcnemar_test(counts->b, counts->c)});
    pooled.b += counts->b;
    pooled.c += counts->c;
  }
  if (!missing.empty()) {
    row->notes.push_back(fmt::format("{}: no stored {} predictions for seed(s) {}: no McNemar there", where,
                                     metric.split, fmt::join(missing, ", ")));
  }
  if (row->mcnemar_seeds.empty()) return;
  row->mcnemar = mcnemar_test(pooled.b, pooled.c);
  row->mcnemar_directions_disagree = directions_disagree(row->mcnemar_seeds);
  if (row->mcnemar_directions_disagree) {
    row->notes.push_back(fmt::format("{}: McNemar: the seed pairs disagree in direction; the pooled test treats "
                                     "training randomness as if it did not exist: read the bootstrap instead",
                                     where));
  }
}

// A group of A paired with a group of B, either possibly missing (index npos).
struct GroupPair {
  std::size_t a = std::string::npos;
  std::size_t b = std::string::npos;
};

// Pairs each group of A with the groups of B that agree on every key both arms vary; a
// group with no partner is compared with nothing.
std::vector<GroupPair> pair_groups(const Grouping& a, const Grouping& b) {
  std::vector<std::string> common;
  std::set_intersection(a.differing.begin(), a.differing.end(), b.differing.begin(), b.differing.end(),
                        std::back_inserter(common));
  std::vector<GroupPair> pairs;
  std::vector<bool> b_paired(b.groups.size(), false);
  for (std::size_t i = 0; i < a.groups.size(); ++i) {
    bool paired = false;
    for (std::size_t j = 0; j < b.groups.size(); ++j) {
      const bool agree = std::all_of(common.begin(), common.end(), [&](const std::string& key) {
        return a.groups[i].value(key) == b.groups[j].value(key);
      });
      if (!agree) continue;
      pairs.push_back({i, j});
      paired = true;
      b_paired[j] = true;
    }
    if (!paired) pairs.push_back({i, std::string::npos});
  }
  for (std::size_t j = 0; j < b.groups.size(); ++j) {
    if (!b_paired[j]) pairs.push_back({std::string::npos, j});
  }
  if (pairs.empty()) pairs.push_back({});  // neither arm has a finished run: one empty row per resolution
  return pairs;
}

// The samples of group `g` at `resolution`.
std::vector<MetricSample> samples_at(const std::vector<MetricSample>& samples, const Grouping& grouping, std::size_t g,
                                     std::int64_t resolution) {
  std::vector<MetricSample> selected;
  if (g == std::string::npos) return selected;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (grouping.group_of[i] == g && samples[i].resolution == resolution) selected.push_back(samples[i]);
  }
  return selected;
}

}  // namespace

Comparison compare_arms(const StoreReader& store, const std::string& a, const std::string& b,
                        const std::vector<MetricKey>& metrics, RunQuery filter, const CompareOptions& options) {
  const std::vector<std::string> arms = store.arms();
  check_arm(arms, a, store.path());
  check_arm(arms, b, store.path());
  const std::vector<MetricKey> known = store.metrics();
  for (const auto& metric : metrics) {
    if (std::find(known.begin(), known.end(), metric) == known.end()) {
      std::vector<std::string> labels;
      for (const auto& key : known) labels.push_back(key.label());
      throw UsageError(unknown_name("metric", metric.label(), labels, store.path(), "metrics"));
    }
  }

  Comparison comparison;
  comparison.store_path = store.path();
  comparison.arm_a = a;
  comparison.arm_b = b;
  comparison.options = options;
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
    std::vector<MetricSample> samples_a, samples_b;
    for (const auto& sample : store.metric_samples(filter, metric)) {
      // Comparing an arm with itself puts the same values on both sides.
      if (sample.arm == a) samples_a.push_back(sample);
      if (sample.arm == b) samples_b.push_back(sample);
    }
    const Grouping groups_a = group_by_configuration(samples_a, {"resolution"}, /*arm_from_config=*/false);
    const Grouping groups_b = group_by_configuration(samples_b, {"resolution"}, /*arm_from_config=*/false);
    const std::vector<GroupPair> pairs = pair_groups(groups_a, groups_b);
    PredictionCache cache(store, metric.split);
    const bool accuracy = metric.name == "accuracy";
    for (const GroupPair& pair : pairs) {
      const std::string suffix_a = pair.a == std::string::npos ? "" : groups_a.groups[pair.a].suffix;
      const std::string suffix_b = pair.b == std::string::npos ? "" : groups_b.groups[pair.b].suffix;
      // With several pairs, a resolution neither group ran is not a row.
      std::set<std::int64_t> rows_at = resolutions;
      if (pairs.size() > 1) {
        rows_at.clear();
        for (std::size_t i = 0; i < samples_a.size(); ++i) {
          if (groups_a.group_of[i] == pair.a) rows_at.insert(samples_a[i].resolution);
        }
        for (std::size_t i = 0; i < samples_b.size(); ++i) {
          if (groups_b.group_of[i] == pair.b) rows_at.insert(samples_b[i].resolution);
        }
      }
      for (const std::int64_t resolution : rows_at) {
        std::string where = fmt::format("{} at {}", metric.label(), resolution);
        if (!suffix_a.empty() || !suffix_b.empty()) {
          where += suffix_a == suffix_b ? fmt::format(" [{}]", suffix_a)
                                        : fmt::format(" [{}: {}; {}: {}]", a, suffix_a, b, suffix_b);
        }
        std::vector<std::string> kept_notes;
        const auto values_a =
            seed_values(latest_per_seed(samples_at(samples_a, groups_a, pair.a, resolution), where, &kept_notes));
        const auto values_b =
            seed_values(latest_per_seed(samples_at(samples_b, groups_b, pair.b, resolution), where, &kept_notes));
        ComparisonRow row = compare_values(metric.label(), resolution, values_a, values_b);
        row.group_a = suffix_a;
        row.group_b = suffix_b;
        // compare_values names the row by metric and resolution; the group makes it unique.
        for (auto& text : row.notes) {
          const std::string plain = fmt::format("{} at {}", metric.label(), resolution);
          if (text.compare(0, plain.size(), plain) == 0) text = where + text.substr(plain.size());
        }
        row.notes.insert(row.notes.begin(), kept_notes.begin(), kept_notes.end());
        if (pair.a == std::string::npos || pair.b == std::string::npos) {
          if (pairs.size() > 1) {
            row.notes.push_back(fmt::format("{}: no group of {} has the same settings as this group of {}", where,
                                            pair.a == std::string::npos ? a : b, pair.a == std::string::npos ? b : a));
          }
        }
        if (accuracy && row.paired) add_mcnemar(metric, where, &row, values_a, values_b, &cache);
        const auto runs = bootstrap_runs(values_a, values_b, accuracy && options.bootstrap_replicates > 0, &cache);
        row.bootstrap = two_level_bootstrap(runs.first, runs.second, higher_is_better(metric.name),
                                            options.bootstrap_replicates, options.bootstrap_seed);
        comparison.rows.push_back(std::move(row));
      }
    }
  }
  comparison.holm_family = adjust_for_multiple_comparisons(&comparison.rows);
  return comparison;
}

}  // namespace ablate::report
