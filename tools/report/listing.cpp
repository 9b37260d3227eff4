// Builds the run listing from the store.
#include "listing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "usage_error.hpp"

namespace ablate::report {

std::vector<std::string> arms_in(const db::Store& store) {
  std::set<std::string> arms;
  for (const auto& run : store.list_runs()) arms.insert(run.arm);
  return {arms.begin(), arms.end()};
}

RunListing list_runs(const db::Store& store, const db::RunFilter& filter) {
  RunListing listing;
  listing.store_path = store.path();
  listing.filter = filter;
  const std::vector<std::string> arms = arms_in(store);
  listing.store_empty = arms.empty();
  if (listing.store_empty) return listing;
  if (filter.arm && std::find(arms.begin(), arms.end(), *filter.arm) == arms.end()) {
    throw UsageError(fmt::format("unknown arm '{}' in {}: the arms are {}", *filter.arm,
                                 store.path(), fmt::join(arms, ", ")));
  }
  listing.runs = store.list_runs(filter);
  return listing;
}

std::string describe(const db::RunFilter& filter) {
  std::string text;
  if (filter.arm) text += fmt::format("arm={}", *filter.arm);
  if (filter.status) {
    if (!text.empty()) text += ", ";
    text += fmt::format("status={}", db::to_string(*filter.status));
  }
  return text;
}

}  // namespace ablate::report
