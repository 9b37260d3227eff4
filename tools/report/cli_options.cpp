// The options several `report` commands share, and what their values become.
#include "cli_options.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "ablate/error.hpp"
#include "bootstrap.hpp"
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
  add_value<std::size_t>(command, "--bootstrap", "bootstrap replicates of the two-level interval (0: none)",
                         kNumberValue)
      ->default_str(std::to_string(kDefaultBootstrapReplicates));
  add_value<std::uint64_t>(command, "--bootstrap-seed", "the bootstrap's random seed: the same seed, the same interval",
                           kNumberValue)
      ->default_str(std::to_string(kDefaultBootstrapSeed));
}

void add_filters(CLI::App& command, bool with_arm, bool with_status) {
  if (with_arm) add_value<std::string>(command, "--arm", "only the runs of this arm", kArmValue);
  add_value<std::string>(command, "--dataset", "only the runs on this dataset", kTextValue);
  add_value<std::int64_t>(command, "--resolution", "only the runs at this resolution", kNumberValue);
  add_value<std::string>(command, "--grid", "only the runs this grid (experiment name) asked for", kTextValue);
  add_value<std::string>(command, "--where", "only the runs for which EXPR holds (see report --help)", "EXPR");
  if (with_status) {
    add_value<std::string>(command, "--status",
                           fmt::format("only runs with this status: {}", fmt::join(run_statuses(), ", ")),
                           choices(run_statuses()));
  }
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
  if (given("--status")) {
    const auto text = values.get<std::string>("--status");
    try {
      filter.status = db::parse_run_status(text);
    } catch (const StoreError&) {
      throw UsageError(fmt::format("unknown --status '{}': expected one of {}", text, fmt::join(run_statuses(), ", ")));
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

// More replicates than this take minutes per row and add nothing a reader can see.
constexpr std::size_t kMaxBootstrapReplicates = 1000000;

CompareOptions compare_options_from(const Values& values) {
  CompareOptions options;
  options.bootstrap_replicates = values.get<std::size_t>("--bootstrap");
  options.bootstrap_seed = values.get<std::uint64_t>("--bootstrap-seed");
  if (options.bootstrap_replicates > kMaxBootstrapReplicates) {
    throw UsageError(fmt::format("--bootstrap {}: at most {} replicates", options.bootstrap_replicates,
                                 kMaxBootstrapReplicates));
  }
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
  return make_reporter(values.get<std::string>("--format"), use_colour());
}

std::unique_ptr<Reporter> chart_reporter_from(const Values& values, const char* command) {
  const auto format = values.get<std::string>("--format");
  const auto& formats = chart_formats();
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
    throw UsageError(fmt::format("unknown --format '{}' for {}: expected one of {}", format, command,
                                 fmt::join(formats, ", ")));
  }
  return reporter_from(values);
}

}  // namespace ablate::report
