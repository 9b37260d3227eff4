// The HTML page's run browser: a sortable table of every run, a section per run with its
// configuration, learning curves and confusion matrix, and a side-by-side diff of any two
// runs ticked in the table. Read once into plain data (read_run_browser), rendered as
// HTML with a small inline script and the runs' configurations as inline JSON
// (render_run_browser); nothing is fetched, so the page still works offline.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config_groups.hpp"
#include "store.hpp"
#include "store_queries.hpp"

namespace ablate::report {

struct BrowserRun {
  db::RunRow row;                         // id, status, arm, seed, error ...
  Settings settings;                      // the configuration, flattened (config_diff.hpp compares these)
  std::string config_json;                // indented for reading
  std::string output_tail;                // what a crashed run printed last; "" if none
  std::map<std::string, double> metrics;  // SPLIT.NAME -> value
  std::vector<db::EpochRow> epochs;
  std::optional<db::MatrixRow> confusion;  // the test confusion matrix
  std::vector<std::string> class_names;    // empty: classes read as indices
};

struct RunBrowser {
  std::vector<std::string> varying_keys;  // configuration keys whose value is not the same in every run
  std::vector<std::string> metrics;       // the metric columns: SPLIT.NAME, the headline ones
  std::vector<BrowserRun> runs;           // in the listing's order
};

// The runs matching `query`, any status; `metrics` (the page's --metric) lead the metric
// columns.
RunBrowser read_run_browser(const StoreReader& store, const RunQuery& query, const std::vector<MetricKey>& metrics);

// The keys among `settings` whose values differ between some two of them (an absent key
// reads kDefaultValue), without "seed" and "arm", which have their own columns. Pure.
std::vector<std::string> varying_keys(const std::vector<Settings>& settings);

// The "Runs" section: the diff panel, the table, the per-run sections, the data and the
// script.
std::string render_run_browser(const RunBrowser& browser);

}  // namespace ablate::report
