// The result of `report --compare A B`: per metric, configuration pair and resolution,
// both arms across seeds and the tests of their difference, as plain data for the
// reporters. Runs are grouped by configuration (config_groups.hpp), never by arm name
// alone: a group of A is compared with each group of B that agrees with it on the
// settings both arms vary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bootstrap.hpp"
#include "statistics.hpp"
#include "store_queries.hpp"

namespace ablate::report {

// One finished run's value, by seed.
struct SeedValue {
  std::int64_t seed = 0;
  std::int64_t run_id = 0;
  double value = 0;
};

struct McNemarSeed {
  std::int64_t seed = 0;
  McNemarResult result;
};

// Holm-adjusted p-values of one row, over the family of every row of the comparison
// (metrics x configurations x resolutions) with that test defined. NaN where the raw p is.
struct HolmAdjusted {
  double welch = kNaN;
  double mann_whitney = kNaN;
  double paired = kNaN;
};

struct ComparisonRow {
  std::string metric;  // "test.accuracy"
  std::int64_t resolution = 0;
  std::string group_a;  // the settings that tell this group of A from A's others; "" if one
  std::string group_b;
  Summary a;
  Summary b;
  std::vector<SeedValue> values_a;  // the finished runs summarised, one per seed (csv --per-seed)
  std::vector<SeedValue> values_b;
  WelchResult welch;  // difference = mean(B) - mean(A), its 95% CI, Welch's t test
  MannWhitneyResult mann_whitney;
  std::optional<PairedResult> paired;        // when both arms have the same seeds, once each
  BootstrapResult bootstrap;                 // two-level CI of the difference, P(B better)
  HolmAdjusted holm;                         // when the family has more than one test
  std::vector<McNemarSeed> mcnemar_seeds;    // accuracy metrics with stored predictions
  std::optional<McNemarResult> mcnemar;      // b and c summed over the seeds: beside the per-seed rows only
  bool mcnemar_directions_disagree = false;  // some seed pairs favour A, others B
  std::vector<std::string> notes;            // warnings about this row, for the footnotes
};

struct CompareOptions {
  std::size_t bootstrap_replicates = kDefaultBootstrapReplicates;
  std::uint64_t bootstrap_seed = kDefaultBootstrapSeed;
};

struct Comparison {
  std::string store_path;
  std::string arm_a;
  std::string arm_b;
  std::vector<std::string> metrics;  // labels, in the order asked
  std::vector<ComparisonRow> rows;   // by metric as asked, configuration pair, resolution ascending
  CompareOptions options;
  std::size_t holm_family = 0;  // the most defined p-values of one test across the rows
};

// The statistics of one (metric, resolution) cell from both arms' values: everything but
// McNemar, which needs predictions. Pure; notes say which test cannot reach p < 0.05 and
// why the paired test is missing.
ComparisonRow compare_values(const std::string& metric, std::int64_t resolution, const std::vector<SeedValue>& a,
                             const std::vector<SeedValue>& b);

// Fills each row's Holm-adjusted p-values over the family of all rows; returns the family
// size (the largest number of defined p-values of one test). Below two nothing is adjusted.
std::size_t adjust_for_multiple_comparisons(std::vector<ComparisonRow>* rows);

// Whether seed pairs point in opposite directions: some with b > c, others with c > b.
bool directions_disagree(const std::vector<McNemarSeed>& seeds);

// Discordant counts of two classifiers on the same test set: b = items A got right and
// B wrong, c = the reverse. nullopt when the two predictions are not of the same items
// (different count, classes or labels). Correct = arg max of the scores is the label.
struct Discordance {
  std::int64_t b = 0;
  std::int64_t c = 0;
};
std::optional<Discordance> discordant_counts(const db::PredictionRow& a, const db::PredictionRow& b);

// Runs the comparison on the store: finished runs of A and B matching `filter` (its arms
// are replaced), for each metric (default test.accuracy) and resolution either arm has.
// UsageError for an unknown arm or metric, naming the ones there are.
Comparison compare_arms(const StoreReader& store, const std::string& a, const std::string& b,
                        const std::vector<MetricKey>& metrics, RunQuery filter, const CompareOptions& options = {});

}  // namespace ablate::report
