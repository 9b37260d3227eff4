// Statistics over seeds: small pure functions, tested with literal values.
//
// Every test returns NaN where it is undefined (too few values, zero variance) rather than
// throwing: a comparison table shows "–" there and says why in a note. Distributions come
// from Boost.Math; only the test statistics are computed here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ablate::report {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Arithmetic mean; NaN for no values.
double mean(const std::vector<double>& values);

// Sample standard deviation (divides by n - 1). Undefined, so NaN, for fewer than two
// values: one seed says nothing about the spread across seeds.
double sample_sd(const std::vector<double>& values);

struct Summary {
  std::size_t n = 0;
  double mean = kNaN;
  double sd = kNaN;
};

Summary summarize(const std::vector<double>& values);

// A two-sided confidence interval; both ends NaN when undefined.
struct Interval {
  double low = kNaN;
  double high = kNaN;
};

// Welch's unequal-variance t test of mean(b) - mean(a), with the 95% confidence interval
// of that difference (Welch–Satterthwaite degrees of freedom). Undefined (NaN t, df, p
// and interval) when either sample has fewer than two values or both have zero variance.
struct WelchResult {
  double difference = kNaN;  // mean(b) - mean(a); defined as soon as both are non-empty
  double t = kNaN;
  double df = kNaN;
  double p = kNaN;  // two-sided
  Interval ci;      // at `level`
};
WelchResult welch_t_test(const std::vector<double>& a, const std::vector<double>& b, double level = 0.95);

// Paired t test of b[i] - a[i] (same length; pairs share a seed). Undefined for fewer
// than two pairs or when every difference is the same (zero variance).
struct PairedResult {
  std::size_t n = 0;
  double mean_difference = kNaN;
  double t = kNaN;
  double df = kNaN;
  double p = kNaN;  // two-sided
  Interval ci;
};
PairedResult paired_t_test(const std::vector<double>& a, const std::vector<double>& b, double level = 0.95);

// Mann-Whitney U test, two-sided. `u` is the statistic of sample a (the number of pairs
// with a > b, ties counting one half), as scipy.stats.mannwhitneyu(a, b) reports it.
// Exact (the permutation distribution of U, counted by recursion) when there are no ties
// and both samples have at most kMannWhitneyExactMax values; otherwise the normal
// approximation with tie correction and continuity correction (SciPy's default).
// Undefined for an empty sample. All values tied: p = 1 (no evidence either way).
inline constexpr std::size_t kMannWhitneyExactMax = 50;
struct MannWhitneyResult {
  double u = kNaN;
  double p = kNaN;
  bool exact = false;
};
MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

// P(U <= u) under the null hypothesis for samples of sizes m and n without ties.
double mann_whitney_exact_cdf(std::size_t m, std::size_t n, std::int64_t u);

// The smallest two-sided p-value the exact test can give for sizes m and n:
// 2 / C(m + n, m), capped at 1 (3 vs 3: 0.1; it can never reach 0.05).
double mann_whitney_min_p(std::size_t m, std::size_t n);

// McNemar's test on paired correctness: b = items A got right and B wrong, c = the
// reverse. Exact binomial (two-sided, B(b + c, 1/2)) when b + c < kMcNemarExactBelow,
// otherwise chi-square with one degree of freedom and continuity correction. b = c = 0:
// p = 1 (the classifiers never disagree).
inline constexpr std::int64_t kMcNemarExactBelow = 25;
struct McNemarResult {
  std::int64_t b = 0;
  std::int64_t c = 0;
  double statistic = kNaN;  // chi-square; NaN when exact
  double p = kNaN;
  bool exact = false;
};
McNemarResult mcnemar_test(std::int64_t b, std::int64_t c);

// The smallest two-sided p-value the exact McNemar test can give for b + c discordant
// items: 2 * 0.5^(b + c), capped at 1.
double mcnemar_min_p(std::int64_t discordant);

// Holm's step-down adjustment for a family of p-values, in their given order: with the
// m defined values sorted ascending, p_(i) becomes max over j <= i of min(1, (m - j + 1) p_(j)).
// NaN values stay NaN and do not count in m. Controls the family-wise error rate without
// assuming independence (Holm 1979).
std::vector<double> holm_adjust(const std::vector<double>& p);

// Power of the two-sided two-sample t test (pooled variance, df = n_a + n_b - 2) at level
// alpha to detect a true difference `delta` when the per-seed sd is `sd`: P(|T| > t_crit)
// for T non-central t with non-centrality delta / (sd sqrt(1/n_a + 1/n_b)). NaN when
// undefined (fewer than two runs per arm, sd not positive).
double t_test_power(double delta, double sd, std::size_t n_a, std::size_t n_b, double alpha);

// The fewest seeds per arm (n_a = n_b = n >= 2) whose t test reaches `power` for `delta`;
// 0 when not even kMaxSeedsSearched do, or when undefined.
inline constexpr std::size_t kMaxSeedsSearched = 100000;
std::size_t seeds_for_power(double delta, double sd, double alpha, double power);

// The smallest |difference| the t test with n_a and n_b seeds detects with `power`
// (bisection to a relative 1e-12). NaN when undefined.
double minimum_detectable_difference(double sd, std::size_t n_a, std::size_t n_b, double alpha, double power);

// The pooled sample sd of two arms: sqrt(((n_a - 1) s_a^2 + (n_b - 1) s_b^2) / (n_a + n_b - 2)).
double pooled_sd(const Summary& a, const Summary& b);

}  // namespace ablate::report
