// Statistics over seeds: small pure functions, tested with literal values.
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

namespace ablate::report {

// Arithmetic mean; NaN for no values.
double mean(const std::vector<double>& values);

// Sample standard deviation (divides by n - 1). Undefined, so NaN, for fewer than two
// values: one seed says nothing about the spread across seeds.
double sample_sd(const std::vector<double>& values);

struct Summary {
  std::size_t n = 0;
  double mean = std::numeric_limits<double>::quiet_NaN();
  double sd = std::numeric_limits<double>::quiet_NaN();
};

Summary summarize(const std::vector<double>& values);

}  // namespace ablate::report
