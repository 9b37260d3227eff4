// Metric plugin `classification`: accuracy, balanced accuracy, macro/weighted precision,
// recall and F1, top-2 accuracy, log loss and the confusion matrix, as scikit-learn does.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ablate/error.hpp"
#include "ablate/metric.hpp"
#include "ablate/options.hpp"

namespace ablate {
namespace {

// The classic scikit-learn log_loss floor (eps=1e-15): a confident wrong answer costs
// -ln(1e-15) = 34.5 rather than infinity.
constexpr double kLogLossFloor = 1e-15;

void validate(const ScoredSamples& s) {
  if (s.count < 1) {
    throw DataError("metric plugin 'classification': got " + std::to_string(s.count) +
                    " samples; expected at least 1");
  }
  if (s.num_classes < 1) {
    throw DataError("metric plugin 'classification': num_classes is " +
                    std::to_string(s.num_classes) + "; expected at least 1");
  }
  if (!s.scores || !s.labels) {
    throw DataError("metric plugin 'classification': scores or labels are null; expected " +
                    std::to_string(s.count) + " of each");
  }
  for (std::int64_t i = 0; i < s.count; ++i) {
    if (s.labels[i] < 0 || s.labels[i] >= s.num_classes) {
      throw DataError("metric plugin 'classification': label of sample " + std::to_string(i) +
                      " is " + std::to_string(s.labels[i]) + "; expected 0 to " +
                      std::to_string(s.num_classes - 1));
    }
  }
  // A NaN would silently win or lose every argmax; the numbers would look real.
  for (std::int64_t i = 0; i < s.count * s.num_classes; ++i) {
    if (!std::isfinite(s.scores[i])) {
      throw DataError("metric plugin 'classification': score of sample " +
                      std::to_string(i / s.num_classes) + ", class " +
                      std::to_string(i % s.num_classes) + " is " + std::to_string(s.scores[i]) +
                      "; expected a finite probability");
    }
  }
}

// Ties go to the lowest class index, as numpy.argmax.
std::int64_t argmax(const float* row, std::int64_t n) {
  std::int64_t best = 0;
  for (std::int64_t c = 1; c < n; ++c) {
    if (row[c] > row[best]) best = c;
  }
  return best;
}

// The true class is in the top two when at most one class ranks above it, ranking by
// score and then by lower index (so top-1 of this ranking is the argmax). On exact ties
// this can differ from sklearn's top_k_accuracy_score, which ranks higher indices first.
bool in_top2(const float* row, std::int64_t n, std::int64_t truth) {
  std::int64_t above = 0;
  for (std::int64_t c = 0; c < n; ++c) {
    if (row[c] > row[truth] || (row[c] == row[truth] && c < truth)) ++above;
  }
  return above < 2;
}

double safe_ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0.0;  // sklearn's zero_division=0
}

class Classification final : public Metric {
 public:
  MetricResults compute(const ScoredSamples& s) const override {
    validate(s);
    const std::int64_t k = s.num_classes;
    const double n = static_cast<double>(s.count);

    std::vector<double> confusion(static_cast<std::size_t>(k * k), 0.0);
    double correct = 0;
    double top2 = 0;
    double log_loss = 0;
    for (std::int64_t i = 0; i < s.count; ++i) {
      const float* row = s.scores + i * k;
      const std::int64_t truth = s.labels[i];
      const std::int64_t predicted = argmax(row, k);
      confusion[static_cast<std::size_t>(truth * k + predicted)] += 1;
      if (predicted == truth) correct += 1;
      if (in_top2(row, k, truth)) top2 += 1;
      log_loss -= std::log(std::max(static_cast<double>(row[truth]), kLogLossFloor));
    }

    std::vector<double> support(static_cast<std::size_t>(k), 0.0);    // row sums
    std::vector<double> predicted(static_cast<std::size_t>(k), 0.0);  // column sums
    for (std::int64_t t = 0; t < k; ++t) {
      for (std::int64_t p = 0; p < k; ++p) {
        const double cell = confusion[static_cast<std::size_t>(t * k + p)];
        support[static_cast<std::size_t>(t)] += cell;
        predicted[static_cast<std::size_t>(p)] += cell;
      }
    }

    // Macro averages run over the classes seen in the labels or the predictions, as
    // sklearn's default `labels`: a class absent from both says nothing either way.
    // Balanced accuracy averages recall over the classes present in the labels only.
    double precision_sum = 0, recall_sum = 0, f1_sum = 0, f1_weighted = 0;
    double recall_present_sum = 0;
    std::int64_t seen = 0, present = 0;
    for (std::int64_t c = 0; c < k; ++c) {
      const auto u = static_cast<std::size_t>(c);
      const double tp = confusion[static_cast<std::size_t>(c * k + c)];
      const double recall = safe_ratio(tp, support[u]);
      // 2tp / (2tp + fp + fn): the same as 2PR/(P+R) when both are defined, and 0 rather
      // than NaN when a class is never predicted.
      const double f1 = safe_ratio(2 * tp, support[u] + predicted[u]);
      if (support[u] > 0) {
        recall_present_sum += recall;
        ++present;
      }
      if (support[u] > 0 || predicted[u] > 0) {
        precision_sum += safe_ratio(tp, predicted[u]);
        recall_sum += recall;
        f1_sum += f1;
        ++seen;
      }
      f1_weighted += f1 * support[u];
    }

    MetricResults results;
    results.scalars = {
        {"accuracy", correct / n},
        {"balanced_accuracy", recall_present_sum / static_cast<double>(present)},
        {"precision_macro", precision_sum / static_cast<double>(seen)},
        {"recall_macro", recall_sum / static_cast<double>(seen)},
        {"f1_macro", f1_sum / static_cast<double>(seen)},
        {"f1_weighted", f1_weighted / n},
    };
    // With two classes the true class is always in the top two: the number says nothing.
    if (k >= 3) results.scalars.emplace_back("top2_accuracy", top2 / n);
    results.scalars.emplace_back("log_loss", log_loss / n);
    results.matrices.push_back(MetricMatrix{"confusion_matrix", k, k, std::move(confusion)});
    return results;
  }
};

Metric* create(const Options& /*options*/) { return new Classification(); }

}  // namespace
}  // namespace ablate

ABLATE_METRIC_PLUGIN("classification", "1.0.0",
                     "accuracy, balanced accuracy, macro/weighted P/R/F1, top-2, log loss, "
                     "confusion matrix",
                     ablate::create)
