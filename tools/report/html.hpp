// `report html`: one self-contained page of charts and tables that works offline. Read
// once into a plain HtmlReport (read_html_report), then rendered (render_html).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aggregate.hpp"
#include "charts.hpp"
#include "comparison.hpp"
#include "run_browser.hpp"
#include "statistics.hpp"
#include "store_queries.hpp"

namespace ablate::report {

// One arm at one resolution on the accuracy-against-cost charts: means over its finished
// runs that have a test accuracy.
struct TradeoffCell {
  std::string arm;
  std::string label;  // the arm and the settings telling its configurations apart
  std::int64_t resolution = 0;
  Summary accuracy;
  std::optional<double> params_trainable;  // unset: no run recorded it
  std::optional<double> train_seconds;
};

// The per-class test F1 at one resolution: mean over the finished seeds.
struct ClassF1Chart {
  std::int64_t resolution = 0;
  std::vector<std::string> arms;
  std::vector<std::string> classes;        // in class order ("2" before "10"); names where stored
  std::vector<std::vector<double>> means;  // [class][arm]; NaN where an arm has none
};

// Everything the page shows.
struct HtmlReport {
  std::string store_path;
  std::size_t runs = 0;                    // matching the filters, any status
  std::vector<std::string> arms;           // every arm of the store, sorted: fixes the colours
  std::vector<MetricKey> metrics;          // the asked-for metrics that the store holds
  std::vector<AggregateTable> aggregates;  // of `metrics`
  std::vector<Comparison> comparisons;     // of `metrics`
  std::vector<CurveReport> curves;         // val_accuracy, train_accuracy, val_loss, train_loss
  std::vector<TradeoffCell> tradeoffs;
  std::optional<std::vector<ClassF1Chart>> class_f1;  // unset: the store has no test f1/<class> metric
  std::vector<ConfusionGroup> confusion;              // test matrices summed per arm and resolution
  RunBrowser browser;                                 // every run matching the filters, any status
};

// Reads the page's data for the runs matching `query`. `compare`: two arms for the
// compare tables, or empty for the first arm against each other arm.
HtmlReport read_html_report(const StoreReader& store, const RunQuery& query, const std::vector<MetricKey>& metrics,
                            const std::vector<std::string>& compare);

// The page, as one string of HTML with inline CSS, SVG, the run browser's data and its
// small script.
std::string render_html(const HtmlReport& report);

// Writes render_html(report) to `path`; UsageError when it cannot.
void write_html(const HtmlReport& report, const std::string& path);

}  // namespace ablate::report
