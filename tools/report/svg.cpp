// SVG charts drawn by hand: axes with round ticks, a legend, and the marks.
#include "svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ablate::report::svg {

namespace {

// Every chart but the heat map: a plot area of fixed size, the y axis on its left, the
// legend on its right (as wide as its longest entry needs), the title above (wrapped to
// the chart's width, the chart growing by its extra lines).
constexpr double kLeft = 64;
constexpr double kPlotWidth = 406;
constexpr double kMinRight = 170;  // room for the legend
constexpr double kTop = 34;
constexpr double kPlotHeight = 278;
constexpr double kBottom = 48;
constexpr double kTitleFont = 14;
constexpr double kTitleLine = 18;
constexpr double kLegendFont = 12;
constexpr double kLegendLine = 18;
constexpr double kTickFont = 11;

struct Frame {
  double x_low, x_high, y_low, y_high;
  bool log_x = false;
  double px(double x) const {
    const double a = log_x ? std::log10(x) : x;
    const double lo = log_x ? std::log10(x_low) : x_low;
    const double hi = log_x ? std::log10(x_high) : x_high;
    return kLeft + (hi > lo ? (a - lo) / (hi - lo) : 0.5) * kPlotWidth;
  }
  double py(double y) const {
    return kTop + kPlotHeight - (y_high > y_low ? (y - y_low) / (y_high - y_low) : 0.5) * kPlotHeight;
  }
};

std::string number_label(double value) {
  if (value != 0 && (std::fabs(value) >= 1e5 || std::fabs(value) < 1e-3)) {
    return fmt::format("{:.2g}", value);
  }
  return fmt::format("{:g}", value);
}

// The title's lines as <text>, the first baseline at `y`, each `kTitleLine` below the last.
std::string title_text(const std::vector<std::string>& lines, double x, double y) {
  std::string out = fmt::format("<text x=\"{}\" y=\"{}\" class=\"title\">", x, y);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += fmt::format("<tspan x=\"{}\" dy=\"{}\">{}</tspan>", x, i == 0 ? 0.0 : kTitleLine, escape(lines[i]));
  }
  return out + "</text>\n";
}

// A chart's outer box: `legend` names the legend entries, which widen the chart to fit
// and lengthen it when there are more than the plot's height holds.
struct Box {
  double width = 0;
  double height = 0;
  std::vector<std::string> title_lines;
  double shift = 0;  // what the wrapped title adds above the plot
};

Box chart_box(const std::string& title, const std::vector<std::string>& legend, double extra_bottom = 0) {
  Box box;
  double right = kMinRight;
  for (const auto& name : legend) right = std::max(right, 14 + 26 + text_width(name, kLegendFont) + 8);
  box.width = kLeft + kPlotWidth + right;
  box.title_lines = wrap_text(title, box.width - kLeft - 8, kTitleFont);
  box.shift = kTitleLine * static_cast<double>(box.title_lines.size() - 1);
  const double legend_bottom = kTop + 8 + kLegendLine * static_cast<double>(legend.size());
  box.height = std::max(kTop + kPlotHeight + kBottom + extra_bottom, legend_bottom + 8) + box.shift;
  return box;
}

// Opens the chart; what follows is drawn in unshifted coordinates, inside a group that
// moves it below the title. close_chart() ends both.
std::string open_chart(const std::string& title, const Box& box) {
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
                     "viewBox=\"0 0 {0:.0f} {1:.0f}\" role=\"img\" aria-label=\"{2}\">\n",
                     box.width, box.height, escape(title)) +
         title_text(box.title_lines, kLeft, 20) + fmt::format("<g transform=\"translate(0 {:.0f})\">\n", box.shift);
}

std::string close_chart() { return "</g>\n</svg>\n"; }

// Expands a range so that a single value or a flat series still gets an axis.
void pad_range(double& low, double& high) {
  if (!std::isfinite(low) || !std::isfinite(high)) {
    low = 0;
    high = 1;
  }
  if (high - low < 1e-12) {
    const double pad = std::max(std::fabs(low) * 0.05, 1e-3);
    low -= pad;
    high += pad;
  }
}

std::string axes(Frame& frame, const std::string& x_label, const std::string& y_label, XAxis x_axis) {
  std::string out;
  const auto y_ticks = nice_ticks(frame.y_low, frame.y_high, 5);
  frame.y_low = std::min(frame.y_low, y_ticks.front());
  frame.y_high = std::max(frame.y_high, y_ticks.back());
  std::vector<double> x_ticks;
  if (frame.log_x) {
    for (double t = std::pow(10.0, std::floor(std::log10(frame.x_low))); t <= frame.x_high * 1.0001; t *= 10) {
      if (t >= frame.x_low * 0.9999) x_ticks.push_back(t);
    }
    if (x_ticks.empty()) x_ticks = {frame.x_low, frame.x_high};
  } else {
    x_ticks = x_axis == XAxis::integer ? integer_ticks(frame.x_low, frame.x_high, 6)
                                       : nice_ticks(frame.x_low, frame.x_high, 6);
    frame.x_low = std::min(frame.x_low, x_ticks.front());
    frame.x_high = std::max(frame.x_high, x_ticks.back());
  }
  const double x0 = kLeft;
  const double x1 = kLeft + kPlotWidth;
  const double y0 = kTop + kPlotHeight;
  const double y1 = kTop;
  for (double t : y_ticks) {
    const double y = frame.py(t);
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n",
                       x0, y, x1, y, x0 - 6, y + 4, number_label(t));
  }
  for (double t : x_ticks) {
    const double x = frame.px(t);
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"axis\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n",
                       x, y0, x, y0 + 5, x, y0 + 18, number_label(t));
  }
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" class=\"axis\"/>"
                     "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{3}\" class=\"axis\"/>\n",
                     x0, y0, x1, y1);
  out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"label\" text-anchor=\"middle\">{}</text>\n",
                     (x0 + x1) / 2, y0 + kBottom - 10, escape(x_label));
  out += fmt::format("<text transform=\"translate(16 {:.1f}) rotate(-90)\" class=\"label\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     (y0 + y1) / 2, escape(y_label));
  return out;
}

std::string legend_entry(std::size_t index, const std::string& name, std::size_t colour_index, bool dashed) {
  const double x = kLeft + kPlotWidth + 14;
  const double y = kTop + 8 + kLegendLine * static_cast<double>(index);
  return fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                     "stroke-width=\"3\"{}/><text x=\"{:.1f}\" y=\"{:.1f}\" class=\"legend\">{}</text>\n",
                     x, y, x + 20, y, colour(colour_index), dashed ? " stroke-dasharray=\"5 3\"" : "", x + 26, y + 4,
                     escape(name));
}

std::size_t code_points(const std::string& text) {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

}  // namespace

const char* colour(std::size_t i) {
  static const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                         "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return kPalette[i % 10];
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double low, double high, int count) {
  pad_range(low, high);
  const double raw = (high - low) / std::max(count, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  // Up to the first tick at or above `high`, so that the axis covers every value (a loss
  // of 1.7 once ended the axis at 1.5, the line running above the top tick).
  for (double t = std::floor(low / step) * step; t < high + step * 1.0001; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
    if (t >= high - step * 1e-9) break;
  }
  return ticks;
}

std::vector<double> integer_ticks(double low, double high, int count) {
  std::vector<double> ticks;
  for (double t : nice_ticks(low, high, count)) {
    if (t == std::round(t)) ticks.push_back(t);
  }
  // A range narrower than `count` whole numbers: nice_ticks steps below 1; take every one.
  if (ticks.size() < 2) {
    ticks.clear();
    for (double t = std::ceil(low - 1e-9); t <= std::floor(high + 1e-9); ++t) ticks.push_back(t);
  }
  if (ticks.empty()) ticks.push_back(std::round((low + high) / 2));
  return ticks;
}

double text_width(const std::string& text, double font_px) {
  return 0.62 * font_px * static_cast<double>(code_points(text));
}

std::vector<std::string> wrap_text(const std::string& text, double width, double font_px) {
  const auto per_line = static_cast<std::size_t>(std::max(1.0, std::floor(width / (0.62 * font_px))));
  std::vector<std::string> lines;
  std::string line;
  std::size_t line_points = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    start = end + 1;
    while (code_points(word) > per_line) {  // a word wider than a line: broken inside
      if (line_points > 0) {
        lines.push_back(line);
        line.clear();
        line_points = 0;
      }
      std::size_t cut = 0;
      for (std::size_t points = 0; cut < word.size() && points < per_line; ++points) {
        ++cut;
        while (cut < word.size() && (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) ++cut;
      }
      lines.push_back(word.substr(0, cut));
      word = word.substr(cut);
    }
    const std::size_t points = code_points(word);
    if (line_points > 0 && line_points + 1 + points > per_line) {
      lines.push_back(line);
      line.clear();
      line_points = 0;
    }
    if (line_points > 0) {
      line += ' ';
      ++line_points;
    }
    line += word;
    line_points += points;
  }
  if (line_points > 0 || lines.empty()) lines.push_back(line);
  return lines;
}

std::string line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                       const std::vector<LineSeries>& series, XAxis x_axis) {
  Frame frame{INFINITY, -INFINITY, INFINITY, -INFINITY};
  std::vector<std::string> legend;
  for (const auto& s : series) {
    legend.push_back(s.name);
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      frame.x_low = std::min(frame.x_low, s.x[i]);
      frame.x_high = std::max(frame.x_high, s.x[i]);
      const double lo = s.low.empty() || !std::isfinite(s.low[i]) ? s.y[i] : s.low[i];
      const double hi = s.high.empty() || !std::isfinite(s.high[i]) ? s.y[i] : s.high[i];
      frame.y_low = std::min(frame.y_low, lo);
      frame.y_high = std::max(frame.y_high, hi);
    }
  }
  pad_range(frame.x_low, frame.x_high);
  pad_range(frame.y_low, frame.y_high);
  std::string out = open_chart(title, chart_box(title, legend));
  out += axes(frame, x_label, y_label, x_axis);
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    if (!s.low.empty()) {
      std::string band;
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        const double lo = std::isfinite(s.low[i]) ? s.low[i] : s.y[i];
        band += fmt::format("{:.1f},{:.1f} ", frame.px(s.x[i]), frame.py(lo));
      }
      for (std::size_t i = s.x.size(); i-- > 0;) {
        const double hi = std::isfinite(s.high[i]) ? s.high[i] : s.y[i];
        band += fmt::format("{:.1f},{:.1f} ", frame.px(s.x[i]), frame.py(hi));
      }
      out += fmt::format("<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.18\" stroke=\"none\"/>\n", band,
                         colour(s.colour));
    }
    std::string line;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      line += fmt::format("{:.1f},{:.1f} ", frame.px(s.x[i]), frame.py(s.y[i]));
    }
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}>"
                       "<title>{}</title></polyline>\n",
                       line, colour(s.colour), s.dashed ? " stroke-dasharray=\"5 3\"" : "", escape(s.name));
    if (s.x.size() == 1) {
      out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", frame.px(s.x[0]),
                         frame.py(s.y[0]), colour(s.colour));
    }
    out += legend_entry(k, s.name, s.colour, s.dashed);
  }
  return out + close_chart();
}

std::string scatter_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<Point>& points, bool log_x) {
  Frame frame{INFINITY, -INFINITY, INFINITY, -INFINITY};
  frame.log_x = log_x;
  std::vector<std::string> legend;
  for (const auto& p : points) {
    if (log_x && !(p.x > 0)) continue;
    if (std::find(legend.begin(), legend.end(), p.name) == legend.end()) legend.push_back(p.name);
    frame.x_low = std::min(frame.x_low, p.x);
    frame.x_high = std::max(frame.x_high, p.x);
    frame.y_low = std::min(frame.y_low, p.y - p.y_error);
    frame.y_high = std::max(frame.y_high, p.y + p.y_error);
  }
  if (log_x) {
    if (!std::isfinite(frame.x_low)) frame.x_low = frame.x_high = 1;
    frame.x_low /= 1.5;
    frame.x_high *= 1.5;
  } else {
    pad_range(frame.x_low, frame.x_high);
  }
  pad_range(frame.y_low, frame.y_high);
  std::string out = open_chart(title, chart_box(title, legend));
  out += axes(frame, x_label, y_label, XAxis::real);
  legend.clear();
  for (const auto& p : points) {
    if (log_x && !(p.x > 0)) continue;
    const double x = frame.px(p.x);
    if (p.y_error > 0) {
      out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                         "stroke=\"{3}\" stroke-width=\"1.5\"/>\n",
                         x, frame.py(p.y - p.y_error), frame.py(p.y + p.y_error), colour(p.colour));
    }
    out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"><title>{}: {:g}, "
                       "{:.4f}</title></circle>\n",
                       x, frame.py(p.y), colour(p.colour), escape(p.name), p.x, p.y);
    if (std::find(legend.begin(), legend.end(), p.name) == legend.end()) {
      out += legend_entry(legend.size(), p.name, p.colour, false);
      legend.push_back(p.name);
    }
  }
  return out + close_chart();
}

std::string heatmap(const std::string& title, std::size_t rows, std::size_t cols, const std::vector<double>& values,
                    const std::vector<std::string>& class_names) {
  constexpr double kCellFont = 11;
  constexpr double kLabelFont = 11;
  const std::size_t classes = std::max<std::size_t>({rows, cols, 1});
  const auto label = [&class_names](std::size_t i) {
    return i < class_names.size() ? class_names[i] : std::to_string(i);
  };
  // Cells: at most 40 px, the matrix about 260 px across, but never narrower than the
  // widest count needs (4-digit counts of a 10-class test set would overflow 26 px cells).
  const bool counts_shown = classes <= kMaxLabelledClasses;
  double size = std::min(40.0, 260.0 / static_cast<double>(classes));
  if (counts_shown) {
    double widest = 0;
    for (const double value : values) widest = std::max(widest, text_width(fmt::format("{:g}", value), kCellFont));
    size = std::max({size, widest + 8, 18.0});
  }
  // Row labels on the left; column labels above, turned upright when they do not fit
  // across a cell.
  double row_label_width = 0;
  double column_label_width = 0;
  for (std::size_t r = 0; r < rows; ++r) row_label_width = std::max(row_label_width, text_width(label(r), kLabelFont));
  for (std::size_t c = 0; c < cols; ++c) {
    column_label_width = std::max(column_label_width, text_width(label(c), kLabelFont));
  }
  const bool upright = column_label_width > size - 2;
  const double left = 24 + row_label_width + 6;
  const double matrix_width = size * static_cast<double>(cols);
  const double width = std::max(left + matrix_width + 20, 300.0);
  const std::vector<std::string> title_lines = wrap_text(title, width - 12, kTitleFont);
  const double title_bottom = 20 + kTitleLine * static_cast<double>(title_lines.size() - 1);
  const double predicted_y = title_bottom + 20;
  const double top = predicted_y + 8 + (upright ? column_label_width + 4 : 14);
  const double height = top + size * static_cast<double>(rows) + 20;
  std::string out =
      fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{0:.0f}\" "
                  "height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" role=\"img\" aria-label=\"{2}\">\n",
                  width, height, escape(title)) +
      title_text(title_lines, 6, 20) +
      fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"label\" text-anchor=\"middle\">predicted</text>\n"
                  "<text transform=\"translate(14 {:.1f}) rotate(-90)\" class=\"label\" "
                  "text-anchor=\"middle\">true</text>\n",
                  left + matrix_width / 2, predicted_y, top + size * static_cast<double>(rows) / 2);
  for (std::size_t r = 0; r < rows; ++r) {
    double total = 0;
    for (std::size_t c = 0; c < cols; ++c) total += values[r * cols + c];
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n", left - 4,
                       top + size * static_cast<double>(r) + size / 2 + 4, escape(label(r)));
    for (std::size_t c = 0; c < cols; ++c) {
      const double value = values[r * cols + c];
      const double share = total > 0 ? value / total : 0;
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                         "fill=\"#4e79a7\" fill-opacity=\"{:.3f}\" stroke=\"#fff\"><title>true {}, "
                         "predicted {}: {:g} ({:.1f}%)</title></rect>\n",
                         left + size * static_cast<double>(c), top + size * static_cast<double>(r), size, size,
                         0.05 + 0.95 * share, escape(label(r)), escape(label(c)), value, 100 * share);
      if (counts_shown) {
        out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"cell\" text-anchor=\"middle\" "
                           "fill=\"{}\">{:g}</text>\n",
                           left + size * (static_cast<double>(c) + 0.5),
                           top + size * static_cast<double>(r) + size / 2 + 4, share > 0.5 ? "#fff" : "#222", value);
      }
    }
  }
  for (std::size_t c = 0; c < cols; ++c) {
    const double x = left + size * (static_cast<double>(c) + 0.5);
    if (upright) {
      out += fmt::format("<text transform=\"translate({:.1f} {:.1f}) rotate(-90)\" class=\"tick\">{}</text>\n", x + 4,
                         top - 4, escape(label(c)));
    } else {
      out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n", x,
                         top - 4, escape(label(c)));
    }
  }
  return out + "</svg>\n";
}

std::string bar_chart(const std::string& title, const std::string& y_label, const std::vector<std::string>& series,
                      const std::vector<BarGroup>& groups) {
  Frame frame{0, 1, INFINITY, -INFINITY};
  for (const auto& group : groups) {
    for (double v : group.values) {
      if (!std::isfinite(v)) continue;
      frame.y_low = std::min(frame.y_low, v);
      frame.y_high = std::max(frame.y_high, v);
    }
  }
  pad_range(frame.y_low, frame.y_high);
  frame.y_low = std::min(0.0, frame.y_low);
  const double span = kPlotWidth / static_cast<double>(std::max<std::size_t>(groups.size(), 1));
  const double bar = span * 0.8 / static_cast<double>(std::max<std::size_t>(series.size(), 1));
  // Class names that do not fit under their group run down at 45 degrees, the chart
  // growing below to hold them.
  double widest_name = 0;
  for (const auto& group : groups) widest_name = std::max(widest_name, text_width(group.name, kTickFont));
  const bool slanted = widest_name > span - 2;
  const double extra_bottom = slanted ? std::max(0.0, widest_name * 0.71 + 16 - (kBottom - 12)) : 0.0;
  std::string out = open_chart(title, chart_box(title, series, extra_bottom));
  // Category axis: drawn here, with the numeric y axis.
  const auto y_ticks = nice_ticks(frame.y_low, frame.y_high, 5);
  frame.y_high = std::max(frame.y_high, y_ticks.back());
  for (double t : y_ticks) {
    const double y = frame.py(t);
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n",
                       kLeft, y, kLeft + kPlotWidth, y, kLeft - 6, y + 4, number_label(t));
  }
  out += fmt::format("<text transform=\"translate(16 {:.1f}) rotate(-90)\" class=\"label\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     kTop + kPlotHeight / 2, escape(y_label));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const double x0 = kLeft + span * static_cast<double>(g) + span * 0.1;
    for (std::size_t s = 0; s < groups[g].values.size(); ++s) {
      const double v = groups[g].values[s];
      if (!std::isfinite(v)) continue;
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                         "fill=\"{}\"><title>{} {}: {:.4f}</title></rect>\n",
                         x0 + bar * static_cast<double>(s), frame.py(v), bar * 0.95,
                         frame.py(frame.y_low) - frame.py(v), colour(s), escape(series[s]), escape(groups[g].name), v);
    }
    const double y = kTop + kPlotHeight + 16;
    if (slanted) {
      out += fmt::format("<text transform=\"translate({:.1f} {:.1f}) rotate(-45)\" class=\"tick\" "
                         "text-anchor=\"end\">{}</text>\n",
                         x0 + span * 0.4, y - 4, escape(groups[g].name));
    } else {
      out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n",
                         x0 + span * 0.4, y, escape(groups[g].name));
    }
  }
  out += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" class=\"axis\"/>\n", kLeft,
                     kTop + kPlotHeight, kLeft + kPlotWidth);
  for (std::size_t s = 0; s < series.size(); ++s) out += legend_entry(s, series[s], s, false);
  return out + close_chart();
}

}  // namespace ablate::report::svg
