// Hand-drawn SVG charts for `report html`: line charts with bands, scatter plots with
// error bars, heat maps and grouped bars. Plain strings, no script, so the page works
// offline and renders the same everywhere.
#pragma once

#include <string>
#include <vector>

namespace ablate::report::svg {

// The colour of series i: Tableau 10, cycled.
const char* colour(std::size_t i);

// Escapes &, <, >, " and ' for XML text and attributes.
std::string escape(const std::string& text);

// Round tick values covering [low, high], about `count` of them.
std::vector<double> nice_ticks(double low, double high, int count);

struct LineSeries {
  std::string name;
  std::size_t colour = 0;
  bool dashed = false;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> low;  // band, same length as y (or empty: no band)
  std::vector<double> high;
};

std::string line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                       const std::vector<LineSeries>& series);

struct Point {
  std::string name;  // legend entry, and tooltip
  std::size_t colour = 0;
  double x = 0;
  double y = 0;
  double y_error = 0;  // sd; 0 draws no bar
};

std::string scatter_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<Point>& points, bool log_x);

// rows x cols values, row-major; cells shaded by their share of the row.
std::string heatmap(const std::string& title, std::size_t rows, std::size_t cols, const std::vector<double>& values);

struct BarGroup {
  std::string name;            // a class
  std::vector<double> values;  // one per series; NaN: none
};

std::string bar_chart(const std::string& title, const std::string& y_label, const std::vector<std::string>& series,
                      const std::vector<BarGroup>& groups);

}  // namespace ablate::report::svg
