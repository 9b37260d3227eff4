// Mean and sample sd, two-pass so that values close together lose no precision.
#include "statistics.hpp"

#include <cmath>

namespace ablate::report {

double mean(const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

double sample_sd(const std::vector<double>& values) {
  if (values.size() < 2) return std::numeric_limits<double>::quiet_NaN();
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

}  // namespace ablate::report
