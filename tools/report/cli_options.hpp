// The options several `report` commands share (--db, --format, the filters, --metric ...),
// declared once here, and what their values become.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "comparison.hpp"
#include "listing.hpp"
#include "reporter.hpp"
#include "store_queries.hpp"

namespace ablate::report {

// What an option's value or a positional argument is: its type_name, shown by --help and
// read by `report __complete` to complete it. A fixed set of choices is written "a|b|c"
// (choices()), possibly with one of these among them ("resolution|dataset|model|KEY").
inline constexpr const char* kStoreValue = "STORE";      // a run store: *.db files
inline constexpr const char* kFileValue = "FILE";        // any file
inline constexpr const char* kArmValue = "ARM";          // an arm of the store
inline constexpr const char* kMetricValue = "METRIC";    // a SPLIT.NAME the store has
inline constexpr const char* kRunValue = "RUN";          // a run id of the store (or a config-hash prefix)
inline constexpr const char* kKeyValue = "KEY";          // a configuration key of the store
inline constexpr const char* kDatasetValue = "DATASET";  // a data set of the store
inline constexpr const char* kGridValue = "GRID";        // a grid (experiment name) of the store
inline constexpr const char* kTextValue = "TEXT";        // anything: nothing to complete
inline constexpr const char* kNumberValue = "NUMBER";

// "a|b|c": the type_name of an option that takes one of `names`.
std::string choices(const std::vector<std::string>& names);

// An option taking one value of type T (std::string, std::int64_t, double ...), or every
// value after it when T is a std::vector (`--metric a b`, repeatable). A value that is
// not a T is refused while parsing, before any store is opened.
template <typename T>
CLI::Option* add_value(CLI::App& command, const std::string& name, const std::string& description,
                       const std::string& type_name) {
  CLI::Option* option = command.add_option_function<T>(
      name, [](const T&) {}, description);
  option->type_name(type_name);
  return option;
}

void add_db(CLI::App& command);
void add_format(CLI::App& command);        // every reporter format
void add_chart_format(CLI::App& command);  // curves and confusion: table, csv, json
void add_metric(CLI::App& command);
void add_bootstrap(CLI::App& command);
// --dataset --resolution --grid --where --archived --all, and --arm and --status when
// asked for.
void add_filters(CLI::App& command, bool with_arm, bool with_status);
// For papers and scripts: --columns (compare only), --label (latex), --per-seed (csv).
void add_export(CLI::App& command, bool with_columns);
// Whether a command that has them was given --columns, --label or --per-seed.
bool has_export(const Values& values);

ListFilter filter_from(const Values& values);
std::vector<MetricKey> metrics_from(const Values& values);  // test.accuracy when none given
// UsageError naming the nearest metric for one `store` does not have.
void check_metrics(const StoreReader& store, const std::vector<MetricKey>& metrics);
CompareOptions compare_options_from(const Values& values);
// Before opening the store, so that a typo in --format or --columns is reported first.
// Reads add_export's options where the command has them.
std::unique_ptr<Reporter> reporter_from(const Values& values);
std::unique_ptr<Reporter> chart_reporter_from(const Values& values, const char* command);

// The statuses --status takes, in the order the store's life cycle goes.
const std::vector<std::string>& run_statuses();

}  // namespace ablate::report
