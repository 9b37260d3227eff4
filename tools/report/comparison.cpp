// Groups runs by arm and resolution and summarises the test accuracy across seeds.
#include "comparison.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "usage_error.hpp"

namespace ablate::report {

Comparison compare_arms(const std::string& store_path, const std::vector<db::RunRow>& runs,
                        const std::string& a, const std::string& b) {
  std::set<std::string> arms;
  for (const auto& run : runs) arms.insert(run.arm);
  for (const std::string& arm : {a, b}) {
    if (arms.count(arm) == 0) {
      if (arms.empty()) {
        throw UsageError(fmt::format("unknown arm '{}': {} has no runs yet", arm, store_path));
      }
      throw UsageError(fmt::format("unknown arm '{}' in {}: the arms are {}", arm, store_path,
                                   fmt::join(arms, ", ")));
    }
  }

  // resolution -> values of A and B; std::map keeps resolutions ascending.
  std::map<std::int64_t, std::pair<std::vector<double>, std::vector<double>>> groups;
  for (const auto& run : runs) {
    if (run.arm != a && run.arm != b) continue;
    auto& group = groups[run.resolution];
    if (run.status != db::RunStatus::finished || !run.test_accuracy) continue;
    // Comparing an arm with itself puts the same values on both sides.
    if (run.arm == a) group.first.push_back(*run.test_accuracy);
    if (run.arm == b) group.second.push_back(*run.test_accuracy);
  }

  Comparison comparison;
  comparison.store_path = store_path;
  comparison.metric = "test accuracy";
  comparison.arm_a = a;
  comparison.arm_b = b;
  for (const auto& [resolution, values] : groups) {
    ComparisonRow row;
    row.resolution = resolution;
    row.a = summarize(values.first);
    row.b = summarize(values.second);
    row.difference = row.b.mean - row.a.mean;  // NaN propagates when either is empty
    comparison.rows.push_back(row);
  }
  return comparison;
}

}  // namespace ablate::report
