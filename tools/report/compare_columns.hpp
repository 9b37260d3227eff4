// `report --compare A B --columns LIST`: the compare columns a reader chooses, in the
// order given, as one table; `compact` is a preset that fits one column of a two-column
// paper. Every column of the standard compare tables has a name here.
#pragma once

#include <string>
#include <vector>

#include "comparison.hpp"
#include "table.hpp"

namespace ablate::report {

struct CompareColumnInfo {
  const char* name;
  const char* meaning;  // for --help and docs/report.md
};

// Every column --columns accepts, in the order of the standard tables.
const std::vector<CompareColumnInfo>& compare_column_infos();

// The preset --columns compact: the lead columns (metric, resolution, configuration) that
// differ between rows, then a, b and bootstrap_ci, at three decimals, set \small in
// LaTeX: 0.911 ± 0.005 | 0.931 ± 0.003 | [−0.069, +0.108] fits \columnwidth.
inline constexpr const char* kCompactColumns = "compact";

// "a,b,difference" -> {"a", "b", "difference"}; "compact" stays one word. UsageError for
// an unknown or repeated name (suggesting the nearest) or an empty list.
std::vector<std::string> parse_compare_columns(const std::string& list);

// One table of `columns` (parse_compare_columns' names) with a caption that defines them,
// labelled `label` (default tab:compare-A-B), then the comparison's warnings.
Document compare_columns_document(const Comparison& comparison, const std::vector<std::string>& columns,
                                  const std::string& label);

}  // namespace ablate::report
