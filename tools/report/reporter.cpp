// Chooses the reporter for a --format name; the shared half of the document reporters.
#include "reporter.hpp"

#include <fmt/format.h>

#include "cli_suggest.hpp"
#include "usage_error.hpp"

namespace ablate::report {

Reporter::~Reporter() = default;

void DocumentReporter::report_runs(std::ostream& out, const RunListing& listing) const {
  render(out, runs_document(listing, max_error_width()));
}

void DocumentReporter::report_comparison(std::ostream& out, const Comparison& comparison) const {
  render(out, comparison_document(comparison, options_));
}

void DocumentReporter::report_tables(std::ostream& out, const std::vector<AggregateTable>& tables) const {
  render(out, aggregate_document(tables, options_));
}

void DocumentReporter::report_run(std::ostream& out, const RunDetail& detail) const {
  render(out, run_document(detail));
}

void DocumentReporter::report_power(std::ostream& out, const PowerReport& power) const {
  render(out, power_document(power, options_));
}

void DocumentReporter::report_diff(std::ostream& out, const ConfigDiff& diff) const {
  render(out, diff_document(diff));
}

void DocumentReporter::report_curves(std::ostream& /*out*/, const CurveReport& /*curves*/) const {
  throw UsageError(fmt::format("curves are drawn only as --format {}", fmt::join(chart_formats(), ", ")));
}

void DocumentReporter::report_confusion(std::ostream& /*out*/, const ConfusionReport& /*confusion*/) const {
  throw UsageError(fmt::format("confusion matrices are shown only as --format {}", fmt::join(chart_formats(), ", ")));
}

const std::vector<std::string>& chart_formats() {
  static const std::vector<std::string> formats = {"table", "csv", "json"};
  return formats;
}

const std::vector<std::string>& reporter_formats() {
  static const std::vector<std::string> formats = {"table", "markdown", "csv", "json", "latex"};
  return formats;
}

std::unique_ptr<Reporter> make_reporter(const std::string& format, bool colour) {
  ReporterOptions options;
  options.colour = colour;
  return make_reporter(format, options);
}

std::unique_ptr<Reporter> make_reporter(const std::string& format, const ReporterOptions& options) {
  if (format == "table") return std::make_unique<ConsoleReporter>(options.colour, options.document);
  if (format == "markdown") return std::make_unique<MarkdownReporter>(options.document);
  if (format == "csv") return std::make_unique<CsvReporter>(options.per_seed);
  if (format == "json") return std::make_unique<JsonReporter>(options.per_seed);
  if (format == "latex") return std::make_unique<LatexReporter>(options.document);
  throw UsageError(unknown_choice("--format", format, reporter_formats()));
}

}  // namespace ablate::report
