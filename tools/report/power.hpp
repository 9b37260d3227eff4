// `report power A B`: how many seeds a comparison needs, from the spread it has.
//
// For each row of the comparison (metric, configuration, resolution): the pooled per-seed
// sd of the two arms, the power the current seeds have against the observed difference,
// the seeds per arm that reach the target power for the observed difference and for each
// --delta asked, and the smallest difference the current seeds detect with that power.
// All for the two-sided two-sample t test (statistics.hpp: t_test_power), the test the
// headline Welch p approximates; the sd is an estimate from few seeds, so the answers are
// estimates too (docs/report.md).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "comparison.hpp"

namespace ablate::report {

struct PowerRow {
  std::string metric;
  std::int64_t resolution = 0;
  std::string group_a;
  std::string group_b;
  std::size_t n_a = 0;
  std::size_t n_b = 0;
  double sd = kNaN;                          // pooled per-seed sd
  double difference = kNaN;                  // observed mean(B) - mean(A)
  double power_observed = kNaN;              // with n_a and n_b seeds, against |difference|
  std::size_t seeds_for_observed = 0;        // per arm; 0: undefined or above kMaxSeedsSearched
  double minimum_detectable = kNaN;          // with n_a and n_b seeds
  std::vector<std::size_t> seeds_for_delta;  // per --delta, as seeds_for_observed
};

struct PowerReport {
  std::string store_path;
  std::string arm_a;
  std::string arm_b;
  double alpha = 0.05;
  double power = 0.8;
  std::vector<double> deltas;
  std::vector<PowerRow> rows;
};

// Pure: from a comparison's summaries.
PowerReport power_analysis(const Comparison& comparison, const std::vector<double>& deltas, double alpha, double power);

}  // namespace ablate::report
