// The options several `report` commands share, and what their values become.
#include "cli_options.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "ablate/error.hpp"
#include "bootstrap.hpp"
#include "cli_suggest.hpp"
#include "compare_columns.hpp"
#include "usage_error.hpp"

namespace ablate::report {

std::string choices(const std::vector<std::string>& names) { return fmt::format("{}", fmt::join(names, "|")); }

const std::vector<std::string>& run_statuses() {
  static const std::vector<std::string> statuses = {"pending", "running", "finished", "failed", "killed"};
  return statuses;
}

void add_db(CLI::App& command) {
  add_value<std::string>(command, "--db", "the store to read", kStoreValue)->default_str("runs.db");
}

void add_format(CLI::App& command) {
  add_value<std::string>(command, "--format", "the output: aligned table, markdown, csv, json or latex (booktabs)",
                         choices(reporter_formats()))
      ->default_str("table");
}

// Curves and confusion matrices are pictures: no markdown or latex (reporter.hpp).
void add_chart_format(CLI::App& command) {
  add_value<std::string>(command, "--format", "the output: table (sparklines or aligned counts), csv or json",
                         choices(chart_formats()))
      ->default_str("table");
}

void add_metric(CLI::App& command) {
  add_value<std::vector<std::string>>(command, "--metric",
                                      "SPLIT.NAME, e.g. test.accuracy (the default) or val.f1_macro; several allowed",
                                      kMetricValue);
}

void add_bootstrap(CLI::App& command) {
  // Signed, so that a negative count is refused as such (an unsigned one wraps around).
  add_value<std::int64_t>(command, "--bootstrap", "bootstrap replicates of the two-level interval (0: none)",
                          kNumberValue)
      ->default_str(std::to_string(kDefaultBootstrapReplicates));
  add_value<std::uint64_t>(command, "--bootstrap-seed", "the bootstrap's random seed: the same seed, the same interval",
                           kNumberValue)
      ->default_str(std::to_string(kDefaultBootstrapSeed));
}

void add_filters(CLI::App& command, bool with_arm, bool with_status) {
  if (with_arm) add_value<std::string>(command, "--arm", "only the runs of this arm", kArmValue);
  add_value<std::string>(command, "--dataset", "only the runs on this dataset", kDatasetValue);
  add_value<std::int64_t>(command, "--resolution", "only the runs at this resolution", kNumberValue);
  add_value<std::string>(command, "--grid", "only the runs this grid (experiment name) asked for", kGridValue);
  add_value<std::string>(command, "--where", "only the runs for which EXPR holds (see report --help)", "EXPR");
  if (with_status) {
    add_value<std::string>(command, "--status",
                           fmt::format("only runs with this status: {}", fmt::join(run_statuses(), ", ")),
                           choices(run_statuses()));
  }
  // Archived runs (report archive, runner --force) are left out unless asked for.
  command.add_flag("--archived", "only archived runs");
  command.add_flag("--all", "archived runs too");
}

void add_export(CLI::App& command, bool with_columns) {
  if (with_columns) {
    std::string help = "the compare columns, in this order: compact (fits one column of a two-column paper) or a "
                       "comma-separated list of:";
    std::vector<std::string> names = {kCompactColumns};
    for (const auto& column : compare_column_infos()) {
      help += fmt::format("\n  {:<14}{}", column.name, column.meaning);
      names.emplace_back(column.name);
    }
    add_value<std::string>(command, "--columns", help, choices(names));
  }
  add_value<std::string>(command, "--label",
                         "with --format latex: the tables' \\label (default tab:compare-A-B, tab:METRIC-by-AXIS)",
                         kTextValue);
  command.add_flag("--per-seed",
                   "with --format csv: one record per run (seed, run id, value), not per group; with json: the runs "
                   "beside each summary");
}

namespace {

bool given(const Values& values, const char* name) {
  return values.command().get_option_no_throw(name) != nullptr && values.has(name);
}

// --label's value goes into LaTeX as it is: only characters a \label holds safely.
void check_label(const std::string& label) {
  const bool safe = !label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == ':' || c == '_' || c == '-';
  });
  if (!safe) {
    throw UsageError(fmt::format("--label '{}': expected letters, digits and . : _ - (e.g. tab:se-vs-baseline)",
                                 label));
  }
}

}  // namespace

bool has_export(const Values& values) {
  return given(values, "--columns") || given(values, "--label") || given(values, "--per-seed");
}

ListFilter filter_from(const Values& values) {
  const auto given = [&values](const char* name) {
    return values.command().get_option_no_throw(name) != nullptr && values.has(name);
  };
  ListFilter filter;
  if (given("--arm")) filter.arm = values.get<std::string>("--arm");
  if (given("--dataset")) filter.dataset = values.get<std::string>("--dataset");
  if (given("--resolution")) filter.resolution = values.get<std::int64_t>("--resolution");
  if (given("--grid")) filter.grid = values.get<std::string>("--grid");
  if (given("--where")) filter.where = values.get<std::string>("--where");
  if (given("--archived") && given("--all")) {
    throw UsageError("--archived lists archived runs only, --all live and archived runs: give one of them");
  }
  if (given("--archived")) filter.archived = ArchivedRuns::only;
  if (given("--all")) filter.archived = ArchivedRuns::included;
  if (given("--status")) {
    const auto text = values.get<std::string>("--status");
    try {
      filter.status = db::parse_run_status(text);
    } catch (const StoreError&) {
      throw UsageError(unknown_choice("--status", text, run_statuses()));
    }
  }
  return filter;
}

std::vector<MetricKey> metrics_from(const Values& values) {
  std::vector<MetricKey> metrics;
  for (const auto& text : values.list("--metric")) metrics.push_back(parse_metric(text));
  if (metrics.empty()) metrics.push_back({"test", "accuracy"});
  return metrics;
}

void check_metrics(const StoreReader& store, const std::vector<MetricKey>& metrics) {
  const std::vector<MetricKey> known = store.metrics();
  for (const auto& metric : metrics) {
    if (std::find(known.begin(), known.end(), metric) != known.end()) continue;
    std::vector<std::string> labels;
    for (const auto& key : known) labels.push_back(key.label());
    throw UsageError(unknown_name("metric", metric.label(), labels, store.path(), "metrics"));
  }
}

// More replicates than this take minutes per row and add nothing a reader can see.
constexpr std::size_t kMaxBootstrapReplicates = 1000000;

CompareOptions compare_options_from(const Values& values) {
  CompareOptions options;
  const auto replicates = values.get<std::int64_t>("--bootstrap");
  if (replicates < 0 || static_cast<std::uint64_t>(replicates) > kMaxBootstrapReplicates) {
    throw UsageError(fmt::format("--bootstrap {}: expected 0 (no bootstrap) to {} replicates", replicates,
                                 kMaxBootstrapReplicates));
  }
  options.bootstrap_replicates = static_cast<std::size_t>(replicates);
  options.bootstrap_seed = values.get<std::uint64_t>("--bootstrap-seed");
  return options;
}

namespace {

// Colour only for a person at a terminal who has not opted out (https://no-color.org).
bool use_colour() {
  const char* no_colour = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

}  // namespace

std::unique_ptr<Reporter> reporter_from(const Values& values) {
  const auto format = values.get<std::string>("--format");
  ReporterOptions options;
  options.colour = use_colour();
  if (given(values, "--columns")) {
    if (format == "csv" || format == "json") {
      throw UsageError("--columns chooses the columns of --format table, markdown and latex; csv and json have every "
                       "field (--per-seed: one csv record per run)");
    }
    options.document.columns = parse_compare_columns(values.get<std::string>("--columns"));
  }
  if (given(values, "--label")) {
    if (format != "latex") throw UsageError("--label names the LaTeX tables: use it with --format latex");
    options.document.label = values.get<std::string>("--label");
    check_label(options.document.label);
  }
  if (given(values, "--per-seed")) {
    if (format != "csv" && format != "json") {
      throw UsageError("--per-seed lists the runs behind the statistics: use it with --format csv or json");
    }
    options.per_seed = true;
  }
  return make_reporter(format, options);
}

std::unique_ptr<Reporter> chart_reporter_from(const Values& values, const char* command) {
  const auto format = values.get<std::string>("--format");
  const auto& formats = chart_formats();
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
    throw UsageError(fmt::format("unknown --format '{}' for {}{}: expected one of {}", format, command,
                                 nearest_hint(format, formats), fmt::join(formats, ", ")));
  }
  return reporter_from(values);
}

}  // namespace ablate::report
