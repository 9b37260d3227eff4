// The result of `report --compare A B`: per metric and resolution, both arms across seeds
// and the tests of their difference, as plain data for the reporters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

struct ComparisonRow {
  std::string metric;  // "test.accuracy"
  std::int64_t resolution = 0;
  Summary a;
  Summary b;
  WelchResult welch;  // difference = mean(B) - mean(A), its 95% CI, Welch's t test
  MannWhitneyResult mann_whitney;
  std::optional<PairedResult> paired;      // when both arms have the same seeds, once each
  std::vector<McNemarSeed> mcnemar_seeds;  // accuracy metrics with stored predictions
  std::optional<McNemarResult> mcnemar;    // b and c summed over the seeds
  std::vector<std::string> notes;          // warnings about this row, for the footnotes
};

struct Comparison {
  std::string store_path;
  std::string arm_a;
  std::string arm_b;
  std::vector<std::string> metrics;  // labels, in the order asked
  std::vector<ComparisonRow> rows;   // by metric as asked, then resolution ascending
};

// The statistics of one (metric, resolution) cell from both arms' values: everything but
// McNemar, which needs predictions. Pure; notes say which test cannot reach p < 0.05 and
// why the paired test is missing.
ComparisonRow compare_values(const std::string& metric, std::int64_t resolution, const std::vector<SeedValue>& a,
                             const std::vector<SeedValue>& b);

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
                        const std::vector<MetricKey>& metrics, RunQuery filter);

}  // namespace ablate::report
