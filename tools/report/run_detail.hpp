// `report show RUN`: everything the store holds about one run, as plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store.hpp"
#include "store_queries.hpp"

namespace ablate::report {

struct RunDetail {
  std::string store_path;
  std::int64_t id = 0;
  std::vector<Field> fields;                              // every column of `runs` but the long JSON ones below
  std::vector<std::pair<std::string, std::string>> tags;  // key, value; by key
  std::string config_json;                                // canonical configuration, as stored
  std::vector<db::EpochRow> epochs;                       // the learning curve
  std::vector<db::MetricRow> metrics;
  std::vector<db::MatrixRow> matrices;
  std::vector<std::string> class_names;  // empty when the store has none (migration 0005)
};

// "f1/3" -> "f1/3 (cat)" when class 3 has a name; any other metric name unchanged.
std::string metric_with_class(const std::string& metric, const std::vector<std::string>& class_names);

// The columns that are printed as their own sections rather than as fields.
inline constexpr const char* kConfigColumn = "config_json";
inline constexpr const char* kLayerSummaryColumn = "layer_summary";

// Reads run `spec` (an id, or a config-hash prefix).
RunDetail read_run_detail(const StoreReader& store, const std::string& spec);

}  // namespace ablate::report
