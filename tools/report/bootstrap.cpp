// The two-level bootstrap and the probability of improvement.
#include "bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace ablate::report {

namespace {

// An index in [0, n), unbiased, by Lemire's multiply-and-shift ("Fast random integer
// generation in an interval", 2019): the high half of x * n, redrawing the rare x whose low
// half falls below 2^64 mod n. No division on the common path: the bootstrap draws
// millions of indices.
std::size_t draw_index(std::mt19937_64& generator, std::size_t n) {
  __extension__ using Wide = unsigned __int128;  // GCC and Clang; __extension__ keeps -Wpedantic quiet
  const std::uint64_t range = n;
  Wide product = static_cast<Wide>(generator()) * range;
  auto low = static_cast<std::uint64_t>(product);
  if (low < range) {
    const std::uint64_t threshold = (0 - range) % range;
    while (low < threshold) {
      product = static_cast<Wide>(generator()) * range;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::size_t>(product >> 64);
}

// Bits set in x (SWAR): the compiler's builtin calls into libgcc without -mpopcnt, which
// a portable build cannot assume.
std::uint64_t bit_count(std::uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return (x * 0x0101010101010101ULL) >> 56;
}

bool same_items(const std::vector<BootstrapRun>& a, const std::vector<BootstrapRun>& b) {
  if (a.empty() || b.empty()) return false;
  const std::size_t items = a.front().correct.size();
  if (items == 0) return false;
  for (const auto* runs : {&a, &b}) {
    for (const auto& run : *runs) {
      if (run.correct.size() != items) return false;
    }
  }
  return true;
}

// A run's correctness as 64 items per word, with its stored value and its count of right
// items on the whole test set.
struct PackedRun {
  std::vector<std::uint64_t> words;
  double value = 0;
  std::uint64_t right = 0;
};

PackedRun pack(const BootstrapRun& run) {
  PackedRun packed;
  packed.value = run.value;
  packed.words.assign((run.correct.size() + 63) / 64, 0);
  for (std::size_t i = 0; i < run.correct.size(); ++i) {
    if (run.correct[i] != 0) {
      packed.words[i / 64] |= std::uint64_t{1} << (i % 64);
      ++packed.right;
    }
  }
  return packed;
}

// One draw of n test items with replacement, held as bit planes of each item's
// multiplicity w: plane k has bit i set when bit k of w_i is. Then a run's right items in
// the draw, sum of w_i c_i, is sum over k of 2^k popcount(c & plane k): a few popcounts per
// 64 items instead of 64 multiply-adds, which keeps 10,000 seeds x 2,000 replicates fast.
class ItemDraw {
 public:
  explicit ItemDraw(std::size_t items) : items_(items), multiplicity_(items), words_((items + 63) / 64) {}

  void redraw(std::mt19937_64& generator) {
    std::fill(multiplicity_.begin(), multiplicity_.end(), 0U);
    std::uint32_t most = 0;
    for (std::size_t i = 0; i < items_; ++i) most = std::max(most, ++multiplicity_[draw_index(generator, items_)]);
    std::size_t planes = 0;
    while ((most >> planes) != 0) ++planes;
    planes_.assign(planes, std::vector<std::uint64_t>(words_, 0));
    for (std::size_t i = 0; i < items_; ++i) {
      for (std::size_t k = 0; k < planes; ++k) {
        if (((multiplicity_[i] >> k) & 1U) != 0) planes_[k][i / 64] |= std::uint64_t{1} << (i % 64);
      }
    }
  }

  // The run's stored value shifted by the change this draw makes to its accuracy.
  double shifted(const PackedRun& run) const {
    std::uint64_t right = 0;
    for (std::size_t k = 0; k < planes_.size(); ++k) {
      std::uint64_t count = 0;
      for (std::size_t w = 0; w < words_; ++w) {
        count += bit_count(run.words[w] & planes_[k][w]);
      }
      right += count << k;
    }
    return run.value + (static_cast<double>(right) - static_cast<double>(run.right)) / static_cast<double>(items_);
  }

 private:
  std::size_t items_;
  std::vector<std::uint32_t> multiplicity_;
  std::size_t words_;
  std::vector<std::vector<std::uint64_t>> planes_;
};

// P(B better) for resampled seeds without sorting each replicate: every value gets its
// rank among the distinct values of both arms once; a replicate then counts the drawn A
// values per rank, and each drawn B value reads the A values below, equal and above it
// from running sums. O(n_a + n_b) per replicate instead of O(n log n).
class SeedPairCounter {
 public:
  SeedPairCounter(const std::vector<double>& a, const std::vector<double>& b, bool higher) : higher_(higher) {
    std::vector<double> distinct = a;
    distinct.insert(distinct.end(), b.begin(), b.end());
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    const auto rank = [&](double value) {
      return static_cast<std::size_t>(std::lower_bound(distinct.begin(), distinct.end(), value) - distinct.begin());
    };
    for (const double value : a) rank_a_.push_back(rank(value));
    for (const double value : b) rank_b_.push_back(rank(value));
    count_.resize(distinct.size());
    below_.resize(distinct.size());
  }

  double probability(const std::vector<std::size_t>& seeds_a, const std::vector<std::size_t>& seeds_b) {
    std::fill(count_.begin(), count_.end(), 0.0);
    for (const std::size_t i : seeds_a) count_[rank_a_[i]] += 1;
    double running = 0;
    for (std::size_t r = 0; r < count_.size(); ++r) {
      below_[r] = running;
      running += count_[r];
    }
    double wins = 0;
    for (const std::size_t j : seeds_b) {
      const std::size_t r = rank_b_[j];
      const double beaten = higher_ ? below_[r] : running - below_[r] - count_[r];
      wins += beaten + count_[r] / 2.0;
    }
    return wins / (static_cast<double>(seeds_a.size()) * static_cast<double>(seeds_b.size()));
  }

 private:
  bool higher_;
  std::vector<std::size_t> rank_a_, rank_b_;
  std::vector<double> count_, below_;
};

}  // namespace

double probability_of_improvement(const std::vector<double>& a, const std::vector<double>& b, bool higher) {
  if (a.empty() || b.empty()) return kNaN;
  // For each b, the a values it beats and ties, by binary search in sorted a.
  std::vector<double> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  double wins = 0;
  for (const double value : b) {
    const auto low = std::lower_bound(sorted.begin(), sorted.end(), value);
    const auto high = std::upper_bound(sorted.begin(), sorted.end(), value);
    const auto below = static_cast<double>(low - sorted.begin());
    const auto ties = static_cast<double>(high - low);
    const auto above = static_cast<double>(sorted.end() - high);
    wins += (higher ? below : above) + ties / 2.0;
  }
  return wins / (static_cast<double>(a.size()) * static_cast<double>(b.size()));
}

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

BootstrapResult two_level_bootstrap(const std::vector<BootstrapRun>& a, const std::vector<BootstrapRun>& b, bool higher,
                                    std::size_t replicates, std::uint64_t seed, double level) {
  BootstrapResult result;
  result.replicates = replicates;
  result.seed = seed;
  result.level = level;
  if (a.empty() || b.empty()) return result;
  std::vector<double> values_a, values_b;
  for (const auto& run : a) values_a.push_back(run.value);
  for (const auto& run : b) values_b.push_back(run.value);
  result.probability = probability_of_improvement(values_a, values_b, higher);
  result.items = same_items(a, b);
  if (replicates == 0) return result;

  std::mt19937_64 generator(seed);
  const std::size_t items = result.items ? a.front().correct.size() : 0;
  std::vector<PackedRun> packed_a, packed_b;
  if (result.items) {
    for (const auto& run : a) packed_a.push_back(pack(run));
    for (const auto& run : b) packed_b.push_back(pack(run));
  }
  ItemDraw draw(items);
  SeedPairCounter pairs(values_a, values_b, higher);
  std::vector<double> shifted_a = values_a, shifted_b = values_b;
  std::vector<std::size_t> seeds_a(a.size()), seeds_b(b.size());
  std::vector<double> drawn_a(a.size()), drawn_b(b.size());
  std::vector<double> differences, probabilities;
  differences.reserve(replicates);
  probabilities.reserve(replicates);
  for (std::size_t replicate = 0; replicate < replicates; ++replicate) {
    if (result.items) {
      draw.redraw(generator);
      for (std::size_t r = 0; r < a.size(); ++r) shifted_a[r] = draw.shifted(packed_a[r]);
      for (std::size_t r = 0; r < b.size(); ++r) shifted_b[r] = draw.shifted(packed_b[r]);
    }
    for (auto& index : seeds_a) index = draw_index(generator, a.size());
    for (auto& index : seeds_b) index = draw_index(generator, b.size());
    for (std::size_t i = 0; i < seeds_a.size(); ++i) drawn_a[i] = shifted_a[seeds_a[i]];
    for (std::size_t i = 0; i < seeds_b.size(); ++i) drawn_b[i] = shifted_b[seeds_b[i]];
    differences.push_back(mean(drawn_b) - mean(drawn_a));
    // P(B better) is about seed pairs on this test set: its replicates resample the seeds
    // only (as rliable does). Test-set noise would pull a rank statistic towards 0.5 and
    // leave the interval off its own point estimate; it belongs to the difference.
    probabilities.push_back(pairs.probability(seeds_a, seeds_b));
  }
  std::sort(differences.begin(), differences.end());
  std::sort(probabilities.begin(), probabilities.end());
  const double tail = (1.0 - level) / 2.0;
  result.difference = {quantile_sorted(differences, tail), quantile_sorted(differences, 1.0 - tail)};
  result.probability_interval = {quantile_sorted(probabilities, tail), quantile_sorted(probabilities, 1.0 - tail)};
  return result;
}

}  // namespace ablate::report
