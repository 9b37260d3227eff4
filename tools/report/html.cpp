// The HTML page: the compare and aggregate tables, learning curves, accuracy against
// parameters and training time, per-class F1 and confusion matrices, all inline.
//
// Charts are hand-drawn SVG (svg.hpp) rather than a vendored charting library: the five
// chart kinds are simple, and drawing them in C++ keeps the build free of npm and the
// network, the page small (tens of kB, not a megabyte of JavaScript) and the output
// deterministic. The only script is the run browser's (run_browser.cpp): sorting the
// table and diffing two runs; every chart and table reads without it. The
// headless-browser test (tests/integration/report_html.sh) drives it.
#include "html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include "config_groups.hpp"
#include "run_detail.hpp"
#include "svg.hpp"
#include "table.hpp"
#include "text.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

constexpr const char* kStyle = R"(
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1400px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { padding: 3px 9px; border-bottom: 1px solid #eee; white-space: nowrap; }
th { border-bottom: 2px solid #999; } td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
td.best { font-weight: bold; color: #1a7f37; }
p.note { color: #555; margin: 2px 0; max-width: 1000px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { background: #fff; border: 1px solid #eee; }
svg .title { font-size: 14px; font-weight: 600; } svg .tick { font-size: 11px; fill: #555; }
svg .label { font-size: 12px; fill: #333; } svg .legend { font-size: 12px; } svg .cell { font-size: 11px; }
svg .grid { stroke: #eee; } svg .axis { stroke: #888; }
pre { background: #f6f8fa; padding: 8px; }
p.nav a { margin-right: 12px; }
.scroll { overflow-x: auto; max-width: 100%; }
table.runs th { text-align: left; } table.runs th.r { text-align: right; }
table.runs th[data-sort] { cursor: pointer; user-select: none; }
table.runs th[aria-sort=ascending]::after { content: " \25B2"; font-size: 10px; }
table.runs th[aria-sort=descending]::after { content: " \25BC"; font-size: 10px; }
td.status.failed, td.status.killed { color: #b42318; font-weight: 600; }
td.absent { color: #888; font-style: italic; }
td.error summary { cursor: pointer; color: #b42318; }
td.error pre, pre.error { white-space: pre-wrap; max-width: 900px; }
.run-diff table.diff td { white-space: pre-wrap; max-width: 480px; }
.run-diff tr.differs td { background: #fff3bf; font-weight: 600; }
.run-diff tr.same td { color: #666; }
.run-diff:not(.all) tr.same { display: none; }
.run-detail { display: none; }
.run-detail:target { display: block; border-top: 3px solid #4e79a7; margin-top: 16px; }
table.fields th { text-align: left; border-bottom: 1px solid #eee; font-weight: 600; }
table.matrix td { text-align: right; min-width: 2.5em; font-variant-numeric: tabular-nums; }
table.matrix th { border-bottom: none; font-weight: normal; color: #555; }
.s0 { background: #f3f6fa; } .s1 { background: #e1e9f2; } .s2 { background: #cbd8e8; } .s3 { background: #b3c6dd; }
.s4 { background: #9bb4d2; } .s5 { background: #83a2c7; } .s6 { background: #6b90bc; color: #fff; }
.s7 { background: #5985b2; color: #fff; } .s8 { background: #4e79a7; color: #fff; } .s9 { background: #3d6390; color: #fff; }
)";

std::string esc(const std::string& text) { return svg::escape(text); }

std::string render(const Document& document) {
  std::string out;
  for (const auto& block : document) {
    switch (block.kind) {
      case Block::Kind::heading:
        out += "<h3>" + esc(block.text) + "</h3>\n";
        break;
      case Block::Kind::note:
        out += "<p class=\"note\">" + esc(block.text) + "</p>\n";
        break;
      case Block::Kind::code:
        out += "<pre>" + esc(block.text) + "</pre>\n";
        break;
      case Block::Kind::table: {
        out += "<table>\n<tr>";
        for (const auto& column : block.table.columns) {
          out += fmt::format("<th class=\"{}\">{}</th>", column.align == Align::right ? "r" : "", esc(column.title));
        }
        out += "</tr>\n";
        for (const auto& row : block.table.rows) {
          out += "<tr>";
          for (std::size_t i = 0; i < row.size(); ++i) {
            std::string cls = block.table.columns[i].align == Align::right ? "r" : "";
            if (row[i].best) cls += " best";
            out += fmt::format("<td class=\"{}\">{}</td>", cls, esc(row[i].text));
          }
          out += "</tr>\n";
        }
        out += "</table>\n";
        break;
      }
    }
  }
  return out;
}

// Stable colour per arm, in sorted order.
std::map<std::string, std::size_t> arm_colours(const std::vector<std::string>& arms) {
  std::map<std::string, std::size_t> colours;
  for (const auto& arm : arms) colours.emplace(arm, colours.size());
  return colours;
}

// The epoch series the learning-curve charts draw, in HtmlReport::curves' order.
constexpr const char* kCurveKinds[] = {"accuracy", "loss"};
constexpr const char* kCurveSplits[] = {"val", "train"};

std::vector<TradeoffCell> read_tradeoffs(const StoreReader& store, const RunQuery& finished) {
  struct Values {
    std::vector<double> params, seconds, accuracy;
  };
  // Per configuration and resolution (config_groups.hpp), with the arm for the colour.
  std::map<std::pair<std::string, std::int64_t>, std::pair<std::string, Values>> cells;
  const auto runs = store.list_runs(finished);
  const std::vector<std::string> labels = configuration_labels(runs, store.configs_of(runs));
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& run = runs[i];
    if (!run.test_accuracy) continue;
    auto& entry = cells[{labels[i], run.resolution}];
    entry.first = run.arm;
    Values& cell = entry.second;
    cell.accuracy.push_back(*run.test_accuracy);
    if (run.params_trainable) cell.params.push_back(static_cast<double>(*run.params_trainable));
    if (run.train_seconds) cell.seconds.push_back(*run.train_seconds);
  }
  std::vector<TradeoffCell> result;
  for (const auto& [key, entry] : cells) {
    const Values& values = entry.second;
    TradeoffCell cell{entry.first, key.first, key.second, summarize(values.accuracy), std::nullopt, std::nullopt};
    if (!values.params.empty()) cell.params_trainable = mean(values.params);
    if (!values.seconds.empty()) cell.train_seconds = mean(values.seconds);
    result.push_back(std::move(cell));
  }
  return result;
}

// Metrics named f1/<class> on the test split, per resolution.
std::optional<std::vector<ClassF1Chart>> read_class_f1(const StoreReader& store, const RunQuery& finished) {
  std::vector<MetricKey> per_class;
  for (const auto& key : store.metrics()) {
    if (key.split == "test" && key.name.rfind("f1/", 0) == 0) per_class.push_back(key);
  }
  if (per_class.empty()) return std::nullopt;
  std::sort(per_class.begin(), per_class.end(), [](const MetricKey& a, const MetricKey& b) {
    const std::string ca = a.name.substr(3), cb = b.name.substr(3);
    return ca.size() != cb.size() ? ca.size() < cb.size() : ca < cb;
  });
  // resolution -> configuration (labelled as config_groups.hpp does) -> class -> values
  std::map<std::int64_t, std::map<std::string, std::map<std::string, std::vector<double>>>> values;
  for (const auto& key : per_class) {
    const auto samples = store.metric_samples(finished, key);
    const Grouping grouping = group_by_configuration(samples, {"resolution"}, /*arm_from_config=*/false);
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const std::string& label = grouping.groups[grouping.group_of[i]].label();
      values[samples[i].resolution][label][key.name.substr(3)].push_back(samples[i].value);
    }
  }
  // Class names per resolution, where every run there that stored names agrees on them
  // (after a merge, two data sets' class 3 need not be the same class).
  std::map<std::int64_t, std::vector<std::string>> names;
  std::map<std::int64_t, bool> names_disagree;
  for (const auto& run : store.list_runs(finished)) {
    const std::vector<std::string> classes = store.store().class_names(run.id);
    if (classes.empty()) continue;
    auto& known = names[run.resolution];
    if (known.empty()) known = classes;
    if (known != classes) names_disagree[run.resolution] = true;
  }
  std::vector<ClassF1Chart> charts;
  for (const auto& [resolution, arms] : values) {
    ClassF1Chart chart;
    chart.resolution = resolution;
    for (const auto& entry : arms) chart.arms.push_back(entry.first);
    const std::vector<std::string> no_names;
    const auto& classes = names_disagree[resolution] ? no_names : names[resolution];
    for (const auto& key : per_class) {
      const std::string name = key.name.substr(3);
      // "f1/3 (cat)" -> "cat"; "f1/3" where class 3 has no name -> "3".
      const std::string named = metric_with_class(key.name, classes);
      chart.classes.push_back(
          named == key.name ? name : named.substr(key.name.size() + 2, named.size() - key.name.size() - 3));
      std::vector<double> means;
      for (const auto& arm : chart.arms) {
        const auto& by_class = arms.at(arm);
        const auto found = by_class.find(name);
        means.push_back(found == by_class.end() ? kNaN : mean(found->second));
      }
      chart.means.push_back(std::move(means));
    }
    charts.push_back(std::move(chart));
  }
  return charts;
}

std::string curves_section(const HtmlReport& report, const std::map<std::string, std::size_t>& colours) {
  std::string out = "<h2 id=\"curves\">Learning curves</h2>\n<p class=\"note\">Mean over the finished seeds "
                    "at each epoch; the band is \u00b1 one sd. Solid: validation; dashed: "
                    "training.</p>\n<div class=\"charts\">\n";
  std::map<std::int64_t, std::vector<svg::LineSeries>> accuracy, loss;
  std::size_t next = 0;
  for (const char* kind : kCurveKinds) {
    for (const char* split : kCurveSplits) {
      for (const auto& curve : report.curves.at(next++).curves) {
        svg::LineSeries line;
        line.name = fmt::format("{} {}", curve.label, split);
        line.colour = colours.at(curve.arm);
        line.dashed = std::string(split) == "train";
        for (std::size_t i = 0; i < curve.epochs.size(); ++i) {
          const Summary& s = curve.values[i];
          line.x.push_back(static_cast<double>(curve.epochs[i]));
          line.y.push_back(s.mean);
          line.low.push_back(std::isnan(s.sd) ? s.mean : s.mean - s.sd);
          line.high.push_back(std::isnan(s.sd) ? s.mean : s.mean + s.sd);
        }
        (std::string(kind) == "accuracy" ? accuracy : loss)[curve.resolution].push_back(line);
      }
    }
  }
  for (const auto& [resolution, lines] : accuracy) {
    out += svg::line_chart(fmt::format("Accuracy at {}", resolution), "epoch", "accuracy", lines, svg::XAxis::integer);
    if (loss.count(resolution) != 0) {
      out += svg::line_chart(fmt::format("Loss at {}", resolution), "epoch", "loss", loss[resolution],
                             svg::XAxis::integer);
    }
  }
  return out + "</div>\n";
}

std::string tradeoff_section(const HtmlReport& report, const std::map<std::string, std::size_t>& colours) {
  std::vector<svg::Point> by_params, by_time;
  for (const auto& cell : report.tradeoffs) {
    const std::string name = fmt::format("{} at {}", cell.label, cell.resolution);
    const double error = std::isnan(cell.accuracy.sd) ? 0.0 : cell.accuracy.sd;
    if (cell.params_trainable) {
      by_params.push_back({name, colours.at(cell.arm), *cell.params_trainable, cell.accuracy.mean, error});
    }
    if (cell.train_seconds) {
      by_time.push_back({name, colours.at(cell.arm), *cell.train_seconds, cell.accuracy.mean, error});
    }
  }
  std::string out = "<h2 id=\"cost\">Accuracy against cost</h2>\n<p class=\"note\">Test accuracy, mean "
                    "\u00b1 sd over the finished seeds of each arm and resolution.</p>\n"
                    "<div class=\"charts\">\n";
  if (!by_params.empty()) {
    out += svg::scatter_chart("Test accuracy against trainable parameters", "trainable parameters (log scale)",
                              "test accuracy", by_params, /*log_x=*/true);
  }
  if (!by_time.empty()) {
    out += svg::scatter_chart("Test accuracy against training time", "training seconds", "test accuracy", by_time,
                              /*log_x=*/false);
  }
  return out + "</div>\n";
}

// Grouped bars per resolution.
std::string f1_section(const HtmlReport& report) {
  if (!report.class_f1) return "";
  std::string out = "<h2 id=\"f1\">Per-class F1</h2>\n<p class=\"note\">Test F1 of each class, mean over "
                    "the finished seeds.</p>\n<div class=\"charts\">\n";
  for (const auto& chart : *report.class_f1) {
    std::vector<svg::BarGroup> groups;
    for (std::size_t k = 0; k < chart.classes.size(); ++k) groups.push_back({chart.classes[k], chart.means[k]});
    out += svg::bar_chart(fmt::format("Per-class test F1 at {}", chart.resolution), "F1", chart.arms, groups);
  }
  return out + "</div>\n";
}

std::string confusion_section(const HtmlReport& report) {
  if (report.confusion.empty()) return "";
  std::string out = "<h2 id=\"confusion\">Confusion matrices</h2>\n<p class=\"note\">Test confusion matrices "
                    "summed over the finished seeds; shade = share of the true class.</p>\n"
                    "<div class=\"charts\">\n";
  for (const auto& group : report.confusion) {
    out += svg::heatmap(group.title, static_cast<std::size_t>(group.rows), static_cast<std::size_t>(group.cols),
                        group.values, group.classes);
  }
  return out + "</div>\n";
}

}  // namespace

HtmlReport read_html_report(const StoreReader& store, const RunQuery& query, const std::vector<MetricKey>& metrics,
                            const std::vector<std::string>& compare) {
  HtmlReport report;
  report.store_path = store.path();
  report.arms = store.arms();
  RunQuery finished = query;
  finished.status = db::RunStatus::finished;
  report.runs = store.list_runs(query).size();
  if (report.runs == 0) return report;

  // The compare tables: the pair asked for, or the first arm against each other arm.
  std::vector<std::pair<std::string, std::string>> pairs;
  if (compare.size() == 2) {
    pairs.emplace_back(compare[0], compare[1]);
  } else {
    for (std::size_t i = 1; i < report.arms.size(); ++i) pairs.emplace_back(report.arms[0], report.arms[i]);
  }
  const auto all = store.metrics();
  for (const auto& metric : metrics) {
    if (std::find(all.begin(), all.end(), metric) != all.end()) report.metrics.push_back(metric);
  }
  if (!report.metrics.empty()) {
    report.aggregates = aggregate_tables(store, report.metrics, "resolution", query);
    for (const auto& [a, b] : pairs) report.comparisons.push_back(compare_arms(store, a, b, report.metrics, query));
  }
  for (const char* kind : kCurveKinds) {
    for (const char* split : kCurveSplits) {
      report.curves.push_back(CurveReport{store.path(), fmt::format("{}_{}", split, kind),
                                          learning_curves(store, finished, fmt::format("{}_{}", split, kind))});
    }
  }
  report.tradeoffs = read_tradeoffs(store, finished);
  report.class_f1 = read_class_f1(store, finished);
  report.confusion = confusion_groups(store, query, "test", std::nullopt);
  report.browser = read_run_browser(store, query, metrics);
  return report;
}

std::string render_html(const HtmlReport& report) {
  const auto colours = arm_colours(report.arms);
  std::string body =
      fmt::format("<h1>Ablate report</h1>\n<p class=\"note\">Store {}: {} runs, "
                  "arms {}.</p>\n",
                  esc(report.store_path), report.runs, esc(fmt::format("{}", fmt::join(report.arms, ", "))));
  if (report.runs != 0) {
    body += "<p class=\"nav\">";
    if (!report.metrics.empty())
      body += "<a href=\"#aggregates\">Aggregates</a><a href=\"#comparisons\">Comparisons</a>";
    body += "<a href=\"#curves\">Learning curves</a><a href=\"#cost\">Accuracy against cost</a>";
    if (report.class_f1) body += "<a href=\"#f1\">Per-class F1</a>";
    if (!report.confusion.empty()) body += "<a href=\"#confusion\">Confusion matrices</a>";
    body += "<a href=\"#runs\">Runs</a></p>\n";
    if (!report.metrics.empty()) {
      body += "<h2 id=\"aggregates\">Aggregates</h2>\n" + render(aggregate_document(report.aggregates));
      body += "<h2 id=\"comparisons\">Comparisons</h2>\n";
      for (const auto& comparison : report.comparisons) body += render(comparison_document(comparison));
    }
    body += curves_section(report, colours);
    body += tradeoff_section(report, colours);
    body += f1_section(report);
    body += confusion_section(report);
    body += render_run_browser(report.browser);
  }
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Ablate report: " +
         esc(report.store_path) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" + body +
         "</body>\n</html>\n";
}

void write_html(const HtmlReport& report, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw UsageError(fmt::format("cannot write {}: check the folder exists and is writable", path));
  out << render_html(report);
  if (!out.flush()) throw UsageError(fmt::format("cannot write {}", path));
}

}  // namespace ablate::report
