// Builds the run listing from the store.
#include "listing.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cli_suggest.hpp"
#include "config_groups.hpp"
#include "usage_error.hpp"
#include "where.hpp"

namespace ablate::report {

namespace {

void check_known(const std::string& what, const std::string& value, const std::vector<std::string>& known,
                 const std::string& path) {
  if (std::find(known.begin(), known.end(), value) != known.end()) return;
  if (known.empty()) {
    throw UsageError(fmt::format("unknown {} '{}' in {}: the {}s are (none)", what, value, path, what));
  }
  throw UsageError(unknown_name(what, value, known, path, what == "arm" ? "arms" : ""));
}

}  // namespace

RunQuery make_query(const StoreReader& store, const ListFilter& filter) {
  RunQuery query;
  const bool any_runs = !store.empty();
  if (filter.arm) {
    if (any_runs) check_known("arm", *filter.arm, store.arms(), store.path());
    query.arms = {*filter.arm};
  }
  if (filter.dataset) {
    if (any_runs) check_known("dataset", *filter.dataset, store.datasets(), store.path());
    query.dataset = filter.dataset;
  }
  if (filter.grid) {
    if (any_runs) check_known("grid", *filter.grid, store.grids(), store.path());
    query.grid = filter.grid;
  }
  query.resolution = filter.resolution;
  query.status = filter.status;
  query.archived = filter.archived;
  if (filter.where) {
    query.where = compile_where(*filter.where, store.metrics(), config_keys(store.config_jsons()), store.tag_keys());
  }
  return query;
}

RunListing list_runs(const StoreReader& store, const ListFilter& filter) {
  RunListing listing;
  listing.store_path = store.path();
  listing.filter = filter;
  const RunQuery query = make_query(store, filter);
  listing.store_empty = store.empty();
  if (listing.store_empty) return listing;
  listing.runs = store.list_runs(query);
  if (query.archived == ArchivedRuns::excluded) {
    RunQuery archived = query;
    archived.archived = ArchivedRuns::only;
    listing.archived_not_listed = store.count_runs(archived);
  }
  return listing;
}

std::string describe(const ListFilter& filter) {
  std::vector<std::string> parts;
  if (filter.arm) parts.push_back(fmt::format("arm={}", *filter.arm));
  if (filter.dataset) parts.push_back(fmt::format("dataset={}", *filter.dataset));
  if (filter.resolution) parts.push_back(fmt::format("resolution={}", *filter.resolution));
  if (filter.status) parts.push_back(fmt::format("status={}", db::to_string(*filter.status)));
  if (filter.grid) parts.push_back(fmt::format("grid={}", *filter.grid));
  if (filter.where) parts.push_back(fmt::format("where {}", *filter.where));
  if (filter.archived == ArchivedRuns::only) parts.emplace_back("archived");
  if (filter.archived == ArchivedRuns::included) parts.emplace_back("archived too");
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace ablate::report
