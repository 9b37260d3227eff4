// Curves as sparklines and confusion matrices as aligned counts, for a terminal.
#include "chart_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "text.hpp"

namespace ablate::report {

std::string sparkline(const std::vector<double>& values, double low, double high) {
  static const char* const kBars[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
  std::string line;
  for (double value : values) {
    if (!std::isfinite(value)) {
      line += ' ';
      continue;
    }
    const double span = high - low;
    const double position = span > 0 ? (value - low) / span : 0.5;
    const int index = std::clamp(static_cast<int>(std::lround(position * 7)), 0, 7);
    line += kBars[index];
  }
  return line;
}

std::string curves_text(const CurveReport& report) {
  const std::vector<Curve>& curves = report.curves;
  const std::string& series = report.series;
  if (curves.empty()) return fmt::format("no finished runs with epochs in {}\n", report.store_path);
  double low = INFINITY;
  double high = -INFINITY;
  std::size_t label_width = 0;
  std::vector<std::string> labels;
  for (const auto& curve : curves) {
    for (const auto& value : curve.values) {
      low = std::min(low, value.mean);
      high = std::max(high, value.mean);
    }
    labels.push_back(fmt::format("{} at {} ({} run{})", curve.label, curve.resolution, curve.runs,
                                 curve.runs == 1 ? "" : "s"));
    label_width = std::max(label_width, display_width(labels.back()));
  }
  const bool lower_better = series.find("loss") != std::string::npos;
  std::string text =
      fmt::format("{}: mean over seeds per epoch, scale {} to {}\n", series, fixed(low, 4), fixed(high, 4));
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const Curve& curve = curves[i];
    std::vector<double> means;
    for (const auto& value : curve.values) means.push_back(value.mean);
    std::size_t best = 0;
    for (std::size_t k = 0; k < means.size(); ++k) {
      if (lower_better ? means[k] < means[best] : means[k] > means[best]) best = k;
    }
    text += labels[i] + std::string(label_width - display_width(labels[i]), ' ') + "  " + sparkline(means, low, high);
    if (!means.empty()) {
      text += fmt::format("  {} \u2192 {}, best {} at epoch {}", fixed(means.front(), 4), fixed(means.back(), 4),
                          fixed(means[best], 4), curve.epochs[best]);
    }
    text += '\n';
  }
  return text;
}

std::string confusion_text(const ConfusionReport& report) {
  const std::vector<ConfusionGroup>& groups = report.groups;
  if (groups.empty()) return "no confusion matrices recorded for these runs\n";
  std::string text;
  for (const auto& group : groups) {
    if (!text.empty()) text += '\n';
    text += group.title + " (rows: true class, columns: predicted)\n";
    std::size_t width = 6;  // "recall"
    for (double value : group.values) width = std::max(width, fmt::format("{:g}", value).size());
    // Rows carry the class names where the store has them ("3 class_3"); columns keep the
    // indices, so that a matrix of long names stays as narrow as its counts.
    std::vector<std::string> row_labels;
    std::size_t label_width = 4;
    for (std::int64_t r = 0; r < group.rows; ++r) {
      row_labels.push_back(group.classes.empty() ? fmt::format("{:>4}", r)
                                                 : fmt::format("{:>4} {}", r, class_label(group.classes, r)));
      label_width = std::max(label_width, display_width(row_labels.back()));
    }
    text += std::string(label_width, ' ');
    for (std::int64_t c = 0; c < group.cols; ++c) text += fmt::format("  {:>{}}", c, width);
    text += fmt::format("  {:>{}}\n", "recall", width);
    for (std::int64_t r = 0; r < group.rows; ++r) {
      const std::string& label = row_labels[static_cast<std::size_t>(r)];
      text += label + std::string(label_width - display_width(label), ' ');
      double total = 0;
      for (std::int64_t c = 0; c < group.cols; ++c) {
        const double value = group.values[static_cast<std::size_t>(r * group.cols + c)];
        total += value;
        text += fmt::format("  {:>{}}", fmt::format("{:g}", value), width);
      }
      const double hit = r < group.cols ? group.values[static_cast<std::size_t>(r * group.cols + r)] : 0;
      text += fmt::format("  {:>{}}\n", total > 0 ? fixed(hit / total, 4) : std::string(kUndefined), width);
    }
  }
  return text;
}

}  // namespace ablate::report
