// Metric plugin `classification`: accuracy, balanced accuracy, precision/recall/F1 (macro,
// weighted, per class), ROC-AUC one-vs-rest, top-2 accuracy, log loss, ECE and the
// confusion matrix, as scikit-learn and MedMNIST define them (docs/metrics.md).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "ablate/error.hpp"
#include "ablate/metric.hpp"
#include "ablate/options.hpp"

namespace ablate {
namespace {

// scikit-learn >= 1.2 clips log-loss probabilities at the machine epsilon of the score
// dtype; the scores are promoted to float64 here, so a confident wrong answer costs
// -ln(2^-52) = 36.04 rather than infinity.
constexpr double kLogLossEpsilon = std::numeric_limits<double>::epsilon();

// Guo et al. 2017 use 15 equal-width confidence bins.
constexpr std::int64_t kCalibrationBins = 15;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void validate(const ScoredSamples& s) {
  if (s.count < 1) {
    throw DataError("metric plugin 'classification': got " + std::to_string(s.count) + " samples; expected at least 1");
  }
  if (s.num_classes < 1) {
    throw DataError("metric plugin 'classification': num_classes is " + std::to_string(s.num_classes) +
                    "; expected at least 1");
  }
  if (!s.scores || !s.labels) {
    throw DataError("metric plugin 'classification': scores or labels are null; expected " + std::to_string(s.count) +
                    " of each");
  }
  for (std::int64_t i = 0; i < s.count; ++i) {
    if (s.labels[i] < 0 || s.labels[i] >= s.num_classes) {
      throw DataError("metric plugin 'classification': label of sample " + std::to_string(i) + " is " +
                      std::to_string(s.labels[i]) + "; expected 0 to " + std::to_string(s.num_classes - 1));
    }
  }
  // A NaN would silently win or lose every argmax; the numbers would look real.
  for (std::int64_t i = 0; i < s.count * s.num_classes; ++i) {
    if (!std::isfinite(s.scores[i])) {
      throw DataError("metric plugin 'classification': score of sample " + std::to_string(i / s.num_classes) +
                      ", class " + std::to_string(i % s.num_classes) + " is " + std::to_string(s.scores[i]) +
                      "; expected a finite probability");
    }
  }
}

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

const float* row_of(const ScoredSamples& s, std::int64_t i) { return s.scores + i * s.num_classes; }

// Ties go to the lowest class index, as numpy.argmax.
std::int64_t argmax(const float* row, std::int64_t n) {
  std::int64_t best = 0;
  for (std::int64_t c = 1; c < n; ++c) {
    if (row[c] > row[best]) best = c;
  }
  return best;
}

std::vector<std::int64_t> predictions(const ScoredSamples& s) {
  std::vector<std::int64_t> predicted(at(s.count));
  for (std::int64_t i = 0; i < s.count; ++i) predicted[at(i)] = argmax(row_of(s, i), s.num_classes);
  return predicted;
}

// Row-major (num_classes, num_classes): rows are true classes, columns predicted.
std::vector<double> confusion_matrix(const ScoredSamples& s, const std::vector<std::int64_t>& predicted) {
  const std::int64_t k = s.num_classes;
  std::vector<double> confusion(at(k * k), 0.0);
  for (std::int64_t i = 0; i < s.count; ++i) confusion[at(s.labels[i] * k + predicted[at(i)])] += 1;
  return confusion;
}

double safe_ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0.0;  // sklearn's zero_division=0
}

struct ClassScores {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  double support = 0;    // samples of this class in the labels
  double predicted = 0;  // samples predicted as this class
};

// sklearn's precision_recall_fscore_support(average=None, labels=range(k), zero_division=0).
std::vector<ClassScores> per_class_scores(const std::vector<double>& confusion, std::int64_t k) {
  std::vector<ClassScores> classes(at(k));
  for (std::int64_t t = 0; t < k; ++t) {
    for (std::int64_t p = 0; p < k; ++p) {
      const double cell = confusion[at(t * k + p)];
      classes[at(t)].support += cell;
      classes[at(p)].predicted += cell;
    }
  }
  for (std::int64_t c = 0; c < k; ++c) {
    ClassScores& scores = classes[at(c)];
    const double tp = confusion[at(c * k + c)];
    scores.precision = safe_ratio(tp, scores.predicted);
    scores.recall = safe_ratio(tp, scores.support);
    // 2tp / (2tp + fp + fn): the same as 2PR/(P+R) when both are defined, and 0 rather
    // than NaN when the class is never predicted or never present.
    scores.f1 = safe_ratio(2 * tp, scores.support + scores.predicted);
  }
  return classes;
}

double accuracy(const std::vector<double>& confusion, std::int64_t k, std::int64_t count) {
  double correct = 0;
  for (std::int64_t c = 0; c < k; ++c) correct += confusion[at(c * k + c)];
  return correct / static_cast<double>(count);
}

// Mean recall over the classes present in the labels. sklearn drops the others (their
// recall is 0/0) and warns when a predicted class is absent from the labels.
double balanced_accuracy(const std::vector<ClassScores>& classes) {
  double sum = 0;
  std::int64_t present = 0;
  for (const ClassScores& c : classes) {
    if (c.support > 0) {
      sum += c.recall;
      ++present;
    }
  }
  return sum / static_cast<double>(present);
}

struct Averages {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
};

// Over sklearn's default `labels`, the classes seen in the labels or the predictions: a
// class absent from both says nothing either way.
Averages macro_average(const std::vector<ClassScores>& classes) {
  Averages sum;
  std::int64_t seen = 0;
  for (const ClassScores& c : classes) {
    if (c.support > 0 || c.predicted > 0) {
      sum.precision += c.precision;
      sum.recall += c.recall;
      sum.f1 += c.f1;
      ++seen;
    }
  }
  const auto n = static_cast<double>(seen);
  return {sum.precision / n, sum.recall / n, sum.f1 / n};
}

// Weighted by support; recall_weighted therefore always equals accuracy, as in sklearn.
Averages weighted_average(const std::vector<ClassScores>& classes, std::int64_t count) {
  Averages sum;
  for (const ClassScores& c : classes) {
    sum.precision += c.precision * c.support;
    sum.recall += c.recall * c.support;
    sum.f1 += c.f1 * c.support;
  }
  const auto n = static_cast<double>(count);
  return {sum.precision / n, sum.recall / n, sum.f1 / n};
}

// The true class is in the top two when at most one class ranks above it, ranking by
// score and then by lower index (so top-1 of this ranking is the argmax). On exact ties
// this can differ from sklearn's top_k_accuracy_score, which ranks higher indices first.
double top2_accuracy(const ScoredSamples& s) {
  double hits = 0;
  for (std::int64_t i = 0; i < s.count; ++i) {
    const float* row = row_of(s, i);
    const std::int64_t truth = s.labels[i];
    std::int64_t above = 0;
    for (std::int64_t c = 0; c < s.num_classes; ++c) {
      if (row[c] > row[truth] || (row[c] == row[truth] && c < truth)) ++above;
    }
    if (above < 2) hits += 1;
  }
  return hits / static_cast<double>(s.count);
}

// sklearn 1.2-1.4's log_loss(labels=range(k)) on float64 scores: clip each probability to
// [eps, 1 - eps], renormalise the row to sum 1, average -ln p(true class).
double log_loss(const ScoredSamples& s) {
  double total = 0;
  for (std::int64_t i = 0; i < s.count; ++i) {
    const float* row = row_of(s, i);
    double row_sum = 0;
    for (std::int64_t c = 0; c < s.num_classes; ++c) {
      row_sum += std::clamp(static_cast<double>(row[c]), kLogLossEpsilon, 1 - kLogLossEpsilon);
    }
    const double truth = std::clamp(static_cast<double>(row[s.labels[i]]), kLogLossEpsilon, 1 - kLogLossEpsilon);
    total -= std::log(truth / row_sum);
  }
  return total / static_cast<double>(s.count);
}

// sklearn's roc_auc_score of score[:, k] against (label == k): the trapezoid area under the
// ROC curve with one point per distinct score, so a positive and a negative with equal
// scores count half (the Mann-Whitney U with mid-ranks). Counts stay integers until the
// last division, so the result is exact to one rounding. NaN when the labels hold no
// positive or no negative (sklearn raises there).
double one_vs_rest_auc(const ScoredSamples& s, std::int64_t k) {
  std::vector<std::pair<float, bool>> ranked(at(s.count));
  for (std::int64_t i = 0; i < s.count; ++i) ranked[at(i)] = {row_of(s, i)[k], s.labels[i] == k};
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });

  double positives_above = 0;
  double twice_area = 0;  // in (positive, negative) pair counts, doubled to stay integral
  std::size_t group = 0;
  while (group < ranked.size()) {
    double tied_positives = 0;
    double tied_negatives = 0;
    std::size_t end = group;
    for (; end < ranked.size() && ranked[end].first == ranked[group].first; ++end) {
      (ranked[end].second ? tied_positives : tied_negatives) += 1;
    }
    twice_area += tied_negatives * (2 * positives_above + tied_positives);
    positives_above += tied_positives;
    group = end;
  }
  const double positives = positives_above;
  const double negatives = static_cast<double>(s.count) - positives;
  if (positives == 0 || negatives == 0) return kNaN;
  return twice_area / (2 * positives * negatives);
}

// MedMNIST's multi-class AUC is the mean of the per-class AUCs. Classes whose AUC is
// undefined are left out rather than failing the run; NaN when no class is defined.
double macro_auc(const std::vector<double>& per_class) {
  double sum = 0;
  std::int64_t defined = 0;
  for (double auc : per_class) {
    if (!std::isnan(auc)) {
      sum += auc;
      ++defined;
    }
  }
  return defined > 0 ? sum / static_cast<double>(defined) : kNaN;
}

// Guo et al. 2017: sum over bins of |accuracy - mean confidence| * n_bin / N, confidence
// being the top (argmax) probability, bin b = (b/15, (b+1)/15]. 15 * a float confidence is
// exact in double, so the bin edges are the exact rationals. A confidence outside (0, 1]
// (impossible for a softmax) falls in no bin, as in the reference code, but counts in N.
double expected_calibration_error(const ScoredSamples& s, const std::vector<std::int64_t>& predicted) {
  std::vector<double> correct(at(kCalibrationBins), 0.0);
  std::vector<double> confidence(at(kCalibrationBins), 0.0);
  for (std::int64_t i = 0; i < s.count; ++i) {
    const double top = row_of(s, i)[predicted[at(i)]];
    if (top <= 0 || top > 1) continue;
    const auto bin = static_cast<std::int64_t>(std::ceil(top * kCalibrationBins)) - 1;
    correct[at(bin)] += predicted[at(i)] == s.labels[i] ? 1 : 0;
    confidence[at(bin)] += top;
  }
  // |acc - conf| * n_bin / N = |correct - sum of confidences| / N.
  double total = 0;
  for (std::int64_t b = 0; b < kCalibrationBins; ++b) {
    total += std::abs(correct[at(b)] - confidence[at(b)]);
  }
  return total / static_cast<double>(s.count);
}

class Classification final : public Metric {
 public:
  MetricResults compute(const ScoredSamples& s) const override {
    validate(s);
    const std::int64_t k = s.num_classes;
    const std::vector<std::int64_t> predicted = predictions(s);
    std::vector<double> confusion = confusion_matrix(s, predicted);
    const std::vector<ClassScores> classes = per_class_scores(confusion, k);
    const Averages macro = macro_average(classes);
    const Averages weighted = weighted_average(classes, s.count);
    std::vector<double> auc(at(k));
    for (std::int64_t c = 0; c < k; ++c) auc[at(c)] = one_vs_rest_auc(s, c);

    MetricResults results;
    results.scalars = {
        {"accuracy", accuracy(confusion, k, s.count)},
        {"balanced_accuracy", balanced_accuracy(classes)},
        {"precision_macro", macro.precision},
        {"recall_macro", macro.recall},
        {"f1_macro", macro.f1},
        {"precision_weighted", weighted.precision},
        {"recall_weighted", weighted.recall},
        {"f1_weighted", weighted.f1},
    };
    // With two classes the true class is always in the top two: the number says nothing.
    if (k >= 3) results.scalars.emplace_back("top2_accuracy", top2_accuracy(s));
    results.scalars.emplace_back("log_loss", log_loss(s));
    results.scalars.emplace_back("roc_auc_ovr_macro", macro_auc(auc));
    results.scalars.emplace_back("ece_15", expected_calibration_error(s, predicted));
    for (std::int64_t c = 0; c < k; ++c) {
      const std::string suffix = "/" + std::to_string(c);
      const ClassScores& scores = classes[at(c)];
      results.scalars.emplace_back("precision" + suffix, scores.precision);
      results.scalars.emplace_back("recall" + suffix, scores.recall);
      results.scalars.emplace_back("f1" + suffix, scores.f1);
      results.scalars.emplace_back("support" + suffix, scores.support);
      results.scalars.emplace_back("roc_auc" + suffix, auc[at(c)]);
    }
    results.matrices.push_back(MetricMatrix{"confusion_matrix", k, k, std::move(confusion)});
    return results;
  }
};

Metric* create(const Options& /*options*/) { return new Classification(); }

}  // namespace
}  // namespace ablate

ABLATE_METRIC_PLUGIN("classification", "1.1.0",
                     "accuracy, balanced accuracy, macro/weighted/per-class P/R/F1, ROC-AUC "
                     "one-vs-rest, top-2, log loss, ECE (15 bins), confusion matrix",
                     ablate::create)
