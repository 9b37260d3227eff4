// Tests of the classification metric plugin, loaded through the real plugin loader, on
// small cases whose values are worked out by hand below (scikit-learn's definitions).
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
#include "plugin_registry.hpp"

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

  MetricResults compute(const std::vector<std::vector<float>>& rows,
                        const std::vector<std::int64_t>& labels) const {
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

const MetricMatrix& confusion(const MetricResults& results) {
  EXPECT_EQ(results.matrices.size(), 1u);
  EXPECT_EQ(results.matrices.at(0).name, "confusion_matrix");
  return results.matrices.at(0);
}

TEST_F(ClassificationMetricTest, ReportsTheDocumentedScalarsInOrder) {
  const MetricResults r = compute({{0.7f, 0.2f, 0.1f}}, {0});
  std::vector<std::string> names;
  for (const auto& entry : r.scalars) names.push_back(entry.first);
  EXPECT_EQ(names, (std::vector<std::string>{"accuracy", "balanced_accuracy", "precision_macro",
                                             "recall_macro", "f1_macro", "f1_weighted",
                                             "top2_accuracy", "log_loss"}));
}

TEST_F(ClassificationMetricTest, PerfectClassifierScoresOneEverywhere) {
  const MetricResults r =
      compute({{0.8f, 0.1f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.1f, 0.1f, 0.8f}, {0.6f, 0.3f, 0.1f}},
              {0, 1, 2, 0});
  for (const char* name : {"accuracy", "balanced_accuracy", "precision_macro", "recall_macro",
                           "f1_macro", "f1_weighted", "top2_accuracy"}) {
    EXPECT_DOUBLE_EQ(scalar(r, name), 1.0) << name;
  }
  // -(3 ln 0.8 + ln 0.6) / 4 = (3 * 0.2231436 + 0.5108256) / 4 = 0.2950641
  EXPECT_NEAR(scalar(r, "log_loss"), 0.29506406942715496, kTolerance);
  EXPECT_EQ(confusion(r).values, (std::vector<double>{2, 0, 0, 0, 1, 0, 0, 0, 1}));
}

TEST_F(ClassificationMetricTest, AlwaysWrongClassifierScoresZeroAndFlooredLogLoss) {
  // Two classes, every sample confidently given to the other one.
  const MetricResults r =
      compute({{0.0f, 1.0f}, {0.0f, 1.0f}, {1.0f, 0.0f}, {1.0f, 0.0f}}, {0, 0, 1, 1});
  for (const char* name : {"accuracy", "balanced_accuracy", "precision_macro", "recall_macro",
                           "f1_macro", "f1_weighted"}) {
    EXPECT_DOUBLE_EQ(scalar(r, name), 0.0) << name;
  }
  // p_true = 0 everywhere, floored at 1e-15: -ln(1e-15) = 15 ln 10 = 34.5387764.
  EXPECT_NEAR(scalar(r, "log_loss"), 34.538776394910684, 1e-9);
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
  // top 2: all but [.5 .1 .4] (true 1 ranks third) and [.3 .4 .3] (true 2 ties class 0 at
  // 0.3 and ranks after it, the lower index): 8/10.
  EXPECT_DOUBLE_EQ(scalar(r, "top2_accuracy"), 0.8);
  // -(7 ln 0.7 + 2 ln 0.3 + ln 0.1) / 10
  //   = (7 * 0.3566749 + 2 * 1.2039728 + 2.3025851) / 10 = 0.7207255
  EXPECT_NEAR(scalar(r, "log_loss"), 0.7207255309217044, kTolerance);
  EXPECT_EQ(confusion(r).values, (std::vector<double>{5, 1, 0, 1, 2, 0, 0, 1, 0}));
}

TEST_F(ClassificationMetricTest, PredictedClassAbsentFromLabelsCountsInMacroButNotBalanced) {
  // y_true [0 0 1], y_pred [0 2 1], three classes.
  const MetricResults r =
      compute({{0.8f, 0.1f, 0.1f}, {0.1f, 0.2f, 0.7f}, {0.1f, 0.8f, 0.1f}}, {0, 0, 1});
  // Recall over classes in y_true: 1/2 and 1/1 -> 3/4 (sklearn drops the NaN of class 2).
  EXPECT_NEAR(scalar(r, "balanced_accuracy"), 0.75, 1e-12);
  // Macro over sklearn's labels, y_true ∪ y_pred = {0, 1, 2}:
  //   precision 1/1, 1/1, 0/1 -> 2/3; recall 1/2, 1/1, 0/0 -> 0 -> 1/2;
  //   F1 2/3, 2/2, 0/1 -> (2/3 + 1 + 0) / 3 = 5/9; weighted (2 * 2/3 + 1 * 1) / 3 = 7/9.
  EXPECT_NEAR(scalar(r, "precision_macro"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(scalar(r, "recall_macro"), 0.5, 1e-12);
  EXPECT_NEAR(scalar(r, "f1_macro"), 5.0 / 9.0, 1e-12);
  EXPECT_NEAR(scalar(r, "f1_weighted"), 7.0 / 9.0, 1e-12);
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
}

TEST_F(ClassificationMetricTest, ArgmaxTiesGoToTheLowestClassIndex) {
  const MetricResults r =
      compute({{0.4f, 0.4f, 0.2f}, {0.2f, 0.4f, 0.4f}, {1.0f / 3, 1.0f / 3, 1.0f / 3}}, {1, 2, 0});
  // Predictions 0, 1, 0 (as numpy.argmax): only the last is right.
  EXPECT_NEAR(scalar(r, "accuracy"), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(confusion(r).values, (std::vector<double>{1, 0, 0, 1, 0, 0, 0, 1, 0}));
  // The true class ranks second in the first two rows (one lower index ties it): all hit.
  EXPECT_DOUBLE_EQ(scalar(r, "top2_accuracy"), 1.0);
}

TEST_F(ClassificationMetricTest, ConfusionMatrixRowsAreTrueClassesColumnsPredicted) {
  // y_true [0 0 0 1], y_pred [0 1 1 1]: two class-0 samples predicted as 1.
  const MetricResults r =
      compute({{0.9f, 0.1f}, {0.2f, 0.8f}, {0.3f, 0.7f}, {0.4f, 0.6f}}, {0, 0, 0, 1});
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
    EXPECT_NE(std::string(e.what()).find("sample 1 is 3; expected 0 to 2"), std::string::npos)
        << e.what();
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
