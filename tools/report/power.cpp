// The rows of `report power`.
#include "power.hpp"

#include <cmath>

namespace ablate::report {

PowerReport power_analysis(const Comparison& comparison, const std::vector<double>& deltas, double alpha,
                           double power) {
  PowerReport report;
  report.store_path = comparison.store_path;
  report.arm_a = comparison.arm_a;
  report.arm_b = comparison.arm_b;
  report.alpha = alpha;
  report.power = power;
  report.deltas = deltas;
  for (const auto& row : comparison.rows) {
    PowerRow out;
    out.metric = row.metric;
    out.resolution = row.resolution;
    out.group_a = row.group_a;
    out.group_b = row.group_b;
    out.n_a = row.a.n;
    out.n_b = row.b.n;
    out.sd = pooled_sd(row.a, row.b);
    out.difference = row.welch.difference;
    out.power_observed = t_test_power(out.difference, out.sd, out.n_a, out.n_b, alpha);
    out.seeds_for_observed = seeds_for_power(out.difference, out.sd, alpha, power);
    out.minimum_detectable = minimum_detectable_difference(out.sd, out.n_a, out.n_b, alpha, power);
    for (const double delta : deltas) out.seeds_for_delta.push_back(seeds_for_power(delta, out.sd, alpha, power));
    report.rows.push_back(std::move(out));
  }
  return report;
}

}  // namespace ablate::report
