// The HTML page: the compare and aggregate tables, learning curves, accuracy against
// parameters and training time, per-class F1 and confusion matrices, all inline.
//
// Charts are hand-drawn SVG (svg.hpp) rather than a vendored charting library: the five
// chart kinds are simple, and drawing them in C++ keeps the build free of npm and the
// network, the page small (tens of kB, not a megabyte of JavaScript) and the output
// deterministic. The page has no script: the headless-browser test
// (tests/integration/report_html.sh) adds its own to check that the charts render.
#include "html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "aggregate.hpp"
#include "charts.hpp"
#include "comparison.hpp"
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
          out += fmt::format("<th class=\"{}\">{}</th>", column.align == Align::right ? "r" : "",
                             esc(column.title));
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

std::string curves_section(const StoreReader& store, const RunQuery& finished,
                           const std::map<std::string, std::size_t>& colours) {
  std::string out = "<h2>Learning curves</h2>\n<p class=\"note\">Mean over the finished seeds "
                    "at each epoch; the band is \u00b1 one sd. Solid: validation; dashed: "
                    "training.</p>\n<div class=\"charts\">\n";
  std::map<std::int64_t, std::vector<svg::LineSeries>> accuracy, loss;
  for (const char* kind : {"accuracy", "loss"}) {
    for (const char* split : {"val", "train"}) {
      const std::string series = fmt::format("{}_{}", split, kind);
      for (const auto& curve : learning_curves(store, finished, series)) {
        svg::LineSeries line;
        line.name = fmt::format("{} {}", curve.arm, split);
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
    out += svg::line_chart(fmt::format("Accuracy at {}", resolution), "epoch", "accuracy", lines);
    if (loss.count(resolution) != 0) {
      out += svg::line_chart(fmt::format("Loss at {}", resolution), "epoch", "loss", loss[resolution]);
    }
  }
  return out + "</div>\n";
}

std::string tradeoff_section(const StoreReader& store, const RunQuery& finished,
                             const std::map<std::string, std::size_t>& colours) {
  // Per arm and resolution: means over the finished runs.
  struct Cell {
    std::vector<double> params, seconds, accuracy;
  };
  std::map<std::pair<std::string, std::int64_t>, Cell> cells;
  for (const auto& run : store.list_runs(finished)) {
    if (!run.test_accuracy) continue;
    Cell& cell = cells[{run.arm, run.resolution}];
    cell.accuracy.push_back(*run.test_accuracy);
    if (run.params_trainable) cell.params.push_back(static_cast<double>(*run.params_trainable));
    if (run.train_seconds) cell.seconds.push_back(*run.train_seconds);
  }
  std::vector<svg::Point> by_params, by_time;
  for (const auto& [key, cell] : cells) {
    const Summary accuracy = summarize(cell.accuracy);
    const std::string name = fmt::format("{} at {}", key.first, key.second);
    const double error = std::isnan(accuracy.sd) ? 0.0 : accuracy.sd;
    if (!cell.params.empty()) {
      by_params.push_back({name, colours.at(key.first), mean(cell.params), accuracy.mean, error});
    }
    if (!cell.seconds.empty()) {
      by_time.push_back({name, colours.at(key.first), mean(cell.seconds), accuracy.mean, error});
    }
  }
  std::string out = "<h2>Accuracy against cost</h2>\n<p class=\"note\">Test accuracy, mean "
                    "\u00b1 sd over the finished seeds of each arm and resolution.</p>\n"
                    "<div class=\"charts\">\n";
  if (!by_params.empty()) {
    out += svg::scatter_chart("Test accuracy against trainable parameters", "trainable parameters (log scale)",
                              "test accuracy", by_params, /*log_x=*/true);
  }
  if (!by_time.empty()) {
    out += svg::scatter_chart("Test accuracy against training time", "training seconds",
                              "test accuracy", by_time, /*log_x=*/false);
  }
  return out + "</div>\n";
}

// Metrics named f1/<class> on the test split, as grouped bars per resolution.
std::string f1_section(const StoreReader& store, const RunQuery& finished) {
  std::vector<MetricKey> per_class;
  for (const auto& key : store.metrics()) {
    if (key.split == "test" && key.name.rfind("f1/", 0) == 0) per_class.push_back(key);
  }
  if (per_class.empty()) return "";
  std::sort(per_class.begin(), per_class.end(), [](const MetricKey& a, const MetricKey& b) {
    const std::string ca = a.name.substr(3), cb = b.name.substr(3);
    return ca.size() != cb.size() ? ca.size() < cb.size() : ca < cb;
  });
  // resolution -> arm -> class -> values
  std::map<std::int64_t, std::map<std::string, std::map<std::string, std::vector<double>>>> values;
  for (const auto& key : per_class) {
    for (const auto& sample : store.metric_samples(finished, key)) {
      values[sample.resolution][sample.arm][key.name.substr(3)].push_back(sample.value);
    }
  }
  std::string out = "<h2>Per-class F1</h2>\n<p class=\"note\">Test F1 of each class, mean over "
                    "the finished seeds.</p>\n<div class=\"charts\">\n";
  for (const auto& [resolution, arms] : values) {
    std::vector<std::string> series;
    for (const auto& entry : arms) series.push_back(entry.first);
    std::vector<svg::BarGroup> groups;
    for (const auto& key : per_class) {
      svg::BarGroup group{key.name.substr(3), {}};
      for (const auto& arm : series) {
        const auto& by_class = arms.at(arm);
        const auto found = by_class.find(group.name);
        group.values.push_back(found == by_class.end() ? kNaN : mean(found->second));
      }
      groups.push_back(std::move(group));
    }
    out += svg::bar_chart(fmt::format("Per-class test F1 at {}", resolution), "F1", series, groups);
  }
  return out + "</div>\n";
}

std::string confusion_section(const StoreReader& store, const RunQuery& query) {
  const auto groups = confusion_groups(store, query, "test", std::nullopt);
  if (groups.empty()) return "";
  std::string out = "<h2>Confusion matrices</h2>\n<p class=\"note\">Test confusion matrices "
                    "summed over the finished seeds; shade = share of the true class.</p>\n"
                    "<div class=\"charts\">\n";
  for (const auto& group : groups) {
    out += svg::heatmap(group.title, static_cast<std::size_t>(group.rows),
                        static_cast<std::size_t>(group.cols), group.values);
  }
  return out + "</div>\n";
}

}  // namespace

void write_html(const StoreReader& store, const RunQuery& query,
                const std::vector<MetricKey>& metrics, const std::vector<std::string>& compare,
                const std::string& path) {
  const std::vector<std::string> arms = store.arms();
  const auto colours = arm_colours(arms);
  RunQuery finished = query;
  finished.status = db::RunStatus::finished;
  const auto runs = store.list_runs(query);

  std::string body = fmt::format("<h1>Ablate report</h1>\n<p class=\"note\">Store {}: {} runs, "
                                 "arms {}.</p>\n",
                                 esc(store.path()), runs.size(), esc(fmt::format("{}", fmt::join(arms, ", "))));
  if (!runs.empty()) {
    // The compare tables: the pair asked for, or the first arm against each other arm.
    std::vector<std::pair<std::string, std::string>> pairs;
    if (compare.size() == 2) {
      pairs.emplace_back(compare[0], compare[1]);
    } else {
      for (std::size_t i = 1; i < arms.size(); ++i) pairs.emplace_back(arms[0], arms[i]);
    }
    std::vector<MetricKey> known;
    for (const auto& metric : metrics) {
      const auto all = store.metrics();
      if (std::find(all.begin(), all.end(), metric) != all.end()) known.push_back(metric);
    }
    if (!known.empty()) {
      body += "<h2>Aggregates</h2>\n" + render(aggregate_document(aggregate_tables(store, known, "resolution", query)));
      body += "<h2>Comparisons</h2>\n";
      for (const auto& [a, b] : pairs) {
        body += render(comparison_document(compare_arms(store, a, b, known, query)));
      }
    }
    body += curves_section(store, finished, colours);
    body += tradeoff_section(store, finished, colours);
    body += f1_section(store, finished);
    body += confusion_section(store, query);
  }

  std::ofstream out(path, std::ios::binary);
  if (!out) throw UsageError(fmt::format("cannot write {}: check the folder exists and is writable", path));
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>Ablate report: " << esc(store.path()) << "</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n"
      << body << "</body>\n</html>\n";
  if (!out.flush()) throw UsageError(fmt::format("cannot write {}", path));
}

}  // namespace ablate::report
