// The report's statistics and cell formatting, checked against literal values.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "comparison.hpp"
#include "statistics.hpp"
#include "text.hpp"
#include "usage_error.hpp"

namespace ablate::report {
namespace {

TEST(StatisticsTest, MeanAndSampleSdOfAKnownSample) {
  const std::vector<double> values = {2, 4, 4, 4, 5, 5, 7, 9};
  EXPECT_DOUBLE_EQ(mean(values), 5.0);
  // sqrt(32 / 7): the sample sd divides by n - 1, not n (which would give exactly 2).
  EXPECT_NEAR(sample_sd(values), 2.1380899352993950, 1e-15);
}

TEST(StatisticsTest, TwoValues) {
  EXPECT_DOUBLE_EQ(mean({0.25, 0.75}), 0.5);
  EXPECT_NEAR(sample_sd({0.25, 0.75}), 0.35355339059327373, 1e-15);
}

TEST(StatisticsTest, SdOfIdenticalValuesIsZero) {
  EXPECT_DOUBLE_EQ(sample_sd({0.9, 0.9, 0.9}), 0.0);
}

TEST(StatisticsTest, SdOfOneValueIsUndefined) {
  EXPECT_DOUBLE_EQ(mean({0.9}), 0.9);
  EXPECT_TRUE(std::isnan(sample_sd({0.9})));
}

TEST(StatisticsTest, EmptyInputIsUndefined) {
  EXPECT_TRUE(std::isnan(mean({})));
  EXPECT_TRUE(std::isnan(sample_sd({})));
  const Summary summary = summarize({});
  EXPECT_EQ(summary.n, 0u);
  EXPECT_TRUE(std::isnan(summary.mean));
  EXPECT_TRUE(std::isnan(summary.sd));
}

TEST(StatisticsTest, SummarizeCountsAndAgreesWithTheParts) {
  const Summary summary = summarize({1, 2, 3, 4});
  EXPECT_EQ(summary.n, 4u);
  EXPECT_DOUBLE_EQ(summary.mean, 2.5);
  EXPECT_NEAR(summary.sd, 1.2909944487358056, 1e-15);
}

TEST(TextTest, ThousandsSeparators) {
  EXPECT_EQ(with_thousands(0), "0");
  EXPECT_EQ(with_thousands(999), "999");
  EXPECT_EQ(with_thousands(1000), "1,000");
  EXPECT_EQ(with_thousands(421642), "421,642");
  EXPECT_EQ(with_thousands(1234567), "1,234,567");
  EXPECT_EQ(with_thousands(-1234567), "-1,234,567");
  EXPECT_EQ(with_thousands(std::numeric_limits<std::int64_t>::min()),
            "-9,223,372,036,854,775,808");
}

TEST(TextTest, FixedMarksUndefinedValuesWithADash) {
  EXPECT_EQ(fixed(0.91234, 4), "0.9123");
  EXPECT_EQ(fixed(std::nan(""), 4), kUndefined);
  EXPECT_EQ(fixed(std::optional<double>(), 4), kUndefined);
  EXPECT_EQ(fixed(-0.00001, 4), "0.0000");
  EXPECT_EQ(signed_fixed(0.0123, 4), "+0.0123");
  EXPECT_EQ(signed_fixed(-0.004, 4), "-0.0040");
  EXPECT_EQ(signed_fixed(std::nan(""), 4), kUndefined);
}

TEST(TextTest, FirstLineAndTruncation) {
  EXPECT_EQ(first_line("loss is NaN\r\nat epoch 3"), "loss is NaN");
  EXPECT_EQ(first_line("one line"), "one line");
  EXPECT_EQ(display_width("0.9 \u00b1 \u2013"), 7u);
  EXPECT_EQ(truncate("abcdef", 4), "abc\u2026");
  EXPECT_EQ(truncate("abc", 4), "abc");
  EXPECT_EQ(truncate("abcdef", 0), "abcdef");
}

db::RunRow run(const std::string& arm, std::int64_t resolution, double accuracy,
               db::RunStatus status = db::RunStatus::finished) {
  db::RunRow row;
  row.arm = arm;
  row.resolution = resolution;
  row.status = status;
  if (status == db::RunStatus::finished) row.test_accuracy = accuracy;
  return row;
}

TEST(ComparisonTest, SummarisesFinishedRunsPerResolution) {
  const std::vector<db::RunRow> runs = {
      run("a", 28, 0.90), run("a", 28, 0.92), run("b", 28, 0.95), run("b", 28, 0.97),
      run("b", 28, 0.10, db::RunStatus::failed), run("b", 14, 0.80), run("c", 28, 0.5)};
  const Comparison comparison = compare_arms("runs.db", runs, "a", "b");
  ASSERT_EQ(comparison.rows.size(), 2u);
  EXPECT_EQ(comparison.rows[0].resolution, 14);
  EXPECT_EQ(comparison.rows[0].a.n, 0u);
  EXPECT_EQ(comparison.rows[0].b.n, 1u);
  EXPECT_TRUE(std::isnan(comparison.rows[0].difference));
  EXPECT_EQ(comparison.rows[1].resolution, 28);
  EXPECT_EQ(comparison.rows[1].a.n, 2u);
  EXPECT_EQ(comparison.rows[1].b.n, 2u);
  EXPECT_NEAR(comparison.rows[1].a.mean, 0.91, 1e-12);
  EXPECT_NEAR(comparison.rows[1].difference, 0.05, 1e-12);
}

TEST(ComparisonTest, UnknownArmListsTheArms) {
  const std::vector<db::RunRow> runs = {run("a", 28, 0.9), run("b", 28, 0.9)};
  try {
    compare_arms("runs.db", runs, "a", "wide");
    FAIL() << "no UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown arm 'wide' in runs.db: the arms are a, b");
  }
}

}  // namespace
}  // namespace ablate::report
