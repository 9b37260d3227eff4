// The report's statistics and cell formatting, checked against literal values.
//
// Reference values marked "SciPy" were computed once with SciPy 1.10.1 (Debian 12's
// python3-scipy): scipy.stats.ttest_ind(b, a, equal_var=False), ttest_rel(b, a),
// mannwhitneyu(a, b, alternative='two-sided', method='exact' | 'asymptotic'),
// binom.cdf and chi2.sf; the confidence intervals as mean difference -/+
// t.ppf(0.975, df) * se with the Welch–Satterthwaite df.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "statistics.hpp"
#include "text.hpp"

namespace ablate::report {
namespace {

TEST(StatisticsTest, MeanAndSampleSdOfAKnownSample) {
  const std::vector<double> values = {2, 4, 4, 4, 5, 5, 7, 9};
  EXPECT_DOUBLE_EQ(mean(values), 5.0);
  // sqrt(32 / 7): the sample sd divides by n - 1, not n (which would give exactly 2).
  EXPECT_NEAR(sample_sd(values), 2.1380899352993950, 1e-15);
}

TEST(StatisticsTest, TwoValues) {
  EXPECT_DOUBLE_EQ(mean({0.25, 0.75}), 0.5);
  EXPECT_NEAR(sample_sd({0.25, 0.75}), 0.35355339059327373, 1e-15);
}

TEST(StatisticsTest, SdOfIdenticalValuesIsZero) { EXPECT_DOUBLE_EQ(sample_sd({0.9, 0.9, 0.9}), 0.0); }

TEST(StatisticsTest, SdOfOneValueIsUndefined) {
  EXPECT_DOUBLE_EQ(mean({0.9}), 0.9);
  EXPECT_TRUE(std::isnan(sample_sd({0.9})));
}

TEST(StatisticsTest, EmptyInputIsUndefined) {
  EXPECT_TRUE(std::isnan(mean({})));
  EXPECT_TRUE(std::isnan(sample_sd({})));
  const Summary summary = summarize({});
  EXPECT_EQ(summary.n, 0u);
  EXPECT_TRUE(std::isnan(summary.mean));
  EXPECT_TRUE(std::isnan(summary.sd));
}

TEST(StatisticsTest, SummarizeCountsAndAgreesWithTheParts) {
  const Summary summary = summarize({1, 2, 3, 4});
  EXPECT_EQ(summary.n, 4u);
  EXPECT_DOUBLE_EQ(summary.mean, 2.5);
  EXPECT_NEAR(summary.sd, 1.2909944487358056, 1e-15);
}

TEST(TextTest, ThousandsSeparators) {
  EXPECT_EQ(with_thousands(0), "0");
  EXPECT_EQ(with_thousands(999), "999");
  EXPECT_EQ(with_thousands(1000), "1,000");
  EXPECT_EQ(with_thousands(421642), "421,642");
  EXPECT_EQ(with_thousands(1234567), "1,234,567");
  EXPECT_EQ(with_thousands(-1234567), "\u22121,234,567");
  EXPECT_EQ(with_thousands(std::numeric_limits<std::int64_t>::min()), "\u22129,223,372,036,854,775,808");
}

TEST(TextTest, FixedMarksUndefinedValuesWithADash) {
  EXPECT_EQ(fixed(0.91234, 4), "0.9123");
  EXPECT_EQ(fixed(std::nan(""), 4), kUndefined);
  EXPECT_EQ(fixed(std::optional<double>(), 4), kUndefined);
  EXPECT_EQ(fixed(-0.00001, 4), "0.0000");
  EXPECT_EQ(signed_fixed(0.0123, 4), "+0.0123");
  EXPECT_EQ(signed_fixed(-0.004, 4), "\u22120.0040");  // a minus sign, not a hyphen
  EXPECT_EQ(fixed(-1.5, 1), "\u22121.5");
  EXPECT_EQ(with_minus_sign("-1.5e-05"), "\u22121.5e\u221205");
  EXPECT_EQ(signed_fixed(std::nan(""), 4), kUndefined);
}

TEST(TextTest, FirstLineAndTruncation) {
  EXPECT_EQ(first_line("loss is NaN\r\nat epoch 3"), "loss is NaN");
  EXPECT_EQ(first_line("one line"), "one line");
  EXPECT_EQ(display_width("0.9 \u00b1 \u2013"), 7u);
  EXPECT_EQ(truncate("abcdef", 4), "abc\u2026");
  EXPECT_EQ(truncate("abc", 4), "abc");
  EXPECT_EQ(truncate("abcdef", 0), "abcdef");
}

// --- Welch's t test and its interval -------------------------------------------------

TEST(WelchTest, MatchesSciPyOnTheGoldenStore) {
  // The accuracies of baseline and wide at 14 in tests/fixtures/report. SciPy:
  // t = 6.041854020083552, p = 0.009622276426560382, df = 2.9411764705882355,
  // CI = [0.009111501242041273, 0.02988849875795865].
  const WelchResult r = welch_t_test({0.906, 0.911, 0.916}, {0.928, 0.9305, 0.933});
  EXPECT_NEAR(r.difference, 0.0195, 1e-12);
  EXPECT_NEAR(r.t, 6.041854020083552, 1e-9);
  EXPECT_NEAR(r.df, 2.9411764705882355, 1e-9);
  EXPECT_NEAR(r.p, 0.009622276426560382, 1e-9);
  EXPECT_NEAR(r.ci.low, 0.009111501242041273, 1e-9);
  EXPECT_NEAR(r.ci.high, 0.02988849875795865, 1e-9);
}

TEST(WelchTest, MatchesSciPyOnUnequalSizes) {
  // SciPy: t = 4.335287466922863, p = 0.0022001596986932167, df = 8.437598106583225,
  // CI = [1.2010360864497889, 3.8789639135502165].
  const WelchResult r = welch_t_test({19.1, 20.3, 18.7, 21.2, 20.0}, {22.4, 21.8, 23.1, 20.9, 22.7, 23.5});
  EXPECT_NEAR(r.t, 4.335287466922863, 1e-9);
  EXPECT_NEAR(r.df, 8.437598106583225, 1e-9);
  EXPECT_NEAR(r.p, 0.0022001596986932167, 1e-9);
  EXPECT_NEAR(r.ci.low, 1.2010360864497889, 1e-9);
  EXPECT_NEAR(r.ci.high, 3.8789639135502165, 1e-9);
}

TEST(WelchTest, UndefinedWithOneValueOrNoSpread) {
  // One seed: the difference exists, the test does not (SciPy gives nan too).
  const WelchResult one = welch_t_test({0.9}, {0.91, 0.92});
  EXPECT_NEAR(one.difference, 0.015, 1e-12);
  EXPECT_TRUE(std::isnan(one.t));
  EXPECT_TRUE(std::isnan(one.p));
  EXPECT_TRUE(std::isnan(one.ci.low));
  // Identical samples: zero variance, undefined rather than p = 1 or a division by zero.
  const WelchResult same = welch_t_test({0.9, 0.9, 0.9}, {0.9, 0.9, 0.9});
  EXPECT_DOUBLE_EQ(same.difference, 0.0);
  EXPECT_TRUE(std::isnan(same.p));
  // No values at all.
  const WelchResult none = welch_t_test({}, {});
  EXPECT_TRUE(std::isnan(none.difference));
  EXPECT_TRUE(std::isnan(none.p));
}

// --- Paired t test ------------------------------------------------------------------------

TEST(PairedTest, MatchesSciPy) {
  // SciPy ttest_rel: t = 13.50999629903723, p = 0.0054342321640808875.
  const PairedResult golden = paired_t_test({0.906, 0.911, 0.916}, {0.928, 0.9305, 0.933});
  EXPECT_EQ(golden.n, 3u);
  EXPECT_NEAR(golden.t, 13.50999629903723, 1e-8);
  EXPECT_NEAR(golden.p, 0.0054342321640808875, 1e-9);
  // SciPy: t = 3.3626912299068388, p = 0.04364623504077335,
  // CI = [0.000938024327907877, 0.0340619756720921].
  const PairedResult r = paired_t_test({0.91, 0.90, 0.93, 0.92}, {0.93, 0.915, 0.935, 0.95});
  EXPECT_DOUBLE_EQ(r.df, 3.0);
  EXPECT_NEAR(r.t, 3.3626912299068388, 1e-9);
  EXPECT_NEAR(r.p, 0.04364623504077335, 1e-9);
  EXPECT_NEAR(r.ci.low, 0.000938024327907877, 1e-9);
  EXPECT_NEAR(r.ci.high, 0.0340619756720921, 1e-9);
}

TEST(PairedTest, UndefinedForOnePairOrConstantDifferences) {
  EXPECT_TRUE(std::isnan(paired_t_test({0.9}, {0.95}).p));
  // Differences exactly 0.5 each (binary fractions, so no rounding noise).
  const PairedResult constant = paired_t_test({1, 2, 3}, {1.5, 2.5, 3.5});
  EXPECT_DOUBLE_EQ(constant.mean_difference, 0.5);
  EXPECT_TRUE(std::isnan(constant.p));
  EXPECT_EQ(paired_t_test({}, {}).n, 0u);
}

// --- Mann-Whitney U -----------------------------------------------------------------------

TEST(MannWhitneyTest, ThreeVersusThreeCannotReachFivePercent) {
  // Complete separation of 3 vs 3: SciPy exact U = 0, p = 0.1, the smallest possible.
  const MannWhitneyResult r = mann_whitney_u({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0.0);
  EXPECT_NEAR(r.p, 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney_min_p(3, 3), 0.1, 1e-15);  // 2 / C(6, 3)
  EXPECT_NEAR(mann_whitney_min_p(4, 4), 2.0 / 70.0, 1e-15);
  EXPECT_NEAR(mann_whitney_min_p(5, 5), 2.0 / 252.0, 1e-15);
  EXPECT_DOUBLE_EQ(mann_whitney_min_p(1, 1), 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_min_p(0, 3), 1.0);
}

TEST(MannWhitneyTest, ExactMatchesSciPy) {
  // SciPy exact: U = 3.0, p = 0.1111111111111111.
  const MannWhitneyResult r = mann_whitney_u({1.1, 3.2, 2.5, 4.8, 0.7}, {5.1, 2.9, 6.3, 4.4});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 3.0);
  EXPECT_NEAR(r.p, 0.1111111111111111, 1e-12);
  // 10 vs 12 without ties. SciPy exact: U = 21.0, p = 0.00895698728516066.
  std::vector<double> a, b;
  for (int i = 0; i < 10; ++i) a.push_back(i);
  for (int i = 3; i < 15; ++i) b.push_back(i + 0.5);
  const MannWhitneyResult larger = mann_whitney_u(a, b);
  EXPECT_TRUE(larger.exact);
  EXPECT_DOUBLE_EQ(larger.u, 21.0);
  EXPECT_NEAR(larger.p, 0.00895698728516066, 1e-12);
}

TEST(MannWhitneyTest, ExactDistributionOfTwoVersusTwo) {
  // C(4, 2) = 6 orderings; U takes 0, 1, 2, 2, 3, 4: P(U <= 0) = 1/6, P(U <= 2) = 4/6.
  EXPECT_NEAR(mann_whitney_exact_cdf(2, 2, 0), 1.0 / 6.0, 1e-15);
  EXPECT_NEAR(mann_whitney_exact_cdf(2, 2, 1), 2.0 / 6.0, 1e-15);
  EXPECT_NEAR(mann_whitney_exact_cdf(2, 2, 2), 4.0 / 6.0, 1e-15);
  EXPECT_DOUBLE_EQ(mann_whitney_exact_cdf(2, 2, 4), 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_exact_cdf(2, 2, -1), 0.0);
}

TEST(MannWhitneyTest, TiesUseTheNormalApproximationWithTieCorrection) {
  // SciPy asymptotic (the exact test is invalid with ties): U = 22.5,
  // p = 0.20702196820234253.
  const MannWhitneyResult r = mann_whitney_u({3, 1, 4, 1, 5, 9, 2, 6}, {5, 3, 5, 8, 9, 7, 9, 3, 2});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 22.5);
  EXPECT_NEAR(r.p, 0.20702196820234253, 1e-12);
}

TEST(MannWhitneyTest, EdgeCases) {
  // All values tied: no evidence either way (SciPy: U = 4.5, p = 1.0).
  const MannWhitneyResult tied = mann_whitney_u({1, 1, 1}, {1, 1, 1});
  EXPECT_DOUBLE_EQ(tied.u, 4.5);
  EXPECT_DOUBLE_EQ(tied.p, 1.0);
  // An empty arm: undefined.
  EXPECT_TRUE(std::isnan(mann_whitney_u({}, {1, 2}).p));
  // One value each: p = 1 (2 / C(2, 1)).
  EXPECT_DOUBLE_EQ(mann_whitney_u({0.9}, {0.95}).p, 1.0);
}

// --- McNemar ------------------------------------------------------------------------------

TEST(McNemarTest, ExactBinomialBelowTwentyFiveDiscordant) {
  // SciPy: 2 * binom.cdf(3, 13, 0.5) = 0.09228515625.
  const McNemarResult r = mcnemar_test(3, 10);
  EXPECT_TRUE(r.exact);
  EXPECT_NEAR(r.p, 0.09228515625, 1e-12);
  // 0 vs 5: 2 * 0.5^5 = 0.0625, the smallest p with five discordant items.
  EXPECT_NEAR(mcnemar_test(0, 5).p, 0.0625, 1e-15);
  EXPECT_DOUBLE_EQ(mcnemar_test(5, 5).p, 1.0);
  EXPECT_DOUBLE_EQ(mcnemar_test(1, 0).p, 1.0);
  EXPECT_NEAR(mcnemar_min_p(5), 0.0625, 1e-15);
  EXPECT_NEAR(mcnemar_min_p(6), 0.03125, 1e-15);
  EXPECT_DOUBLE_EQ(mcnemar_min_p(0), 1.0);
}

TEST(McNemarTest, ChiSquareWithContinuityCorrectionFromTwentyFive) {
  // (|12 - 30| - 1)^2 / 42 = 6.880952380952381; SciPy chi2.sf: 0.008711912962379598.
  const McNemarResult r = mcnemar_test(12, 30);
  EXPECT_FALSE(r.exact);
  EXPECT_NEAR(r.statistic, 6.880952380952381, 1e-12);
  EXPECT_NEAR(r.p, 0.008711912962379598, 1e-12);
  // Exactly 25 discordant: chi-square. (|25 - 10| - 1)^2 / 35 = 5.6; p = 0.01796047752607879.
  const McNemarResult edge = mcnemar_test(25, 10);
  EXPECT_FALSE(edge.exact);
  EXPECT_NEAR(edge.p, 0.01796047752607879, 1e-12);
}

TEST(McNemarTest, NoDisagreementMeansNoEvidence) {
  const McNemarResult r = mcnemar_test(0, 0);
  EXPECT_DOUBLE_EQ(r.p, 1.0);
}

}  // namespace
}  // namespace ablate::report
