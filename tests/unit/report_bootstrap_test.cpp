// The two-level bootstrap, the probability of improvement, Holm's adjustment and the power
// analysis, against hand counts and values computed once with SciPy 1.10.1 (Debian 12's
// python3-scipy). A bootstrap cannot be matched to another implementation's random draws,
// so its tests check properties: the same seed gives the same interval, the interval holds
// the estimate, degenerate inputs give exact answers, and on simulated data with a known
// difference the 95% interval covers it about 95% of the time.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "bootstrap.hpp"
#include "comparison.hpp"
#include "statistics.hpp"

namespace ablate::report {
namespace {

std::vector<BootstrapRun> runs(const std::vector<double>& values) {
  std::vector<BootstrapRun> out;
  for (const double value : values) out.push_back({value, {}});
  return out;
}

TEST(ProbabilityOfImprovementTest, CountsPairsWithTiesAsHalves) {
  // b = 0.92 beats 0.91 and ties both 0.92: 2; 0.95 beats all four: 4; 0.90 none: 0.
  // 6 / 12. SciPy: 1 - mannwhitneyu(a, b).statistic / 12 = 1 - 6 / 12 = 0.5.
  const std::vector<double> a = {0.91, 0.92, 0.93, 0.92};
  const std::vector<double> b = {0.92, 0.95, 0.90};
  EXPECT_DOUBLE_EQ(probability_of_improvement(a, b, true), 0.5);
  EXPECT_DOUBLE_EQ(probability_of_improvement({1, 2}, {3, 4}, true), 1.0);
  EXPECT_DOUBLE_EQ(probability_of_improvement({1, 2}, {3, 4}, false), 0.0);  // losses: lower is better
  EXPECT_DOUBLE_EQ(probability_of_improvement({1, 3}, {2}, true), 0.5);
  EXPECT_TRUE(std::isnan(probability_of_improvement({}, {1}, true)));
}

TEST(QuantileTest, InterpolatesLinearlyAsNumPy) {
  // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.975, 1]) = 1, 1.75, 2.5, 3.925, 4
  const std::vector<double> sorted = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 0), 1);
  EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 0.5), 2.5);
  EXPECT_NEAR(quantile_sorted(sorted, 0.975), 3.925, 1e-15);
  EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 1), 4);
}

TEST(BootstrapTest, TheSameSeedGivesTheSameInterval) {
  const auto a = runs({0.90, 0.91, 0.93, 0.89, 0.92});
  const auto b = runs({0.93, 0.92, 0.95, 0.94});
  const BootstrapResult first = two_level_bootstrap(a, b, true, 2000, 7);
  const BootstrapResult again = two_level_bootstrap(a, b, true, 2000, 7);
  const BootstrapResult other = two_level_bootstrap(a, b, true, 2000, 8);
  EXPECT_EQ(first.difference.low, again.difference.low);
  EXPECT_EQ(first.difference.high, again.difference.high);
  EXPECT_EQ(first.probability_interval.low, again.probability_interval.low);
  EXPECT_NE(first.difference.low, other.difference.low);
  EXPECT_EQ(first.replicates, 2000u);
  EXPECT_EQ(first.seed, 7u);
  EXPECT_FALSE(first.items);
  // The interval holds the point estimate, mean(b) - mean(a) = 0.935 - 0.91 = 0.025.
  EXPECT_LT(first.difference.low, 0.025);
  EXPECT_GT(first.difference.high, 0.025);
  EXPECT_LE(first.probability_interval.low, first.probability);
  EXPECT_GE(first.probability_interval.high, first.probability);
  // Hand count over the 20 pairs: b = 0.93 beats 4 and ties 1 (4.5), 0.92 beats 3 and
  // ties 1 (3.5), 0.95 and 0.94 beat all 5: 18 / 20.
  EXPECT_NEAR(first.probability, 0.9, 1e-15);
}

TEST(BootstrapTest, DegenerateInputsGiveExactAnswers) {
  // No spread and no items: every replicate is the same difference.
  const BootstrapResult constant = two_level_bootstrap(runs({0.5, 0.5}), runs({0.7, 0.7, 0.7}), true, 500, 0);
  EXPECT_NEAR(constant.difference.low, 0.2, 1e-15);
  EXPECT_NEAR(constant.difference.high, 0.2, 1e-15);
  EXPECT_DOUBLE_EQ(constant.probability, 1.0);
  EXPECT_DOUBLE_EQ(constant.probability_interval.low, 1.0);
  // An arm with no runs: undefined.
  const BootstrapResult empty = two_level_bootstrap({}, runs({0.7}), true, 500, 0);
  EXPECT_TRUE(std::isnan(empty.difference.low));
  EXPECT_TRUE(std::isnan(empty.probability));
  // No replicates asked for: the point estimate only.
  const BootstrapResult none = two_level_bootstrap(runs({0.5}), runs({0.7}), true, 0, 0);
  EXPECT_TRUE(std::isnan(none.difference.low));
}

TEST(BootstrapTest, ItemsAreResampledOnlyWhenEveryRunHasTheSameItems) {
  std::vector<BootstrapRun> a = {{0.5, {1, 0, 1, 0}}, {0.75, {1, 1, 1, 0}}};
  std::vector<BootstrapRun> b = {{0.75, {0, 1, 1, 1}}};
  EXPECT_TRUE(two_level_bootstrap(a, b, true, 100, 0).items);
  b.push_back({0.5, {1, 0}});
  EXPECT_FALSE(two_level_bootstrap(a, b, true, 100, 0).items);
}

TEST(BootstrapTest, TestSetNoiseWidensTheInterval) {
  // One seed per arm: without items there is nothing to resample (a zero-width interval);
  // with 200 items the interval is about the paired item-bootstrap's width.
  std::mt19937_64 generator(1);
  std::bernoulli_distribution right_a(0.7), right_b(0.8);
  BootstrapRun a{0, {}}, b{0, {}};
  for (int i = 0; i < 200; ++i) {
    a.correct.push_back(right_a(generator) ? 1 : 0);
    b.correct.push_back(right_b(generator) ? 1 : 0);
  }
  for (auto* run : {&a, &b}) {
    double right = 0;
    for (const auto flag : run->correct) right += flag;
    run->value = right / 200;
  }
  const BootstrapResult seeds_only = two_level_bootstrap({{a.value, {}}}, {{b.value, {}}}, true, 1000, 0);
  const BootstrapResult both = two_level_bootstrap({a}, {b}, true, 1000, 0);
  EXPECT_DOUBLE_EQ(seeds_only.difference.high - seeds_only.difference.low, 0.0);
  EXPECT_TRUE(both.items);
  // sd of a difference of two independent proportions near 0.7 and 0.8 over 200 items is
  // about 0.043; the 95% interval spans about 4 sd.
  EXPECT_GT(both.difference.high - both.difference.low, 0.12);
  EXPECT_LT(both.difference.high - both.difference.low, 0.22);
  EXPECT_LT(both.difference.low, b.value - a.value);
  EXPECT_GT(both.difference.high, b.value - a.value);
}

// Coverage with a known answer: seed values from normal distributions whose means differ
// by 0.02, 20 seeds per arm; item correctness with known accuracies, one seed per arm.
TEST(BootstrapTest, CoversAKnownDifferenceAboutNinetyFivePercentOfTheTime) {
  std::mt19937_64 generator(2021);
  std::normal_distribution<double> seeds_a(0.90, 0.01), seeds_b(0.92, 0.01);
  int covered = 0;
  constexpr int kTrials = 300;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::vector<double> a, b;
    for (int i = 0; i < 20; ++i) {
      a.push_back(seeds_a(generator));
      b.push_back(seeds_b(generator));
    }
    const BootstrapResult result = two_level_bootstrap(runs(a), runs(b), true, 400, static_cast<std::uint64_t>(trial));
    covered += result.difference.low <= 0.02 && 0.02 <= result.difference.high;
  }
  // Percentile intervals from 20 seeds run a little narrow; 95% of 300 is 285 +- 8 (2 sd).
  EXPECT_GE(covered, 270) << covered << " of " << kTrials;
  EXPECT_LE(covered, 296) << covered << " of " << kTrials;

  std::bernoulli_distribution right_a(0.70), right_b(0.75);
  covered = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    BootstrapRun run_a{0, {}}, run_b{0, {}};
    double sum_a = 0, sum_b = 0;
    for (int i = 0; i < 400; ++i) {
      run_a.correct.push_back(right_a(generator) ? 1 : 0);
      run_b.correct.push_back(right_b(generator) ? 1 : 0);
      sum_a += run_a.correct.back();
      sum_b += run_b.correct.back();
    }
    run_a.value = sum_a / 400;
    run_b.value = sum_b / 400;
    const BootstrapResult result = two_level_bootstrap({run_a}, {run_b}, true, 400, static_cast<std::uint64_t>(trial));
    covered += result.difference.low <= 0.05 && 0.05 <= result.difference.high;
  }
  EXPECT_GE(covered, 270) << covered << " of " << kTrials;
  EXPECT_LE(covered, 296) << covered << " of " << kTrials;
}

TEST(HolmTest, StepDownAdjustmentKeepsTheOrder) {
  // Sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> 0.06 (monotone).
  const std::vector<double> adjusted = holm_adjust({0.01, 0.04, 0.03, 0.005});
  EXPECT_NEAR(adjusted[0], 0.03, 1e-15);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[2], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-15);
  // NaN stays NaN and does not count: m = 2.
  const std::vector<double> with_nan = holm_adjust({0.2, kNaN, 0.01});
  EXPECT_NEAR(with_nan[0], 0.2, 1e-15);
  EXPECT_TRUE(std::isnan(with_nan[1]));
  EXPECT_NEAR(with_nan[2], 0.02, 1e-15);
  EXPECT_DOUBLE_EQ(holm_adjust({0.6, 0.7})[0], 1.0);  // capped at 1
}

TEST(HolmTest, AComparisonAdjustsOnlyWhenThereIsAFamily) {
  ComparisonRow one;
  one.welch.p = 0.01;
  std::vector<ComparisonRow> rows = {one};
  EXPECT_EQ(adjust_for_multiple_comparisons(&rows), 1u);
  EXPECT_TRUE(std::isnan(rows[0].holm.welch));
  ComparisonRow two;
  two.welch.p = 0.04;
  rows.push_back(two);
  EXPECT_EQ(adjust_for_multiple_comparisons(&rows), 2u);
  EXPECT_NEAR(rows[0].holm.welch, 0.02, 1e-15);
  EXPECT_NEAR(rows[1].holm.welch, 0.04, 1e-15);
}

TEST(McNemarDirectionTest, SeedsThatFavourDifferentArmsDisagree) {
  // The per-seed rows: 144/3, 167/101, 58/128.
  const std::vector<McNemarSeed> seeds = {
      {0, mcnemar_test(144, 3)}, {1, mcnemar_test(167, 101)}, {2, mcnemar_test(58, 128)}};
  EXPECT_TRUE(directions_disagree(seeds));
  EXPECT_FALSE(directions_disagree({seeds[0], seeds[1]}));
  EXPECT_FALSE(directions_disagree({{0, mcnemar_test(3, 3)}, {1, mcnemar_test(1, 4)}}));  // a tie favours none
}

TEST(PowerTest, MatchesSciPysNonCentralT) {
  // SciPy: nct.sf(tc, df, nc) + nct.cdf(-tc, df, nc), tc = t.ppf(1 - alpha / 2, df),
  // nc = delta / (sd sqrt(1/na + 1/nb)), df = na + nb - 2.
  EXPECT_NEAR(t_test_power(0.01, 0.005, 3, 3, 0.05), 0.46264081189130546, 1e-9);
  EXPECT_NEAR(t_test_power(0.004, 0.005, 10, 8, 0.05), 0.3542821959917769, 1e-9);
  EXPECT_NEAR(t_test_power(-0.004, 0.005, 10, 8, 0.05), 0.3542821959917769, 1e-9);  // two-sided
  EXPECT_TRUE(std::isnan(t_test_power(0.01, 0.005, 1, 3, 0.05)));
  EXPECT_TRUE(std::isnan(t_test_power(0.01, 0.0, 3, 3, 0.05)));
}

TEST(PowerTest, SeedsNeededAndSmallestDetectableDifference) {
  // SciPy, counting n up from 2: power(5 per arm) = 0.7905, power(6) = 0.8764.
  EXPECT_EQ(seeds_for_power(0.01, 0.005, 0.05, 0.8), 6u);
  EXPECT_EQ(seeds_for_power(0.002, 0.005, 0.05, 0.8), 100u);
  EXPECT_EQ(seeds_for_power(0.0, 0.005, 0.05, 0.8), 0u);  // no difference: never
  EXPECT_EQ(seeds_for_power(1e-9, 1.0, 0.05, 0.8), 0u);   // beyond the search
  // SciPy: brentq on power(d, 0.005, 5, 5) - 0.8.
  EXPECT_NEAR(minimum_detectable_difference(0.005, 5, 5, 0.05, 0.8), 0.010122196696345056, 1e-9);
  EXPECT_TRUE(std::isnan(minimum_detectable_difference(0.005, 1, 5, 0.05, 0.8)));
  Summary a{3, 0.9, 0.01}, b{5, 0.92, 0.02};
  EXPECT_NEAR(pooled_sd(a, b), std::sqrt((2 * 0.0001 + 4 * 0.0004) / 6), 1e-15);
}

}  // namespace
}  // namespace ablate::report
