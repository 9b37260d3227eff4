// One reporter per output format, as google/benchmark does: each turns the plain results
// (a run listing, a comparison, aggregate tables, one run, learning curves, confusion
// matrices) into text on a stream, and knows nothing else.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "aggregate.hpp"
#include "charts.hpp"
#include "comparison.hpp"
#include "config_diff.hpp"
#include "listing.hpp"
#include "power.hpp"
#include "run_detail.hpp"
#include "table.hpp"

namespace ablate::report {

// The version of the JSON documents' layout, in each as "schema_version". Bump it when a
// key changes meaning or goes away (adding keys is compatible).
inline constexpr int kJsonSchemaVersion = 2;  // 2: compare rows' "mcnemar" became "mcnemar_pooled"

class Reporter {
 public:
  virtual ~Reporter();
  virtual void report_runs(std::ostream& out, const RunListing& listing) const = 0;
  virtual void report_comparison(std::ostream& out, const Comparison& comparison) const = 0;
  virtual void report_tables(std::ostream& out, const std::vector<AggregateTable>& tables) const = 0;
  virtual void report_run(std::ostream& out, const RunDetail& detail) const = 0;
  virtual void report_curves(std::ostream& out, const CurveReport& curves) const = 0;
  virtual void report_confusion(std::ostream& out, const ConfusionReport& confusion) const = 0;
  virtual void report_power(std::ostream& out, const PowerReport& power) const = 0;
  virtual void report_diff(std::ostream& out, const ConfigDiff& diff) const = 0;
};

// What a reader chose besides the format: report's --columns, --label and --per-seed.
struct ReporterOptions {
  bool colour = false;       // the terminal table may use colour
  DocumentOptions document;  // --columns and --label: table, markdown and latex
  bool per_seed = false;     // csv: one record per run (seed) rather than per group; json: the runs too
};

// The human-readable formats: each renders the same documents (table.hpp).
class DocumentReporter : public Reporter {
 public:
  explicit DocumentReporter(DocumentOptions options = {}) : options_(std::move(options)) {}
  void report_runs(std::ostream& out, const RunListing& listing) const override;
  void report_comparison(std::ostream& out, const Comparison& comparison) const override;
  void report_tables(std::ostream& out, const std::vector<AggregateTable>& tables) const override;
  void report_run(std::ostream& out, const RunDetail& detail) const override;
  void report_power(std::ostream& out, const PowerReport& power) const override;
  void report_diff(std::ostream& out, const ConfigDiff& diff) const override;
  // Curves and matrices are pictures, not documents: only the terminal draws them (as
  // sparklines and aligned counts); markdown and latex throw UsageError (chart_formats()).
  void report_curves(std::ostream& out, const CurveReport& curves) const override;
  void report_confusion(std::ostream& out, const ConfusionReport& confusion) const override;

 protected:
  virtual void render(std::ostream& out, const Document& document) const = 0;
  // Errors can be long stack-like messages; a terminal shows only their start (0: all).
  virtual std::size_t max_error_width() const { return 0; }

 private:
  DocumentOptions options_;
};

// Aligned columns for a terminal; the best cells bold green when `colour`, else starred.
class ConsoleReporter final : public DocumentReporter {
 public:
  explicit ConsoleReporter(bool colour = false, DocumentOptions options = {})
      : DocumentReporter(std::move(options)), colour_(colour) {}
  void report_curves(std::ostream& out, const CurveReport& curves) const override;
  void report_confusion(std::ostream& out, const ConfusionReport& confusion) const override;

 protected:
  void render(std::ostream& out, const Document& document) const override;
  std::size_t max_error_width() const override { return 60; }

 private:
  bool colour_;
};

// GitHub-flavoured Markdown tables, to paste into notes and pull requests.
class MarkdownReporter final : public DocumentReporter {
 public:
  using DocumentReporter::DocumentReporter;

 protected:
  void render(std::ostream& out, const Document& document) const override;
};

// LaTeX tables with booktabs rules, for a paper: \usepackage{booktabs}. Each table a
// float with its caption and \label; negative numbers with a math minus sign.
class LatexReporter final : public DocumentReporter {
 public:
  using DocumentReporter::DocumentReporter;

 protected:
  void render(std::ostream& out, const Document& document) const override;
};

// RFC 4180 CSV with a header row; full-precision numbers, empty cells for missing values.
// `per_seed`: the comparison and the aggregate tables as one record per run instead.
class CsvReporter final : public Reporter {
 public:
  explicit CsvReporter(bool per_seed = false) : per_seed_(per_seed) {}
  void report_runs(std::ostream& out, const RunListing& listing) const override;
  void report_comparison(std::ostream& out, const Comparison& comparison) const override;
  void report_tables(std::ostream& out, const std::vector<AggregateTable>& tables) const override;
  void report_run(std::ostream& out, const RunDetail& detail) const override;
  void report_curves(std::ostream& out, const CurveReport& curves) const override;
  void report_confusion(std::ostream& out, const ConfusionReport& confusion) const override;
  void report_power(std::ostream& out, const PowerReport& power) const override;
  void report_diff(std::ostream& out, const ConfigDiff& diff) const override;

 private:
  bool per_seed_;
};

// One JSON document with "schema_version"; full-precision numbers, null for missing or
// undefined values. `per_seed`: each summary of the comparison and the aggregate tables
// also lists its runs ("runs": seed, run_id, value).
class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(bool per_seed = false) : per_seed_(per_seed) {}
  void report_runs(std::ostream& out, const RunListing& listing) const override;
  void report_comparison(std::ostream& out, const Comparison& comparison) const override;
  void report_tables(std::ostream& out, const std::vector<AggregateTable>& tables) const override;
  void report_run(std::ostream& out, const RunDetail& detail) const override;
  void report_curves(std::ostream& out, const CurveReport& curves) const override;
  void report_confusion(std::ostream& out, const ConfusionReport& confusion) const override;
  void report_power(std::ostream& out, const PowerReport& power) const override;
  void report_diff(std::ostream& out, const ConfigDiff& diff) const override;

 private:
  bool per_seed_;
};

// The --format names, in the order --help lists them.
const std::vector<std::string>& reporter_formats();

// The --format names of `report curves` and `report confusion`.
const std::vector<std::string>& chart_formats();

// The reporter for a --format name; UsageError naming the valid ones otherwise. `colour`:
// the terminal table may use colour (stdout is a terminal and NO_COLOR is unset).
std::unique_ptr<Reporter> make_reporter(const std::string& format, bool colour = false);
std::unique_ptr<Reporter> make_reporter(const std::string& format, const ReporterOptions& options);

}  // namespace ablate::report
