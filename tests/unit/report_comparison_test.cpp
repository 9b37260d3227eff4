// report's comparison, aggregate table and --where language, on literal inputs.
#include <gtest/gtest.h>

#include <cmath>

#include "aggregate.hpp"
#include "comparison.hpp"
#include "usage_error.hpp"
#include "where.hpp"

namespace ablate::report {
namespace {

std::vector<SeedValue> seeds(const std::vector<std::pair<std::int64_t, double>>& values) {
  std::vector<SeedValue> out;
  for (const auto& [seed, value] : values) out.push_back({seed, seed * 10, value});
  return out;
}

bool has_note(const ComparisonRow& row, const std::string& text) {
  for (const auto& note : row.notes) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ComparisonTest, SameSeedsGiveAPairedTestAndWarnAboutMannWhitney) {
  const ComparisonRow row = compare_values("test.accuracy", 28, seeds({{1, 0.906}, {2, 0.911}, {3, 0.916}}),
                                           seeds({{3, 0.933}, {1, 0.928}, {2, 0.9305}}));
  EXPECT_EQ(row.a.n, 3u);
  EXPECT_NEAR(row.welch.difference, 0.0195, 1e-12);
  ASSERT_TRUE(row.paired.has_value());
  // Paired by seed, not by position: the SciPy ttest_rel value of report_statistics_test.
  EXPECT_NEAR(row.paired->p, 0.0054342321640808875, 1e-9);
  EXPECT_TRUE(row.mann_whitney.exact);
  EXPECT_NEAR(row.mann_whitney.p, 0.1, 1e-12);
  EXPECT_TRUE(has_note(row, "the smallest p Mann-Whitney can give is 0.1"));
}

TEST(ComparisonTest, DifferentOrRepeatedSeedsGiveNoPairedTest) {
  const ComparisonRow different =
      compare_values("test.accuracy", 28, seeds({{1, 0.9}, {2, 0.91}}), seeds({{1, 0.92}, {5, 0.93}}));
  EXPECT_FALSE(different.paired.has_value());
  EXPECT_TRUE(has_note(different, "different seeds"));
  const ComparisonRow repeated =
      compare_values("test.accuracy", 28, seeds({{1, 0.9}, {1, 0.91}}), seeds({{1, 0.92}, {2, 0.93}}));
  EXPECT_FALSE(repeated.paired.has_value());
  EXPECT_TRUE(has_note(repeated, "several runs share a seed"));
}

TEST(ComparisonTest, EmptyArmIsUndefinedWithANote) {
  const ComparisonRow row = compare_values("test.accuracy", 56, {}, seeds({{1, 0.98}}));
  EXPECT_EQ(row.a.n, 0u);
  EXPECT_TRUE(std::isnan(row.welch.difference));
  EXPECT_TRUE(std::isnan(row.mann_whitney.p));
  EXPECT_TRUE(has_note(row, "no finished run"));
}

db::PredictionRow predictions(const std::vector<std::int32_t>& labels, const std::vector<std::int32_t>& predicted) {
  db::PredictionRow row;
  row.split = "test";
  row.count = static_cast<std::int64_t>(labels.size());
  row.num_classes = 3;
  row.labels = labels;
  for (std::int32_t p : predicted) {
    for (std::int32_t k = 0; k < 3; ++k) row.scores.push_back(k == p ? 0.7f : 0.15f);
  }
  return row;
}

TEST(DiscordanceTest, CountsItemsOnlyOneClassifierGotRight) {
  const std::vector<std::int32_t> labels = {0, 1, 2, 0, 1, 2};
  const auto a = predictions(labels, {0, 1, 0, 0, 2, 2});  // right: 0 1 3 5
  const auto b = predictions(labels, {0, 0, 2, 1, 1, 2});  // right: 0 2 4 5
  const auto counts = discordant_counts(a, b);
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->b, 2);  // items 1 and 3: A right, B wrong
  EXPECT_EQ(counts->c, 2);  // items 2 and 4
}

TEST(DiscordanceTest, DifferentTestSetsAreRefused) {
  const auto a = predictions({0, 1, 2}, {0, 1, 2});
  EXPECT_FALSE(discordant_counts(a, predictions({0, 1}, {0, 1})).has_value());
  EXPECT_FALSE(discordant_counts(a, predictions({0, 2, 1}, {0, 1, 2})).has_value());
}

// Each sample its own seed (and run id): one seed per run, as a store holds them.
MetricSample sample(const std::string& arm, std::int64_t resolution, double value) {
  static std::int64_t next_seed = 0;
  MetricSample s;
  s.arm = arm;
  s.resolution = resolution;
  s.value = value;
  s.seed = ++next_seed;
  s.run_id = s.seed;
  return s;
}

TEST(AggregateTest, ArmsByResolutionWithTheBestMarked) {
  const AggregateTable table =
      aggregate("runs.db", "test.accuracy", "resolution",
                {sample("b", 128, 0.95), sample("a", 64, 0.90), sample("a", 64, 0.92), sample("b", 64, 0.93),
                 sample("a", 128, 0.96), sample("b", 128, 0.97), sample("c", 32, 0.5)},
                /*higher_is_better=*/true);
  // Resolutions sort as numbers: 32 before 64 before 128.
  ASSERT_EQ(table.columns, (std::vector<std::string>{"32", "64", "128"}));
  ASSERT_EQ(table.arms, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(table.cells[0][1].n, 2u);
  EXPECT_NEAR(table.cells[0][1].mean, 0.91, 1e-12);
  EXPECT_EQ(table.cells[2][1].n, 0u);
  EXPECT_FALSE(table.best[0].has_value());  // one arm alone is not best of anything
  EXPECT_EQ(table.best[1], 1u);             // b: 0.93 > 0.91
  // At 128 a has 0.96 and b the mean of 0.95 and 0.97, equal up to rounding: the first
  // strictly better mean wins, so the result is whichever is larger in binary.
  EXPECT_TRUE(table.best[2].has_value());
}

TEST(AggregateTest, LowerIsBetterForLosses) {
  EXPECT_FALSE(higher_is_better("loss"));
  EXPECT_TRUE(higher_is_better("accuracy"));
  const AggregateTable table =
      aggregate("runs.db", "test.loss", "resolution", {sample("a", 64, 0.3), sample("b", 64, 0.2)}, false);
  EXPECT_EQ(table.best[0], 1u);
}

const std::vector<MetricKey> kMetrics = {{"test", "accuracy"}, {"val", "accuracy"}};

TEST(WhereTest, CompilesToBoundParameters) {
  const SqlCondition c = compile_where("test.accuracy > 0.9 and resolution = 64 and arm != 'se'", kMetrics);
  EXPECT_EQ(c.sql, "(SELECT value FROM metrics WHERE run_id = r.id AND split = ? AND name = ?) > ? "
                   "AND r.resolution = ? AND r.arm != ?");
  ASSERT_EQ(c.parameters.size(), 5u);
  EXPECT_EQ(std::get<std::string>(c.parameters[0]), "test");
  EXPECT_EQ(std::get<std::string>(c.parameters[1]), "accuracy");
  EXPECT_DOUBLE_EQ(std::get<double>(c.parameters[2]), 0.9);
  EXPECT_EQ(std::get<std::int64_t>(c.parameters[3]), 64);
  EXPECT_EQ(std::get<std::string>(c.parameters[4]), "se");
}

TEST(WhereTest, PrecedenceParenthesesNotAndQuotes) {
  const SqlCondition c = compile_where("not (arm = 'it''s' or seed >= -1) AND status == \"finished\"", kMetrics);
  EXPECT_EQ(c.sql, "NOT ((r.arm = ? OR r.seed >= ?)) AND r.status = ?");
  EXPECT_EQ(std::get<std::string>(c.parameters[0]), "it's");
  EXPECT_EQ(std::get<std::int64_t>(c.parameters[1]), -1);
}

TEST(WhereTest, TagsAndNotesAreNamesWithTheKeyBound) {
  const std::vector<std::string> tags = {"paper/table-2", "reviewed"};
  const SqlCondition c =
      compile_where("tag.reviewed = 'yes' and note like '%lr%' and tag.paper/table-2 in ('a')", kMetrics, {}, tags);
  EXPECT_EQ(c.sql, "(SELECT value FROM run_tags WHERE run_id = r.id AND key = ?) = ? AND r.note LIKE ? AND "
                   "(SELECT value FROM run_tags WHERE run_id = r.id AND key = ?) IN (?)");
  ASSERT_EQ(c.parameters.size(), 5u);
  EXPECT_EQ(std::get<std::string>(c.parameters[0]), "reviewed");
  EXPECT_EQ(std::get<std::string>(c.parameters[3]), "paper/table-2");
  try {
    compile_where("tag.reviewd = 'yes'", kMetrics, {}, tags);
    FAIL() << "an unknown tag was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no run has a tag 'reviewd' (did you mean 'reviewed'?)"), std::string::npos)
        << e.what();
  }
}

// Whatever the text, the SQL holds only allow-listed names, keywords and '?'.
void expect_refused(const std::string& expression, const std::string& why) {
  try {
    const SqlCondition c = compile_where(expression, kMetrics);
    FAIL() << "accepted '" << expression << "' as " << c.sql;
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
  }
}

TEST(WhereTest, InjectionAttemptsAreRefused) {
  expect_refused("1=1; DROP TABLE runs", "at column 4 ('; DROP TABLE'): unexpected character");
  expect_refused("1=1", "a comparison needs a column or a metric");
  expect_refused("arm = 'x'; DROP TABLE runs", "unexpected character");
  expect_refused("arm = 'x' OR 1=1 --", "at column 18 ('--'): unexpected character");
  expect_refused("arm = 'x' OR 1=1", "a comparison needs a column or a metric");
  expect_refused("arm = 'x' arm", "expected 'and', 'or' or the end");
  expect_refused("arm = 'x' /* */", "unexpected character");
  expect_refused("sqlite_master = 1", "unknown name 'sqlite_master'");
  expect_refused("error = 'x'", "unknown name 'error'");
  expect_refused("test.recall > 0.5", "unknown name 'test.recall'");
  expect_refused("arm = 'x", "the string is not closed");
  expect_refused("arm", "expected an operator");
  expect_refused("(arm = 'x'", "expected ')'");
  expect_refused("", "the expression is empty");
  expect_refused(std::string(200, '(') + "arm = 'x'" + std::string(200, ')'), "nested deeper");
}

}  // namespace
}  // namespace ablate::report
