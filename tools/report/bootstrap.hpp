// The two-level bootstrap of `report --compare`: both sources of variance at once.
//
// A difference between two arms varies with the training seed (initialisation, data
// order, ...) and with the test set (another sample of test items would score
// differently). Each replicate resamples both (Bouthillier et al., MLSys 2021; the
// stratified bootstrap of Agarwal et al.'s rliable, NeurIPS 2021):
//   1. the test items, n of n with replacement, one draw shared by every run, because
//      every run was scored on the same test set (drawing per seed would let test-set
//      noise average out over seeds and make the interval too narrow);
//   2. the seeds of each arm separately (stratified), n of n with replacement.
// A run's value in a replicate is its stored value shifted by the change the item draw
// makes to its accuracy, so that replicates centre on the stored numbers. Without
// per-item correctness (metrics other than accuracy, or no stored predictions) only the
// seeds are resampled, and the result says so. P(B better) is a statement about seed
// pairs on this test set: its interval comes from the same seed draws, on the stored
// values (rliable's stratified bootstrap), so that it always holds its point estimate.
//
// The generator is std::mt19937_64, fully specified by the C++ standard, with an index
// draw written here (not std::uniform_int_distribution, whose algorithm each standard
// library chooses): the same seed gives the same interval on every platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "statistics.hpp"

namespace ablate::report {

inline constexpr std::size_t kDefaultBootstrapReplicates = 2000;
inline constexpr std::uint64_t kDefaultBootstrapSeed = 0;

// One finished run: its stored value and, when known, whether it got each test item right
// (items in the same order for every run).
struct BootstrapRun {
  double value = 0;
  std::vector<std::uint8_t> correct;
};

struct BootstrapResult {
  std::size_t replicates = 0;
  std::uint64_t seed = 0;
  bool items = false;  // the test items were resampled too
  double level = 0.95;
  Interval difference;            // of mean(B) - mean(A), percentile interval
  double probability = kNaN;      // P(B better than A) over seed pairs, from the stored values
  Interval probability_interval;  // its percentile interval
};

// P(B better than A): the share of (a, b) pairs with b better than a, ties counting one
// half, where better is higher when `higher_is_better`, else lower. For higher it is
// 1 - U / (m n), U = scipy.stats.mannwhitneyu(a, b).statistic. NaN for an empty arm.
double probability_of_improvement(const std::vector<double>& a, const std::vector<double>& b, bool higher_is_better);

// Runs the bootstrap. Items are resampled when every run of both arms has the same
// non-zero number of correctness flags. Undefined (NaN) for an empty arm.
BootstrapResult two_level_bootstrap(const std::vector<BootstrapRun>& a, const std::vector<BootstrapRun>& b,
                                    bool higher_is_better, std::size_t replicates, std::uint64_t seed,
                                    double level = 0.95);

// The q-quantile of sorted values, linear between order statistics (NumPy's default).
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace ablate::report
