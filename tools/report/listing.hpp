// The result of `report` without a subcommand: the runs to list, as plain data.
#pragma once

#include <string>
#include <vector>

#include "store.hpp"
#include "store_queries.hpp"

namespace ablate::report {

// The filters as the command line gave them; `where` is the raw --where text.
struct ListFilter {
  std::optional<std::string> arm;
  std::optional<std::string> dataset;
  std::optional<std::int64_t> resolution;
  std::optional<db::RunStatus> status;
  std::optional<std::string> grid;
  std::optional<std::string> where;
  ArchivedRuns archived = ArchivedRuns::excluded;  // --archived: only; --all: included
};

struct RunListing {
  std::string store_path;
  ListFilter filter;
  bool store_empty = false;  // no runs at all, before filtering
  std::vector<db::RunRow> runs;
  std::int64_t archived_not_listed = 0;  // archived runs the filter would match, hidden
};

// Checks the filters against the store (an --arm, --dataset or --grid it has never seen
// is a UsageError listing what it has: far more likely a typo than a question) and turns
// them into a query; compiles --where.
RunQuery make_query(const StoreReader& store, const ListFilter& filter);

// Reads the runs matching `filter`.
RunListing list_runs(const StoreReader& store, const ListFilter& filter);

// "arm=a, status=failed", or "" for no filter.
std::string describe(const ListFilter& filter);

}  // namespace ablate::report
