// The metric plugin interface: numbers computed from a model's scores on one split.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ablate/api.hpp"
#include "ablate/options.hpp"
#include "ablate/plugin.hpp"

namespace ablate {

// Softmax probabilities, row-major (count, num_classes), and the true labels.
struct ABLATE_API ScoredSamples {
  const float* scores = nullptr;
  const std::int64_t* labels = nullptr;
  std::int64_t count = 0;
  std::int64_t num_classes = 0;
};

struct ABLATE_API MetricMatrix {
  std::string name;  // e.g. "confusion_matrix": rows are true classes, columns predicted
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<double> values;  // row-major
};

struct ABLATE_API MetricResults {
  std::vector<std::pair<std::string, double>> scalars;  // e.g. {"accuracy", 0.93}
  std::vector<MetricMatrix> matrices;
};

class ABLATE_API Metric {
 public:
  virtual ~Metric() = default;
  virtual MetricResults compute(const ScoredSamples& samples) const = 0;
};

}  // namespace ablate

// Exports a metric plugin. FACTORY: ablate::Metric* (const Options&).
#define ABLATE_METRIC_PLUGIN(NAME, VERSION, DESCRIPTION, FACTORY) \
  ABLATE_DEFINE_PLUGIN(metric, NAME, VERSION, DESCRIPTION, "", nullptr, nullptr, FACTORY)
