// The result of `report` without --compare: the runs to list, as plain data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store.hpp"

namespace ablate::report {

struct RunListing {
  std::string store_path;
  db::RunFilter filter;
  bool store_empty = false;  // no runs at all, before filtering
  std::vector<db::RunRow> runs;
};

// Reads the runs matching `filter`. An --arm the store has never seen is a UsageError
// listing the arms it has: far more likely a typo than a question.
RunListing list_runs(const db::Store& store, const db::RunFilter& filter);

// The distinct arms of the store, sorted.
std::vector<std::string> arms_in(const db::Store& store);

// "arm=a, status=failed", or "" for no filter.
std::string describe(const db::RunFilter& filter);

}  // namespace ablate::report
