// The terminal forms of `report curves` and `report confusion`, for the console reporter.
#pragma once

#include <string>
#include <vector>

#include "charts.hpp"

namespace ablate::report {

// Unicode sparklines on one shared scale, one line per curve.
std::string curves_text(const CurveReport& report);

// "▁▂▃▅▇": each value placed between low and high; ' ' for NaN.
std::string sparkline(const std::vector<double>& values, double low, double high);

// Aligned counts with each row's recall.
std::string confusion_text(const ConfusionReport& report);

}  // namespace ablate::report
