// The HTML page's hand-drawn charts: ticks, titles that fit, cells that hold their counts.
#include "svg.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

namespace ablate::report::svg {
namespace {

// Every value of attribute `name` in `svg`, in order.
std::vector<double> attribute_values(const std::string& svg, const std::string& element, const std::string& name) {
  std::vector<double> values;
  const std::regex pattern("<" + element + " [^>]*\\b" + name + "=\"([0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), pattern); it != std::sregex_iterator(); ++it) {
    values.push_back(std::stod((*it)[1]));
  }
  return values;
}

TEST(SvgTest, EpochAxesGetWholeNumberTicksOnly) {
  EXPECT_EQ(integer_ticks(1, 2, 6), (std::vector<double>{1, 2}));
  EXPECT_EQ(integer_ticks(0.95, 1.05, 6), (std::vector<double>{1}));
  for (double t : integer_ticks(1, 50, 6)) EXPECT_EQ(t, static_cast<double>(static_cast<long>(t)));
  EXPECT_GE(integer_ticks(1, 50, 6).size(), 3u);
  // The real axis still gets fractional ticks where they are round.
  EXPECT_EQ(nice_ticks(1, 2, 6).size(), 6u);
  // The ticks cover the range: a loss from 0.1 to 1.7 gets a tick at 2, not a top tick of 1.5.
  EXPECT_DOUBLE_EQ(nice_ticks(0.1, 1.7, 5).back(), 2.0);
  EXPECT_DOUBLE_EQ(nice_ticks(0.5, 1.0, 5).back(), 1.0) << "a range ending on a tick ends there";
}

TEST(SvgTest, ATwoEpochLineChartHasNoFractionalEpochTick) {
  LineSeries line;
  line.name = "baseline val";
  line.x = {1, 2};
  line.y = {0.5, 0.6};
  const std::string chart = line_chart("Accuracy at 16", "epoch", "accuracy", {line}, XAxis::integer);
  EXPECT_EQ(chart.find(">1.2<"), std::string::npos) << chart;
  EXPECT_EQ(chart.find(">1.5<"), std::string::npos) << chart;
  EXPECT_NE(chart.find(">2</text>"), std::string::npos) << chart;
}

TEST(SvgTest, LongTitlesWrapToTheChartsWidth) {
  const std::string title = "baseline [train.max_epochs=1, dataset.options.classes=8] at 28: test confusion matrix, "
                            "summed over 3 runs";
  for (const double width : {120.0, 288.0, 600.0}) {
    const auto lines = wrap_text(title, width, 14);
    std::string joined;
    for (const auto& line : lines) {
      EXPECT_LE(text_width(line, 14), width) << line;
      joined += (joined.empty() ? "" : " ") + line;
    }
    if (width > 200) {
      EXPECT_EQ(joined, title) << "broken only at spaces when every word fits";
    }
  }
  const std::string chart = heatmap(title, 2, 2, {90, 10, 5, 95});
  EXPECT_NE(chart.find("summed over 3 runs"), std::string::npos) << "the whole title is in the chart";
  EXPECT_NE(chart.find("<tspan"), std::string::npos) << "on more than one line";
}

TEST(SvgTest, HeatmapCellsAreWideEnoughForTheWidestCount) {
  std::vector<double> values(100, 7);
  values[0] = 1234;
  const std::string chart = heatmap("Fashion-MNIST", 10, 10, values);
  const auto widths = attribute_values(chart, "rect", "width");
  ASSERT_EQ(widths.size(), 100u);
  EXPECT_GE(widths[0], text_width("1234", 11) + 4) << chart.substr(0, 400);
  EXPECT_NE(chart.find(">1234</text>"), std::string::npos);
}

TEST(SvgTest, HeatmapLabelsClassesByNameAndFallsBackToIndices) {
  const std::string named = heatmap("m", 2, 2, {1, 2, 3, 4}, {"T-shirt/top", "Ankle boot"});
  EXPECT_NE(named.find(">T-shirt/top</text>"), std::string::npos);
  EXPECT_NE(named.find("true Ankle boot, predicted T-shirt/top"), std::string::npos);
  const std::string numbered = heatmap("m", 2, 2, {1, 2, 3, 4});
  EXPECT_NE(numbered.find(">1</text>"), std::string::npos);
  EXPECT_EQ(numbered.find("T-shirt"), std::string::npos);
}

TEST(SvgTest, ALongLegendWidensTheChart) {
  LineSeries line;
  line.name = "baseline [train.max_epochs=1, dataset.options.classes=8] val";
  line.x = {1, 2};
  line.y = {0.5, 0.6};
  const std::string chart = line_chart("Accuracy", "epoch", "accuracy", {line}, XAxis::integer);
  const auto widths = attribute_values(chart, "svg", "width");
  ASSERT_EQ(widths.size(), 1u);
  EXPECT_GE(widths[0], 64 + 406 + 40 + text_width(line.name, 12));
}

}  // namespace
}  // namespace ablate::report::svg
