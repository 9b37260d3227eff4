// The result of `report --compare A B`: per resolution, the metric of A and B across seeds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "statistics.hpp"
#include "store.hpp"

namespace ablate::report {

struct ComparisonRow {
  std::int64_t resolution = 0;
  Summary a;
  Summary b;
  double difference = 0;  // mean of B minus mean of A; NaN when either arm has no value
};

struct Comparison {
  std::string store_path;
  std::string metric;  // what is compared, for titles: "test accuracy"
  std::string arm_a;
  std::string arm_b;
  std::vector<ComparisonRow> rows;  // by resolution, ascending
};

// Compares the test accuracy of finished runs of arms `a` and `b` from `runs`, over every
// resolution either arm has (at any status, so that a resolution whose runs all failed
// shows up with n = 0 rather than vanishing). Throws UsageError for an arm with no runs,
// listing the arms there are.
Comparison compare_arms(const std::string& store_path, const std::vector<db::RunRow>& runs,
                        const std::string& a, const std::string& b);

}  // namespace ablate::report
