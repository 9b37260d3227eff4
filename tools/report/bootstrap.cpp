// The two-level bootstrap and the probability of improvement.
#include "bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace ablate::report {

namespace {

// An index in [0, n), unbiased: draws above the largest multiple of n are redrawn.
std::size_t draw_index(std::mt19937_64& generator, std::size_t n) {
  const std::uint64_t range = n;
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % range;
  std::uint64_t value = generator();
  while (value >= limit) value = generator();
  return static_cast<std::size_t>(value % range);
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

std::size_t count_right(const std::vector<std::uint8_t>& correct) {
  std::size_t right = 0;
  for (const auto flag : correct) right += flag;
  return right;
}

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
  if (a.empty() || b.empty() || replicates == 0) return result;
  std::vector<double> values_a, values_b;
  for (const auto& run : a) values_a.push_back(run.value);
  for (const auto& run : b) values_b.push_back(run.value);
  result.probability = probability_of_improvement(values_a, values_b, higher);
  result.items = same_items(a, b);

  std::mt19937_64 generator(seed);
  const std::size_t items = result.items ? a.front().correct.size() : 0;
  // Each run's count of right items on the full test set, to shift its stored value by.
  std::vector<double> full_a, full_b;
  for (const auto& run : a) full_a.push_back(static_cast<double>(count_right(run.correct)));
  for (const auto& run : b) full_b.push_back(static_cast<double>(count_right(run.correct)));

  std::vector<std::uint32_t> multiplicity(items);
  std::vector<double> shifted_a(a.size()), shifted_b(b.size());
  std::vector<double> drawn_a(a.size()), drawn_b(b.size());
  std::vector<double> differences, probabilities;
  differences.reserve(replicates);
  probabilities.reserve(replicates);
  for (std::size_t replicate = 0; replicate < replicates; ++replicate) {
    if (result.items) {
      std::fill(multiplicity.begin(), multiplicity.end(), 0U);
      for (std::size_t i = 0; i < items; ++i) ++multiplicity[draw_index(generator, items)];
      const auto shift = [&](const BootstrapRun& run, double full) {
        std::uint64_t right = 0;
        for (std::size_t i = 0; i < items; ++i) right += run.correct[i] * multiplicity[i];
        return run.value + (static_cast<double>(right) - full) / static_cast<double>(items);
      };
      for (std::size_t r = 0; r < a.size(); ++r) shifted_a[r] = shift(a[r], full_a[r]);
      for (std::size_t r = 0; r < b.size(); ++r) shifted_b[r] = shift(b[r], full_b[r]);
    } else {
      shifted_a = values_a;
      shifted_b = values_b;
    }
    for (auto& value : drawn_a) value = shifted_a[draw_index(generator, a.size())];
    for (auto& value : drawn_b) value = shifted_b[draw_index(generator, b.size())];
    differences.push_back(mean(drawn_b) - mean(drawn_a));
    probabilities.push_back(probability_of_improvement(drawn_a, drawn_b, higher));
  }
  std::sort(differences.begin(), differences.end());
  std::sort(probabilities.begin(), probabilities.end());
  const double tail = (1.0 - level) / 2.0;
  result.difference = {quantile_sorted(differences, tail), quantile_sorted(differences, 1.0 - tail)};
  result.probability_interval = {quantile_sorted(probabilities, tail), quantile_sorted(probabilities, 1.0 - tail)};
  return result;
}

}  // namespace ablate::report
