// Mean, sd and the tests of `report --compare`; distributions from Boost.Math.
#include "statistics.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <numeric>
#include <utility>

namespace ablate::report {

namespace {

// Two-sided p of a t statistic with df degrees of freedom.
double two_sided_t_p(double t, double df) {
  const boost::math::students_t distribution(df);
  return std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(distribution, std::fabs(t))));
}

// The (1 + level) / 2 quantile: the half-width of the interval in standard errors.
double t_critical(double df, double level) {
  const boost::math::students_t distribution(df);
  return boost::math::quantile(boost::math::complement(distribution, (1.0 - level) / 2.0));
}

double sample_variance(const std::vector<double>& values) {
  const double sd = sample_sd(values);
  return sd * sd;
}

// Mid-ranks (1-based) of `values` within the pooled sample; also the tie-group sizes.
std::vector<double> mid_ranks(const std::vector<double>& values, std::vector<std::size_t>* ties) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
  std::vector<double> ranks(values.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 hold equal values; each gets the mean of ranks start+1..end.
    const double rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    for (std::size_t k = start; k < end; ++k) ranks[order[k]] = rank;
    ties->push_back(end - start);
    start = end;
  }
  return ranks;
}

}  // namespace

double mean(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  double sum = 0;
  for (double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

// Two-pass, so that values close together (accuracies) lose no precision.
double sample_sd(const std::vector<double>& values) {
  if (values.size() < 2) return kNaN;
  const double centre = mean(values);
  double squares = 0;
  for (double value : values) squares += (value - centre) * (value - centre);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

Summary summarize(const std::vector<double>& values) {
  Summary summary;
  summary.n = values.size();
  summary.mean = mean(values);
  summary.sd = sample_sd(values);
  return summary;
}

WelchResult welch_t_test(const std::vector<double>& a, const std::vector<double>& b, double level) {
  WelchResult result;
  result.difference = mean(b) - mean(a);
  if (a.size() < 2 || b.size() < 2) return result;
  const double va = sample_variance(a) / static_cast<double>(a.size());
  const double vb = sample_variance(b) / static_cast<double>(b.size());
  const double se = std::sqrt(va + vb);
  if (!(se > 0)) return result;  // both samples constant: no spread to test against
  result.t = result.difference / se;
  result.df = (va + vb) * (va + vb) /
              (va * va / static_cast<double>(a.size() - 1) + vb * vb / static_cast<double>(b.size() - 1));
  result.p = two_sided_t_p(result.t, result.df);
  const double half = t_critical(result.df, level) * se;
  result.ci = {result.difference - half, result.difference + half};
  return result;
}

PairedResult paired_t_test(const std::vector<double>& a, const std::vector<double>& b, double level) {
  PairedResult result;
  const std::size_t n = std::min(a.size(), b.size());
  result.n = n;
  std::vector<double> differences;
  for (std::size_t i = 0; i < n; ++i) differences.push_back(b[i] - a[i]);
  result.mean_difference = mean(differences);
  if (n < 2) return result;
  const double se = sample_sd(differences) / std::sqrt(static_cast<double>(n));
  if (!(se > 0)) return result;  // every pair differs by the same amount
  result.df = static_cast<double>(n - 1);
  result.t = result.mean_difference / se;
  result.p = two_sided_t_p(result.t, result.df);
  const double half = t_critical(result.df, level) * se;
  result.ci = {result.mean_difference - half, result.mean_difference + half};
  return result;
}

double mann_whitney_exact_cdf(std::size_t m, std::size_t n, std::int64_t u) {
  if (u < 0) return 0.0;
  const std::size_t max_u = m * n;
  if (static_cast<std::size_t>(u) >= max_u) return 1.0;
  // count[j][k]: orderings of i values of a and j of b whose U (for a) is k, built up
  // over i by count(i, j, k) = count(i - 1, j, k - j) + count(i, j - 1, k): the largest
  // value is either one of a's (beating all j of b's) or one of b's. Counts reach
  // C(100, 50) ~ 1e29: doubles keep the relative error near 1e-16, all terms positive.
  std::vector<std::vector<double>> previous(n + 1), current(n + 1);
  for (std::size_t j = 0; j <= n; ++j) previous[j] = {1.0};  // i = 0: one ordering, U = 0
  for (std::size_t i = 1; i <= m; ++i) {
    current[0] = {1.0};
    for (std::size_t j = 1; j <= n; ++j) {
      std::vector<double>& row = current[j];
      row.assign(i * j + 1, 0.0);
      for (std::size_t k = 0; k < previous[j].size(); ++k) row[k + j] += previous[j][k];
      for (std::size_t k = 0; k < current[j - 1].size(); ++k) row[k] += current[j - 1][k];
    }
    std::swap(previous, current);
  }
  const std::vector<double>& counts = previous[n];
  double total = 0;
  double below = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    total += counts[k];
    if (k <= static_cast<std::size_t>(u)) below += counts[k];
  }
  return below / total;
}

double mann_whitney_min_p(std::size_t m, std::size_t n) {
  if (m == 0 || n == 0) return 1.0;
  // 1 / C(m + n, m), as a product to stay in range.
  double inverse_choose = 1.0;
  for (std::size_t k = 1; k <= std::min(m, n); ++k) {
    inverse_choose *= static_cast<double>(k) / static_cast<double>(m + n - std::min(m, n) + k);
  }
  return std::min(1.0, 2.0 * inverse_choose);
}

MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  MannWhitneyResult result;
  if (a.empty() || b.empty()) return result;
  const std::size_t m = a.size();
  const std::size_t n = b.size();
  std::vector<double> pooled = a;
  pooled.insert(pooled.end(), b.begin(), b.end());
  std::vector<std::size_t> ties;
  const std::vector<double> ranks = mid_ranks(pooled, &ties);
  double rank_sum_a = 0;
  for (std::size_t i = 0; i < m; ++i) rank_sum_a += ranks[i];
  const double md = static_cast<double>(m);
  const double nd = static_cast<double>(n);
  result.u = rank_sum_a - md * (md + 1) / 2;
  // Two-sided: the larger of U and its mirror m n - U, as SciPy does.
  const double u_max = std::max(result.u, md * nd - result.u);
  const bool has_ties = ties.size() < pooled.size();

  if (!has_ties && m <= kMannWhitneyExactMax && n <= kMannWhitneyExactMax) {
    result.exact = true;
    // P(U >= u_max) = 1 - P(U <= u_max - 1); u_max is an integer without ties.
    const auto upper = static_cast<std::int64_t>(std::llround(u_max)) - 1;
    result.p = std::min(1.0, 2.0 * (1.0 - mann_whitney_exact_cdf(m, n, upper)));
    return result;
  }

  const double total = md + nd;
  double tie_term = 0;
  for (std::size_t t : ties) {
    const double td = static_cast<double>(t);
    tie_term += td * td * td - td;
  }
  const double variance = md * nd / 12.0 * ((total + 1) - tie_term / (total * (total - 1)));
  if (!(variance > 0)) {  // every value tied
    result.p = 1.0;
    return result;
  }
  const double z = (u_max - md * nd / 2.0 - 0.5) / std::sqrt(variance);
  const boost::math::normal standard;
  result.p = std::clamp(2.0 * boost::math::cdf(boost::math::complement(standard, z)), 0.0, 1.0);
  return result;
}

McNemarResult mcnemar_test(std::int64_t b, std::int64_t c) {
  McNemarResult result;
  result.b = b;
  result.c = c;
  const std::int64_t discordant = b + c;
  if (discordant == 0) {
    result.exact = true;
    result.p = 1.0;
    return result;
  }
  if (discordant < kMcNemarExactBelow) {
    result.exact = true;
    const boost::math::binomial distribution(static_cast<double>(discordant), 0.5);
    result.p = std::min(1.0, 2.0 * boost::math::cdf(distribution, static_cast<double>(std::min(b, c))));
    return result;
  }
  const double excess = std::fabs(static_cast<double>(b - c)) - 1.0;
  result.statistic = excess * excess / static_cast<double>(discordant);
  const boost::math::chi_squared distribution(1.0);
  result.p = boost::math::cdf(boost::math::complement(distribution, result.statistic));
  return result;
}

double mcnemar_min_p(std::int64_t discordant) {
  if (discordant <= 0) return 1.0;
  return std::min(1.0, 2.0 * std::pow(0.5, static_cast<double>(discordant)));
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!std::isnan(p[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return p[i] < p[j]; });
  std::vector<double> adjusted(p.size(), kNaN);
  const std::size_t m = order.size();
  double running = 0;  // the step-down maximum keeps the adjusted values in the raw order
  for (std::size_t rank = 0; rank < m; ++rank) {
    const double scaled = std::min(1.0, static_cast<double>(m - rank) * p[order[rank]]);
    running = std::max(running, scaled);
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

double t_test_power(double delta, double sd, std::size_t n_a, std::size_t n_b, double alpha) {
  if (n_a < 2 || n_b < 2 || !(sd > 0) || !std::isfinite(delta)) return kNaN;
  const double df = static_cast<double>(n_a + n_b - 2);
  const double critical = t_critical(df, 1.0 - alpha);
  const double nc =
      std::fabs(delta) / (sd * std::sqrt(1.0 / static_cast<double>(n_a) + 1.0 / static_cast<double>(n_b)));
  if (nc == 0) return alpha;
  const boost::math::non_central_t distribution(df, nc);
  return boost::math::cdf(boost::math::complement(distribution, critical)) + boost::math::cdf(distribution, -critical);
}

std::size_t seeds_for_power(double delta, double sd, double alpha, double power) {
  if (!(sd > 0) || !(std::fabs(delta) > 0)) return 0;
  // Power grows with n: double to bracket, then bisect to the first n that reaches it.
  std::size_t high = 2;
  while (t_test_power(delta, sd, high, high, alpha) < power) {
    if (high >= kMaxSeedsSearched) return 0;
    high = std::min(high * 2, kMaxSeedsSearched);
  }
  std::size_t low = high / 2 < 2 ? 1 : high / 2;  // power(low) < target, or low = 1
  while (high - low > 1) {
    const std::size_t middle = low + (high - low) / 2;
    if (t_test_power(delta, sd, middle, middle, alpha) >= power) {
      high = middle;
    } else {
      low = middle;
    }
  }
  return high;
}

double minimum_detectable_difference(double sd, std::size_t n_a, std::size_t n_b, double alpha, double power) {
  if (n_a < 2 || n_b < 2 || !(sd > 0)) return kNaN;
  double low = 0;
  double high = sd;
  while (t_test_power(high, sd, n_a, n_b, alpha) < power) high *= 2;
  while ((high - low) > 1e-12 * high) {
    const double middle = (low + high) / 2;
    if (t_test_power(middle, sd, n_a, n_b, alpha) >= power) {
      high = middle;
    } else {
      low = middle;
    }
  }
  return high;
}

double pooled_sd(const Summary& a, const Summary& b) {
  if (a.n < 2 || b.n < 2) return kNaN;
  const double na = static_cast<double>(a.n);
  const double nb = static_cast<double>(b.n);
  return std::sqrt(((na - 1) * a.sd * a.sd + (nb - 1) * b.sd * b.sd) / (na + nb - 2));
}

}  // namespace ablate::report
