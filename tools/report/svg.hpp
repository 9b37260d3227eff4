// Hand-drawn SVG charts for `report html`: line charts with bands, scatter plots with
// error bars, heat maps and grouped bars. Plain strings, no script, so the charts work
// offline and render the same everywhere.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ablate::report::svg {

// The colour of series i: Tableau 10, cycled.
const char* colour(std::size_t i);

// Escapes &, <, >, " and ' for XML text and attributes.
std::string escape(const std::string& text);

// Round tick values covering [low, high], about `count` of them.
std::vector<double> nice_ticks(double low, double high, int count);

// As nice_ticks, but only whole numbers, at least 1 apart: an epoch axis from 1 to 2
// gets 1 and 2, never 1.2, 1.4, ...
std::vector<double> integer_ticks(double low, double high, int count);

// About how wide `text` is drawn at `font_px` in the page's sans-serif font: an
// overestimate (0.62 em per code point), so that what is sized by it fits.
double text_width(const std::string& text, double font_px);

// `text` broken at spaces into lines at most `width` pixels wide at `font_px`; a word
// wider than a line is broken inside. At least one line.
std::vector<std::string> wrap_text(const std::string& text, double width, double font_px);

struct LineSeries {
  std::string name;
  std::size_t colour = 0;
  bool dashed = false;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> low;  // band, same length as y (or empty: no band)
  std::vector<double> high;
};

enum class XAxis { real, integer };  // integer: whole-number ticks only (epochs)

std::string line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                       const std::vector<LineSeries>& series, XAxis x_axis = XAxis::real);

struct Point {
  std::string name;  // legend entry, and tooltip
  std::size_t colour = 0;
  double x = 0;
  double y = 0;
  double y_error = 0;  // sd; 0 draws no bar
};

std::string scatter_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<Point>& points, bool log_x);

// rows x cols values, row-major; cells shaded by their share of the row. Rows and columns
// are labelled by `class_names` where it has a name for the index, else by the index.
// Cells are sized so that the widest count fits; with more than kMaxLabelledClasses
// classes the counts are left to the cells' tooltips.
inline constexpr std::size_t kMaxLabelledClasses = 30;
std::string heatmap(const std::string& title, std::size_t rows, std::size_t cols, const std::vector<double>& values,
                    const std::vector<std::string>& class_names = {});

struct BarGroup {
  std::string name;            // a class
  std::vector<double> values;  // one per series; NaN: none
};

std::string bar_chart(const std::string& title, const std::string& y_label, const std::vector<std::string>& series,
                      const std::vector<BarGroup>& groups);

}  // namespace ablate::report::svg
