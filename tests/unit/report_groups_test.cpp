// report's grouping of runs by configuration and the --where syntax over configuration
// keys, IN and LIKE, on literal inputs; the SQL is also run on an in-memory SQLite
// database, so that what it selects is checked, not only how it reads.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>

#include "aggregate.hpp"
#include "config_groups.hpp"
#include "usage_error.hpp"
#include "where.hpp"

namespace ablate::report {
namespace {

MetricSample run(std::int64_t id, const std::string& arm, std::int64_t seed, double value, const std::string& config,
                 const std::string& finished_at = "2026-01-01T00:00:00Z") {
  MetricSample s;
  s.run_id = id;
  s.arm = arm;
  s.seed = seed;
  s.resolution = 16;
  s.value = value;
  s.config_json = config;
  s.finished_at = finished_at;
  return s;
}

std::string config(const std::string& arm, int epochs, std::int64_t seed, int classes = 4) {
  return R"({"arm":")" + arm + R"(","dataset":{"options":{"classes":)" + std::to_string(classes) +
         R"(},"plugin":"synthetic"},"resolution":16,"seed":)" + std::to_string(seed) + R"(,"train":{"max_epochs":)" +
         std::to_string(epochs) + "}}";
}

TEST(ConfigGroupsTest, FlattensNestedObjectsToDottedKeys) {
  const Settings settings = flatten_config(R"({"a":1,"b":{"c":"x","d":[1,2],"e":{}},"f":true,"g":0.5})");
  // The empty object b.e holds no setting, so it is no key.
  EXPECT_EQ(settings, (Settings{{"a", "1"}, {"b.c", "x"}, {"b.d", "[1,2]"}, {"f", "true"}, {"g", "0.5"}}));
  EXPECT_TRUE(flatten_config("not json").empty());
  EXPECT_TRUE(flatten_config("[1, 2]").empty());
}

// The issue's case: the quick start's 5-epoch seeds 0 and 1, then the override example's
// 1-epoch seed 0. Pooled by arm name they read "baseline 0.8968 ± 0.0216 (3)".
TEST(ConfigGroupsTest, AnOverrideIsItsOwnGroupLabelledByWhatDiffers) {
  const std::vector<MetricSample> samples = {
      run(1, "baseline", 0, 0.91, config("baseline", 5, 0)), run(2, "baseline", 1, 0.90, config("baseline", 5, 1)),
      run(3, "baseline", 0, 0.87, config("baseline", 1, 0)), run(4, "se", 0, 0.92, config("se", 5, 0))};
  const Grouping grouping = group_by_configuration(samples, {"resolution"}, /*arm_from_config=*/false);
  ASSERT_EQ(grouping.groups.size(), 3u);
  EXPECT_EQ(grouping.groups[0].label(), "baseline [train.max_epochs=1]");
  EXPECT_EQ(grouping.groups[1].label(), "baseline [train.max_epochs=5]");
  EXPECT_EQ(grouping.groups[2].label(), "se");  // alone in its arm: nothing to tell apart
  EXPECT_EQ(grouping.group_of, (std::vector<std::size_t>{1, 1, 0, 2}));
  EXPECT_EQ(grouping.differing, (std::vector<std::string>{"train.max_epochs"}));

  const AggregateTable table = aggregate("runs.db", "test.accuracy", "resolution", samples, true);
  ASSERT_EQ(table.arms, (std::vector<std::string>{"baseline", "baseline", "se"}));
  EXPECT_EQ(table.keys, (std::vector<std::string>{"train.max_epochs"}));
  EXPECT_EQ(table.key_values[0], (std::vector<std::string>{"1"}));
  EXPECT_EQ(table.cells[0][0].n, 1u);
  EXPECT_EQ(table.cells[1][0].n, 2u);
  EXPECT_NEAR(table.cells[1][0].mean, 0.905, 1e-12);
  EXPECT_TRUE(table.notes.empty());
}

// The issue's merge case: 4-class and 8-class data sets under one arm name.
TEST(ConfigGroupsTest, DifferentDataSetsNeverPool) {
  const std::vector<MetricSample> samples = {run(1, "baseline", 0, 0.9, config("baseline", 2, 0, 4)),
                                             run(2, "baseline", 0, 0.6, config("baseline", 2, 0, 8))};
  const Grouping grouping = group_by_configuration(samples, {"resolution"}, false);
  ASSERT_EQ(grouping.groups.size(), 2u);
  EXPECT_EQ(grouping.groups[0].suffix, "dataset.options.classes=4");
  EXPECT_EQ(grouping.groups[1].suffix, "dataset.options.classes=8");
}

TEST(ConfigGroupsTest, AnAbsentKeyReadsAsTheDefault) {
  const std::vector<MetricSample> samples = {run(1, "a", 0, 0.9, R"({"arm":"a","train":{"label_smoothing":0.1}})"),
                                             run(2, "a", 0, 0.8, R"({"arm":"a","train":{}})")};
  const Grouping grouping = group_by_configuration(samples, {}, false);
  ASSERT_EQ(grouping.groups.size(), 2u);
  // Groups sort by their settings: none before some.
  EXPECT_EQ(grouping.groups[0].label(), "a [train.label_smoothing=default]");
  EXPECT_EQ(grouping.groups[1].label(), "a [train.label_smoothing=0.1]");
}

TEST(ConfigGroupsTest, ARepeatedSeedKeepsTheLatestFinishedRunAndSaysSo) {
  const std::vector<MetricSample> samples = {
      run(7, "a", 0, 0.5, "{}", "2026-01-02T00:00:00Z"), run(3, "a", 0, 0.9, "{}", "2026-01-03T00:00:00Z"),
      run(9, "a", 0, 0.7, "{}", "2026-01-01T00:00:00Z"), run(4, "a", 1, 0.6, "{}", "2026-01-01T00:00:00Z")};
  std::vector<std::string> notes;
  const std::vector<MetricSample> kept = latest_per_seed(samples, "test.accuracy a at 16", &notes);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].run_id, 3);  // the latest finished, though not the largest id
  EXPECT_EQ(kept[1].run_id, 4);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "test.accuracy a at 16: seed 0 has 3 finished runs of the same configuration: kept run 3 "
                      "(the latest finished), left out run(s) 7, 9");
  // Equal times: the larger id is the later run.
  std::vector<std::string> more;
  const auto tie = latest_per_seed({run(5, "a", 2, 0.1, "{}"), run(6, "a", 2, 0.2, "{}")}, "x", &more);
  ASSERT_EQ(tie.size(), 1u);
  EXPECT_EQ(tie[0].run_id, 6);
}

TEST(ConfigGroupsTest, TableRowsUseTheConfiguredArmAndGridAxesBecomeColumns) {
  // A grid axis puts its value into runs.arm ("se@se_reduction=4"); the configuration
  // keeps the arm as written, so --by se_reduction gives one row with a column per value.
  const auto se = [](std::int64_t id, int reduction, std::int64_t seed, double value) {
    return run(id, "se@se_reduction=" + std::to_string(reduction), seed, value,
               R"({"arm":"se","model":{"options":{"se_reduction":)" + std::to_string(reduction) +
                   R"(}},"resolution":16,"seed":)" + std::to_string(seed) + "}");
  };
  const std::vector<MetricSample> samples = {se(1, 4, 0, 0.8), se(2, 16, 0, 0.7), se(3, 4, 1, 0.82)};
  const AggregateTable by_key = aggregate("runs.db", "test.accuracy", "model.options.se_reduction", samples, true);
  EXPECT_EQ(by_key.arms, (std::vector<std::string>{"se"}));
  EXPECT_EQ(by_key.columns, (std::vector<std::string>{"4", "16"}));  // numbers sort as numbers
  EXPECT_EQ(by_key.cells[0][0].n, 2u);
  const AggregateTable by_resolution = aggregate("runs.db", "test.accuracy", "resolution", samples, true);
  EXPECT_EQ(by_resolution.keys, (std::vector<std::string>{"model.options.se_reduction"}));
  EXPECT_EQ(by_resolution.labels,
            (std::vector<std::string>{"se [model.options.se_reduction=16]", "se [model.options.se_reduction=4]"}));
}

TEST(ConfigGroupsTest, TypedKeysResolveToStoredKeys) {
  const std::set<std::string> keys = {"dataset.options.classes", "model.options.se_reduction", "train.max_epochs",
                                      "train.optimizer.lr", "train.scheduler.lr"};
  EXPECT_EQ(resolve_config_key("train.max_epochs", keys), "train.max_epochs");
  EXPECT_EQ(resolve_config_key("dataset.classes", keys), "dataset.options.classes");
  EXPECT_EQ(resolve_config_key("model.se_reduction", keys), "model.options.se_reduction");
  EXPECT_EQ(resolve_config_key("se_reduction", keys), "model.options.se_reduction");
  EXPECT_FALSE(resolve_config_key("lr", keys).has_value());  // two keys end in lr
  EXPECT_FALSE(resolve_config_key("train.epochs", keys).has_value());
}

// --where on configuration keys, in and like: compiled, then run on a real database.
class WhereOnConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
    db_.reset(raw);
    exec("CREATE TABLE runs (id INTEGER PRIMARY KEY, arm TEXT, seed INTEGER, config_json TEXT)");
    exec(
        R"(INSERT INTO runs VALUES (1, 'baseline', 0, '{"train":{"max_epochs":5},"dataset":{"options":{"classes":4}}}'),
            (2, 'baseline', 1, '{"train":{"max_epochs":5},"dataset":{"options":{"classes":8}}}'),
            (3, 'baseline', 0, '{"train":{"max_epochs":1},"dataset":{"options":{"classes":4}}}'),
            (4, 'se@se_reduction=4', 0, '{"train":{"max_epochs":5},"model":{"options":{"se_reduction":4}}}'))");
  }

  void exec(const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
  }

  // The ids of the runs `expression` selects.
  std::vector<std::int64_t> select(const std::string& expression) {
    const SqlCondition condition = compile_where(expression, {{"test", "accuracy"}}, keys_);
    sqlite3_stmt* raw = nullptr;
    const std::string sql = "SELECT r.id FROM runs r WHERE " + condition.sql + " ORDER BY r.id";
    EXPECT_EQ(sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr), SQLITE_OK) << sql;
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, sqlite3_finalize);
    int index = 1;
    for (const auto& value : condition.parameters) {
      if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        sqlite3_bind_int64(raw, index, *integer);
      } else if (const auto* real = std::get_if<double>(&value)) {
        sqlite3_bind_double(raw, index, *real);
      } else {
        sqlite3_bind_text(raw, index, std::get<std::string>(value).c_str(), -1, SQLITE_TRANSIENT);
      }
      ++index;
    }
    std::vector<std::int64_t> ids;
    while (sqlite3_step(raw) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(raw, 0));
    return ids;
  }

  void expect_refused(const std::string& expression, const std::string& why) {
    try {
      const SqlCondition c = compile_where(expression, {{"test", "accuracy"}}, keys_);
      FAIL() << "accepted '" << expression << "' as " << c.sql;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  }

  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db_{nullptr, sqlite3_close};
  const std::set<std::string> keys_ = {"train.max_epochs", "dataset.options.classes", "model.options.se_reduction"};
};

TEST_F(WhereOnConfigTest, ConfigurationKeysAreJsonPathsBoundAsParameters) {
  const SqlCondition c = compile_where("train.max_epochs = 5", {}, keys_);
  EXPECT_EQ(c.sql, "json_extract(r.config_json, ?) = ?");
  ASSERT_EQ(c.parameters.size(), 2u);
  EXPECT_EQ(std::get<std::string>(c.parameters[0]), "$.\"train\".\"max_epochs\"");
  EXPECT_EQ(select("train.max_epochs = 5"), (std::vector<std::int64_t>{1, 2, 4}));
  EXPECT_EQ(select("dataset.classes = 8"), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(select("model.options.se_reduction >= 4 or train.max_epochs < 2"), (std::vector<std::int64_t>{3, 4}));
}

TEST_F(WhereOnConfigTest, InAndLike) {
  EXPECT_EQ(compile_where("seed in (0, 1)", {}, keys_).sql, "r.seed IN (?, ?)");
  EXPECT_EQ(select("train.max_epochs in (1, 2, 3)"), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(select("train.max_epochs not in (1)"), (std::vector<std::int64_t>{1, 2, 4}));
  EXPECT_EQ(select("arm in ('baseline') and seed = 1"), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(select("arm like 'se@%'"), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(select("arm not like 'se%' and not dataset.classes in (8)"), (std::vector<std::int64_t>{1, 3}));
}

TEST_F(WhereOnConfigTest, InjectionThroughTheNewSyntaxIsRefused) {
  expect_refused("arm in ('x'); DROP TABLE runs", "unexpected character");
  expect_refused("arm in (select id from runs)", "an 'in' list holds numbers and 'strings' only");
  expect_refused("arm in (arm)", "an 'in' list holds numbers and 'strings' only");
  expect_refused("arm in 'x'", "'in' takes a list in parentheses");
  expect_refused("arm in ('x' 'y')", "expected ',' or ')'");
  expect_refused("arm like arm", "'like' takes a 'pattern' in quotes");
  expect_refused("'x' in ('x')", "'in' needs a column");
  expect_refused("train.max_epochs') = 1 --", "the string is not closed");
  expect_refused("train.max_epochs = 1 -- ')", "unexpected character");
  expect_refused("train.epochs = 5", "unknown name 'train.epochs'");
  expect_refused("train.epochs = 5", "the configuration keys are dataset.options.classes");
  // A quote inside a pattern is data, and the table is intact afterwards.
  EXPECT_TRUE(select("arm like 'x'' OR ''1''=''1'").empty());
  EXPECT_EQ(select("seed >= 0").size(), 4u);
}

}  // namespace
}  // namespace ablate::report
