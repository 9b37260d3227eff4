// Tests of the classification metric plugin, loaded through the real plugin loader, on
// small cases whose values are worked out by hand below (scikit-learn's definitions).
// Where a comment says "sklearn 1.2.1", the literal was also printed by scikit-learn 1.2.1
// (Debian 12's python3-sklearn) on the same scores cast float32 -> float64; ECE, which
// sklearn lacks, was checked against Guo et al.'s numpy binning. No Python runs here.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "ablate/error.hpp"
#include "ablate/metric.hpp"
#include "config/plugin_registry.hpp"

namespace ablate {
namespace {

// Scores are floats: 0.7f is not 0.7, so logs of them agree with the decimals to ~1e-7.
constexpr double kTolerance = 1e-6;

class ClassificationMetricTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.load_directories({ABLATE_PLUGIN_DIR});
    metric_ = registry_.create_metric("classification", YAML::Load("{}"));
  }

  MetricResults compute(const std::vector<std::vector<float>>& rows, const std::vector<std::int64_t>& labels) const {
    scores_.clear();
    for (const auto& row : rows) scores_.insert(scores_.end(), row.begin(), row.end());
    labels_ = labels;
    ScoredSamples samples;
    samples.scores = scores_.data();
    samples.labels = labels_.data();
    samples.count = static_cast<std::int64_t>(labels.size());
    samples.num_classes = rows.empty() ? 3 : static_cast<std::int64_t>(rows.front().size());
    return metric_->compute(samples);
  }

  PluginRegistry registry_;
  std::shared_ptr<Metric> metric_;
  mutable std::vector<float> scores_;
  mutable std::vector<std::int64_t> labels_;
};

bool has_scalar(const MetricResults& results, const std::string& name) {
  for (const auto& [key, value] : results.scalars) {
    if (key == name) return true;
  }
  return false;
}

double scalar(const MetricResults& results, const std::string& name) {
  for (const auto& [key, value] : results.scalars) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no scalar named " << name;
  return std::numeric_limits<double>::quiet_NaN();
}

// Every per-class scalar of class `k`, in the plugin's order.
std::vector<double> class_row(const MetricResults& results, int k) {
  std::vector<double> row;
  for (const char* name : {"precision/", "recall/", "f1/", "support/", "roc_auc/"}) {
    row.push_back(scalar(results, name + std::to_string(k)));
  }
  return row;
}

const MetricMatrix& confusion(const MetricResults& results) {
  EXPECT_EQ(results.matrices.size(), 1u);
  EXPECT_EQ(results.matrices.at(0).name, "confusion_matrix");
  return results.matrices.at(0);
}

TEST_F(ClassificationMetricTest, ReportsTheDocumentedScalarsInOrder) {
  const MetricResults r = compute({{0.7f, 0.2f, 0.1f}}, {0});
  std::vector<std::string> names;
  for (const auto& entry : r.scalars) names.push_back(entry.first);
  std::vector<std::string> expected = {"accuracy",      "balanced_accuracy",  "precision_macro",   "recall_macro",
                                       "f1_macro",      "precision_weighted", "recall_weighted",   "f1_weighted",
                                       "top2_accuracy", "log_loss",           "roc_auc_ovr_macro", "ece_15"};
  for (const char* k : {"0", "1", "2"}) {
    for (const char* name : {"precision/", "recall/", "f1/", "support/", "roc_auc/"}) {
      expected.push_back(std::string(name) + k);
    }
  }
  EXPECT_EQ(names, expected);
}

TEST_F(ClassificationMetricTest, PerfectClassifierScoresOneEverywhere) {
  const MetricResults r =
      compute({{0.8f, 0.1f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.1f, 0.1f, 0.8f}, {0.6f, 0.3f, 0.1f}}, {0, 1, 2, 0});
  for (const char* name :
       {"accuracy", "balanced_accuracy", "precision_macro", "recall_macro", "f1_macro", "precision_weighted",
        "recall_weighted", "f1_weighted", "top2_accuracy", "roc_auc_ovr_macro"}) {
    EXPECT_DOUBLE_EQ(scalar(r, name), 1.0) << name;
  }
  // Every positive outscores every negative in each column: AUC 1 per class.
  EXPECT_EQ(class_row(r, 0), (std::vector<double>{1, 1, 1, 2, 1}));
  EXPECT_EQ(class_row(r, 1), (std::vector<double>{1, 1, 1, 1, 1}));
  EXPECT_EQ(class_row(r, 2), (std::vector<double>{1, 1, 1, 1, 1}));
  // -(3 ln 0.8 + ln 0.6) / 4 = (3 * 0.2231436 + 0.5108256) / 4 = 0.2950641
  EXPECT_NEAR(scalar(r, "log_loss"), 0.29506406942715496, kTolerance);
  // All correct, so ECE = sum over bins |n_bin - sum conf| / N = 1 - mean confidence
  //   = 1 - (3 * 0.8 + 0.6) / 4 = 0.25 (0.8 in bin (12/15, 13/15], 0.6 in (9/15, 10/15]).
  EXPECT_NEAR(scalar(r, "ece_15"), 0.25, kTolerance);
  EXPECT_EQ(confusion(r).values, (std::vector<double>{2, 0, 0, 0, 1, 0, 0, 0, 1}));
}

TEST_F(ClassificationMetricTest, WorstClassifierScoresZeroAucZeroAndClippedLogLoss) {
  // Two classes, every sample confidently given to the other one.
  const MetricResults r = compute({{0.0f, 1.0f}, {0.0f, 1.0f}, {1.0f, 0.0f}, {1.0f, 0.0f}}, {0, 0, 1, 1});
  for (const char* name :
       {"accuracy", "balanced_accuracy", "precision_macro", "recall_macro", "f1_macro", "precision_weighted",
        "recall_weighted", "f1_weighted", "roc_auc_ovr_macro", "roc_auc/0", "roc_auc/1"}) {
    EXPECT_DOUBLE_EQ(scalar(r, name), 0.0) << name;
  }
  // p_true = 0 everywhere, clipped to float64 eps = 2^-52 (the row [2^-52, 1 - 2^-52] already
  // sums to 1): -ln(2^-52) = 52 ln 2 = 36.0436534 (sklearn 1.2.1: 36.04365338911715).
  EXPECT_NEAR(scalar(r, "log_loss"), 36.04365338911715, 1e-9);
  // Confidence 1 (the top bin includes its upper edge), never right: |0 - 4| / 4 = 1.
  EXPECT_DOUBLE_EQ(scalar(r, "ece_15"), 1.0);
  // With two classes the true one is always in the top two: not reported.
  EXPECT_FALSE(has_scalar(r, "top2_accuracy"));
  EXPECT_EQ(confusion(r).values, (std::vector<double>{0, 2, 2, 0}));
}

// Imbalanced, three classes, class 2 never predicted:
//   true 0 (6): 5 -> 0 with [.7 .2 .1], 1 -> 1 with [.3 .6 .1]
//   true 1 (3): 2 -> 1 with [.2 .7 .1], 1 -> 0 with [.5 .1 .4]
//   true 2 (1): 1 -> 1 with [.3 .4 .3]
// Confusion (rows true): [5 1 0; 1 2 0; 0 1 0]; column sums 6 4 0; supports 6 3 1.
TEST_F(ClassificationMetricTest, ImbalancedCaseMatchesScikitLearnByHand) {
  std::vector<std::vector<float>> rows;
  std::vector<std::int64_t> labels;
  auto add = [&](int times, std::vector<float> row, std::int64_t label) {
    for (int i = 0; i < times; ++i) {
      rows.push_back(row);
      labels.push_back(label);
    }
  };
  add(5, {0.7f, 0.2f, 0.1f}, 0);
  add(1, {0.3f, 0.6f, 0.1f}, 0);
  add(2, {0.2f, 0.7f, 0.1f}, 1);
  add(1, {0.5f, 0.1f, 0.4f}, 1);
  add(1, {0.3f, 0.4f, 0.3f}, 2);
  const MetricResults r = compute(rows, labels);

  // accuracy = (5 + 2 + 0) / 10
  EXPECT_DOUBLE_EQ(scalar(r, "accuracy"), 0.7);
  // precision = tp / column sum: 5/6, 2/4, 0/0 -> 0 (zero_division=0).
  // macro = (5/6 + 1/2 + 0) / 3 = 4/9
  EXPECT_NEAR(scalar(r, "precision_macro"), 4.0 / 9.0, 1e-12);
  // recall = tp / support: 5/6, 2/3, 0/1. macro = (5/6 + 2/3 + 0) / 3 = 1/2
  EXPECT_NEAR(scalar(r, "recall_macro"), 0.5, 1e-12);
  // balanced accuracy = mean recall over classes in y_true (all three here) = 1/2
  EXPECT_NEAR(scalar(r, "balanced_accuracy"), 0.5, 1e-12);
  // F1 = 2tp / (support + predicted): 10/12 = 5/6, 4/7, 0/1 = 0.
  // macro = (5/6 + 4/7 + 0) / 3 = (35/42 + 24/42) / 3 = 59/126 = 0.4682540
  EXPECT_NEAR(scalar(r, "f1_macro"), 59.0 / 126.0, 1e-12);
  // weighted by support: (6 * 5/6 + 3 * 4/7 + 1 * 0) / 10 = (5 + 12/7) / 10 = 47/70
  EXPECT_NEAR(scalar(r, "f1_weighted"), 47.0 / 70.0, 1e-12);
  // Weighted: precision (6 * 5/6 + 3 * 1/2 + 0) / 10 = 13/20; recall = accuracy = 7/10.
  EXPECT_NEAR(scalar(r, "precision_weighted"), 0.65, 1e-12);
  EXPECT_NEAR(scalar(r, "recall_weighted"), 0.7, 1e-12);
  // top 2: all but [.5 .1 .4] (true 1 ranks third) and [.3 .4 .3] (true 2 ties class 0 at
  // 0.3 and ranks after it, the lower index): 8/10. (sklearn's tie order gives 0.9.)
  EXPECT_DOUBLE_EQ(scalar(r, "top2_accuracy"), 0.8);
  // -(7 ln 0.7 + 2 ln 0.3 + ln 0.1) / 10
  //   = (7 * 0.3566749 + 2 * 1.2039728 + 2.3025851) / 10 = 0.7207255
  // (sklearn 1.2.1 on the float32 scores: 0.7207255356404056).
  EXPECT_NEAR(scalar(r, "log_loss"), 0.7207255356404056, kTolerance);

  // One-vs-rest AUC = share of (positive, negative) pairs ranked right, ties half:
  //   class 0, column 0: positives 5 x .7, 1 x .3; negatives .2 .2 .5 .3.
  //     .7 beats all 4 (5 x 4 = 20); .3 beats .2 .2, ties .3, loses to .5 (2.5) -> 22.5/24
  //   class 1, column 1: positives .7 .7 .1; negatives 5 x .2, .6, .4.
  //     .7 beats all 7 (14); .1 beats none -> 14/21 = 2/3
  //   class 2, column 2: positive .3; negatives 8 x .1, .4 -> 8/9
  // macro = (15/16 + 2/3 + 8/9) / 3 = (135 + 96 + 128) / 144 / 3 = 359/432 = 0.8310185
  // (sklearn 1.2.1 roc_auc_score(multi_class="ovr", average="macro"): 0.8310185185185185).
  EXPECT_NEAR(scalar(r, "roc_auc/0"), 0.9375, 1e-12);
  EXPECT_NEAR(scalar(r, "roc_auc/1"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(scalar(r, "roc_auc/2"), 8.0 / 9.0, 1e-12);
  EXPECT_NEAR(scalar(r, "roc_auc_ovr_macro"), 359.0 / 432.0, 1e-12);

  // Per class (precision, recall, F1, support, AUC), zero_division=0 for class 2:
  EXPECT_NEAR(scalar(r, "precision/0"), 5.0 / 6.0, 1e-12);
  EXPECT_NEAR(scalar(r, "recall/0"), 5.0 / 6.0, 1e-12);
  EXPECT_NEAR(scalar(r, "f1/0"), 5.0 / 6.0, 1e-12);
  EXPECT_NEAR(scalar(r, "precision/1"), 0.5, 1e-12);
  EXPECT_NEAR(scalar(r, "recall/1"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(scalar(r, "f1/1"), 4.0 / 7.0, 1e-12);
  EXPECT_DOUBLE_EQ(scalar(r, "precision/2"), 0.0);  // never predicted: 0/0 -> 0
  EXPECT_DOUBLE_EQ(scalar(r, "recall/2"), 0.0);
  EXPECT_DOUBLE_EQ(scalar(r, "f1/2"), 0.0);
  EXPECT_EQ(scalar(r, "support/0"), 6);
  EXPECT_EQ(scalar(r, "support/1"), 3);
  EXPECT_EQ(scalar(r, "support/2"), 1);

  // ECE, confidence = top probability, bin b = (b/15, (b+1)/15]:
  //   .7 (7 samples, 7 right) in (10/15, 11/15]: |7 - 4.9| = 2.1
  //   .6 (1, wrong) in (9/15, 10/15]: 0.6;  .5 (1, wrong) in (7/15, 8/15]: 0.5
  //   .4 (1, wrong) in (6/15, 7/15] (0.4f is just above 6/15): 0.4
  //   ECE = (2.1 + 0.6 + 0.5 + 0.4) / 10 = 0.36
  EXPECT_NEAR(scalar(r, "ece_15"), 0.36, kTolerance);
  EXPECT_EQ(confusion(r).values, (std::vector<double>{5, 1, 0, 1, 2, 0, 0, 1, 0}));
}

TEST_F(ClassificationMetricTest, PredictedClassAbsentFromLabelsCountsInMacroButNotBalanced) {
  // y_true [0 0 1], y_pred [0 2 1], three classes.
  const MetricResults r = compute({{0.8f, 0.1f, 0.1f}, {0.1f, 0.2f, 0.7f}, {0.1f, 0.8f, 0.1f}}, {0, 0, 1});
  // Recall over classes in y_true: 1/2 and 1/1 -> 3/4 (sklearn drops the NaN of class 2).
  EXPECT_NEAR(scalar(r, "balanced_accuracy"), 0.75, 1e-12);
  // Macro over sklearn's labels, y_true ∪ y_pred = {0, 1, 2}:
  //   precision 1/1, 1/1, 0/1 -> 2/3; recall 1/2, 1/1, 0/0 -> 0 -> 1/2;
  //   F1 2/3, 2/2, 0/1 -> (2/3 + 1 + 0) / 3 = 5/9; weighted (2 * 2/3 + 1 * 1) / 3 = 7/9.
  EXPECT_NEAR(scalar(r, "precision_macro"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(scalar(r, "recall_macro"), 0.5, 1e-12);
  EXPECT_NEAR(scalar(r, "f1_macro"), 5.0 / 9.0, 1e-12);
  EXPECT_NEAR(scalar(r, "f1_weighted"), 7.0 / 9.0, 1e-12);
  // Class 2 is predicted once and never true: precision 0/1, recall 0/0 -> 0, support 0,
  // and its AUC is undefined (no positive), so the macro AUC averages classes 0 and 1:
  //   class 0, column 0: positives .8 .1, negative .1 -> (1 + 0.5) / 2 = 0.75
  //   class 1, column 1: positive .8, negatives .1 .2 -> 1;  macro (0.75 + 1) / 2 = 0.875
  EXPECT_DOUBLE_EQ(scalar(r, "precision/2"), 0.0);
  EXPECT_DOUBLE_EQ(scalar(r, "recall/2"), 0.0);
  EXPECT_DOUBLE_EQ(scalar(r, "support/2"), 0.0);
  EXPECT_TRUE(std::isnan(scalar(r, "roc_auc/2")));
  EXPECT_DOUBLE_EQ(scalar(r, "roc_auc/0"), 0.75);
  EXPECT_DOUBLE_EQ(scalar(r, "roc_auc/1"), 1.0);
  EXPECT_DOUBLE_EQ(scalar(r, "roc_auc_ovr_macro"), 0.875);
  // Weighted by support (2, 1, 0): precision (2 * 1 + 1 * 1) / 3 = 1; recall 2/3.
  EXPECT_DOUBLE_EQ(scalar(r, "precision_weighted"), 1.0);
  EXPECT_NEAR(scalar(r, "recall_weighted"), 2.0 / 3.0, 1e-12);
}

TEST_F(ClassificationMetricTest, ClassAbsentFromLabelsAndPredictionsIsLeftOutOfMacro) {
  // Four classes, only 0 and 1 occur, perfectly classified: sklearn's labels are {0, 1},
  // so the macro averages are 1, not (1 + 1 + 0 + 0) / 4.
  const MetricResults r = compute({{0.9f, 0.05f, 0.03f, 0.02f}, {0.1f, 0.7f, 0.1f, 0.1f}}, {0, 1});
  EXPECT_DOUBLE_EQ(scalar(r, "precision_macro"), 1.0);
  EXPECT_DOUBLE_EQ(scalar(r, "recall_macro"), 1.0);
  EXPECT_DOUBLE_EQ(scalar(r, "f1_macro"), 1.0);
  EXPECT_DOUBLE_EQ(scalar(r, "balanced_accuracy"), 1.0);
  EXPECT_EQ(confusion(r).rows, 4);  // the matrix still covers every class
  // Per-class scalars still cover every class: classes 2 and 3 are all zeros, and their
  // AUC is undefined (no positive); the macro AUC averages the two defined ones.
  for (int k : {2, 3}) {
    const std::vector<double> row = class_row(r, k);
    EXPECT_EQ(std::vector<double>(row.begin(), row.begin() + 4), (std::vector<double>(4, 0.0)));
    EXPECT_TRUE(std::isnan(row[4])) << "roc_auc/" << k;
  }
  EXPECT_DOUBLE_EQ(scalar(r, "roc_auc_ovr_macro"), 1.0);
}

TEST_F(ClassificationMetricTest, AucIsNanWhenNoClassHasBothPositivesAndNegatives) {
  // One sample: each class has either no positive or no negative.
  const MetricResults r = compute({{0.7f, 0.2f, 0.1f}}, {0});
  EXPECT_TRUE(std::isnan(scalar(r, "roc_auc_ovr_macro")));
  for (const char* name : {"roc_auc/0", "roc_auc/1", "roc_auc/2"}) {
    EXPECT_TRUE(std::isnan(scalar(r, name))) << name;
  }
}

TEST_F(ClassificationMetricTest, TiedScoresCountHalfInAuc) {
  // Class 1 scores [.5 .5 .2 .8], labels [1 0 0 1]: positives .5 .8, negatives .5 .2.
  // Pairs (positive, negative): (.8, .5) 1, (.8, .2) 1, (.5, .5) tie 1/2, (.5, .2) 1
  //   -> 3.5 / 4 = 0.875 (sklearn 1.2.1 roc_auc_score: 0.875).
  // Column 0 is 1 - column 1 and class 0 is "label != 1": the same pairs, the same 0.875.
  const MetricResults r = compute({{0.5f, 0.5f}, {0.5f, 0.5f}, {0.8f, 0.2f}, {0.2f, 0.8f}}, {1, 0, 0, 1});
  EXPECT_DOUBLE_EQ(scalar(r, "roc_auc/1"), 0.875);
  EXPECT_DOUBLE_EQ(scalar(r, "roc_auc/0"), 0.875);
  EXPECT_DOUBLE_EQ(scalar(r, "roc_auc_ovr_macro"), 0.875);

  // Every score tied: the ROC curve is the diagonal, AUC 1/2.
  const MetricResults flat = compute({{0.5f, 0.5f}, {0.5f, 0.5f}, {0.5f, 0.5f}}, {0, 1, 1});
  EXPECT_DOUBLE_EQ(scalar(flat, "roc_auc_ovr_macro"), 0.5);
}

// Four samples, three classes (top probability, predicted, true):
//   [.9 .05 .05]  .9, 0, 0 right    .9 * 15 = 13.5  -> bin (13/15, 14/15]
//   [.92 .05 .03] .92, 0, 1 wrong   .92 * 15 = 13.8 -> bin (13/15, 14/15]
//   [.2 .5 .3]    .5, 1, 1 right    .5 * 15 = 7.5   -> bin (7/15, 8/15]
//   [.3 .25 .45]  .45, 2, 0 wrong   .45 * 15 = 6.75 -> bin (6/15, 7/15]
// ECE = sum |acc - conf| * n_bin / N
//     = |1/2 - .91| * 2/4 + |1 - .5| * 1/4 + |0 - .45| * 1/4
//     = 0.205 + 0.125 + 0.1125 = 0.4425
TEST_F(ClassificationMetricTest, ExpectedCalibrationErrorUsesFifteenEqualWidthBins) {
  const MetricResults r =
      compute({{0.9f, 0.05f, 0.05f}, {0.92f, 0.05f, 0.03f}, {0.2f, 0.5f, 0.3f}, {0.3f, 0.25f, 0.45f}}, {0, 1, 1, 0});
  EXPECT_NEAR(scalar(r, "ece_15"), 0.4425, kTolerance);
  // The same samples, scored by sklearn 1.2.1 for the rest (class 2 never true, so its
  // AUC is undefined and the macro AUC is (0.5 + 0.625) / 2):
  EXPECT_DOUBLE_EQ(scalar(r, "accuracy"), 0.5);
  EXPECT_NEAR(scalar(r, "f1_macro"), 0.38888888888888884, 1e-12);
  EXPECT_NEAR(scalar(r, "f1_weighted"), 0.5833333333333333, 1e-12);
  EXPECT_NEAR(scalar(r, "precision_weighted"), 0.75, 1e-12);
  EXPECT_NEAR(scalar(r, "roc_auc_ovr_macro"), 0.5625, 1e-12);
  EXPECT_NEAR(scalar(r, "log_loss"), 1.2495531888160718, kTolerance);
}

TEST_F(ClassificationMetricTest, LogLossClipsThenRenormalisesRowsAsScikitLearn) {
  // [.2 .2] true 0: renormalised to .5 -> ln 2.
  // [0 .5] true 0: clipped to [eps .5], renormalised: eps / (.5 + eps) -> ln((.5 + eps)/eps).
  // [.6 .6] true 1: renormalised to .5 -> ln 2.
  // Mean (2 ln 2 + ln((0.5 + 2^-52) / 2^-52)) / 3; sklearn 1.2.1: 12.24560018989237.
  const double eps = std::numeric_limits<double>::epsilon();
  const double expected = (2 * std::log(2.0) + std::log((0.5 + eps) / eps)) / 3;
  const MetricResults r = compute({{0.2f, 0.2f}, {0.0f, 0.5f}, {0.6f, 0.6f}}, {0, 0, 1});
  EXPECT_NEAR(scalar(r, "log_loss"), expected, 1e-12);
  EXPECT_NEAR(scalar(r, "log_loss"), 12.24560018989237, 1e-9);
}

TEST_F(ClassificationMetricTest, ArgmaxTiesGoToTheLowestClassIndex) {
  const MetricResults r = compute({{0.4f, 0.4f, 0.2f}, {0.2f, 0.4f, 0.4f}, {1.0f / 3, 1.0f / 3, 1.0f / 3}}, {1, 2, 0});
  // Predictions 0, 1, 0 (as numpy.argmax): only the last is right.
  EXPECT_NEAR(scalar(r, "accuracy"), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(confusion(r).values, (std::vector<double>{1, 0, 0, 1, 0, 0, 0, 1, 0}));
  // The true class ranks second in the first two rows (one lower index ties it): all hit.
  EXPECT_DOUBLE_EQ(scalar(r, "top2_accuracy"), 1.0);
}

TEST_F(ClassificationMetricTest, ConfusionMatrixRowsAreTrueClassesColumnsPredicted) {
  // y_true [0 0 0 1], y_pred [0 1 1 1]: two class-0 samples predicted as 1.
  const MetricResults r = compute({{0.9f, 0.1f}, {0.2f, 0.8f}, {0.3f, 0.7f}, {0.4f, 0.6f}}, {0, 0, 0, 1});
  const MetricMatrix& m = confusion(r);
  EXPECT_EQ(m.rows, 2);
  EXPECT_EQ(m.cols, 2);
  EXPECT_EQ(m.values, (std::vector<double>{1, 2, 0, 1}));  // row-major [[1, 2], [0, 1]]

  // One sample, true 3 predicted 1, four classes: cell (3, 1) = index 3 * 4 + 1.
  const MetricResults single = compute({{0.1f, 0.6f, 0.1f, 0.2f}}, {3});
  std::vector<double> expected(16, 0.0);
  expected[13] = 1;
  EXPECT_EQ(confusion(single).values, expected);
}

TEST_F(ClassificationMetricTest, RejectsEmptyInputOutOfRangeLabelsAndNonFiniteScores) {
  EXPECT_THROW(compute({}, {}), DataError);
  try {
    compute({{0.5f, 0.3f, 0.2f}, {0.5f, 0.3f, 0.2f}}, {0, 3});
    FAIL() << "label 3 of 3 classes was accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("sample 1 is 3; expected 0 to 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(compute({{0.5f, 0.3f, 0.2f}}, {-1}), DataError);
  EXPECT_THROW(compute({{std::nanf(""), 0.3f, 0.2f}}, {0}), DataError);
}

TEST_F(ClassificationMetricTest, TakesNoOptions) {
  try {
    registry_.create_metric("classification", YAML::Load("{average: macro}"));
    FAIL() << "an option was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'average'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("takes no options"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ablate
