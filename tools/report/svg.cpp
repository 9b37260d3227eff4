// SVG charts drawn by hand: axes with round ticks, a legend, and the marks.
#include "svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ablate::report::svg {

namespace {

constexpr double kWidth = 640;
constexpr double kHeight = 360;
constexpr double kLeft = 64;
constexpr double kRight = 170;  // room for the legend
constexpr double kTop = 34;
constexpr double kBottom = 48;

struct Frame {
  double x_low, x_high, y_low, y_high;
  bool log_x = false;
  double px(double x) const {
    const double a = log_x ? std::log10(x) : x;
    const double lo = log_x ? std::log10(x_low) : x_low;
    const double hi = log_x ? std::log10(x_high) : x_high;
    return kLeft + (hi > lo ? (a - lo) / (hi - lo) : 0.5) * (kWidth - kLeft - kRight);
  }
  double py(double y) const {
    return kHeight - kBottom - (y_high > y_low ? (y - y_low) / (y_high - y_low) : 0.5) * (kHeight - kTop - kBottom);
  }
};

std::string number_label(double value) {
  if (value != 0 && (std::fabs(value) >= 1e5 || std::fabs(value) < 1e-3)) {
    return fmt::format("{:.2g}", value);
  }
  return fmt::format("{:g}", value);
}

std::string open_svg(const std::string& title) {
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{0}\" height=\"{1}\" "
                     "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"{2}\">\n"
                     "<text x=\"{3}\" y=\"20\" class=\"title\">{2}</text>\n",
                     kWidth, kHeight, escape(title), kLeft);
}

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

std::string axes(Frame& frame, const std::string& x_label, const std::string& y_label) {
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
    x_ticks = nice_ticks(frame.x_low, frame.x_high, 6);
    frame.x_low = std::min(frame.x_low, x_ticks.front());
    frame.x_high = std::max(frame.x_high, x_ticks.back());
  }
  const double x0 = kLeft;
  const double x1 = kWidth - kRight;
  const double y0 = kHeight - kBottom;
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
                     (x0 + x1) / 2, kHeight - 10, escape(x_label));
  out += fmt::format("<text transform=\"translate(16 {:.1f}) rotate(-90)\" class=\"label\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     (y0 + y1) / 2, escape(y_label));
  return out;
}

std::string legend_entry(std::size_t index, const std::string& name, std::size_t colour_index, bool dashed) {
  const double x = kWidth - kRight + 14;
  const double y = kTop + 8 + 18 * static_cast<double>(index);
  return fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                     "stroke-width=\"3\"{}/><text x=\"{:.1f}\" y=\"{:.1f}\" class=\"legend\">{}</text>\n",
                     x, y, x + 20, y, colour(colour_index), dashed ? " stroke-dasharray=\"5 3\"" : "", x + 26, y + 4,
                     escape(name));
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
  for (double t = std::floor(low / step) * step; t <= high + step * 0.5; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
    if (t >= high) break;
  }
  return ticks;
}

std::string line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                       const std::vector<LineSeries>& series) {
  Frame frame{INFINITY, -INFINITY, INFINITY, -INFINITY};
  for (const auto& s : series) {
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
  std::string out = open_svg(title);
  out += axes(frame, x_label, y_label);
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
  return out + "</svg>\n";
}

std::string scatter_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<Point>& points, bool log_x) {
  Frame frame{INFINITY, -INFINITY, INFINITY, -INFINITY};
  frame.log_x = log_x;
  for (const auto& p : points) {
    if (log_x && !(p.x > 0)) continue;
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
  std::string out = open_svg(title);
  out += axes(frame, x_label, y_label);
  std::vector<std::string> legend;
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
  return out + "</svg>\n";
}

std::string heatmap(const std::string& title, std::size_t rows, std::size_t cols, const std::vector<double>& values) {
  const double size = std::min(40.0, 260.0 / static_cast<double>(std::max<std::size_t>(rows, cols)));
  const double left = 50;
  const double top = 50;
  const double width = left + size * static_cast<double>(cols) + 20;
  const double height = top + size * static_cast<double>(rows) + 20;
  std::string out =
      fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{0:.0f}\" "
                  "height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" role=\"img\" aria-label=\"{2}\">\n"
                  "<text x=\"4\" y=\"16\" class=\"title\">{2}</text>\n"
                  "<text x=\"{3:.1f}\" y=\"36\" class=\"label\" text-anchor=\"middle\">predicted</text>\n"
                  "<text transform=\"translate(14 {4:.1f}) rotate(-90)\" class=\"label\" "
                  "text-anchor=\"middle\">true</text>\n",
                  std::max(width, 300.0), height, escape(title), left + size * static_cast<double>(cols) / 2,
                  top + size * static_cast<double>(rows) / 2);
  for (std::size_t r = 0; r < rows; ++r) {
    double total = 0;
    for (std::size_t c = 0; c < cols; ++c) total += values[r * cols + c];
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n", left - 4,
                       top + size * (static_cast<double>(r) + 0.6), r);
    for (std::size_t c = 0; c < cols; ++c) {
      const double value = values[r * cols + c];
      const double share = total > 0 ? value / total : 0;
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                         "fill=\"#4e79a7\" fill-opacity=\"{:.3f}\" stroke=\"#fff\"><title>true {}, "
                         "predicted {}: {:g} ({:.1f}%)</title></rect>\n",
                         left + size * static_cast<double>(c), top + size * static_cast<double>(r), size, size,
                         0.05 + 0.95 * share, r, c, value, 100 * share);
      if (size >= 24) {
        out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"cell\" text-anchor=\"middle\" "
                           "fill=\"{}\">{:g}</text>\n",
                           left + size * (static_cast<double>(c) + 0.5), top + size * (static_cast<double>(r) + 0.6),
                           share > 0.5 ? "#fff" : "#222", value);
      }
    }
  }
  for (std::size_t c = 0; c < cols; ++c) {
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n",
                       left + size * (static_cast<double>(c) + 0.5), top - 2, c);
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
  std::string out = open_svg(title);
  // Category axis: drawn here; the numeric y axis by axes() with a dummy x range.
  const auto y_ticks = nice_ticks(frame.y_low, frame.y_high, 5);
  frame.y_high = std::max(frame.y_high, y_ticks.back());
  for (double t : y_ticks) {
    const double y = frame.py(t);
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n",
                       kLeft, y, kWidth - kRight, y, kLeft - 6, y + 4, number_label(t));
  }
  out += fmt::format("<text transform=\"translate(16 {:.1f}) rotate(-90)\" class=\"label\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     (kHeight - kBottom + kTop) / 2, escape(y_label));
  const double span = (kWidth - kLeft - kRight) / static_cast<double>(std::max<std::size_t>(groups.size(), 1));
  const double bar = span * 0.8 / static_cast<double>(std::max<std::size_t>(series.size(), 1));
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
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n",
                       x0 + span * 0.4, kHeight - kBottom + 16, escape(groups[g].name));
  }
  out += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" class=\"axis\"/>\n", kLeft,
                     kHeight - kBottom, kWidth - kRight);
  for (std::size_t s = 0; s < series.size(); ++s) out += legend_entry(s, series[s], s, false);
  return out + "</svg>\n";
}

}  // namespace ablate::report::svg
