// report's command line: suggestions for a mistyped name, and the completion candidates
// `report __complete` gives the shells, on the real commands without a store.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli.hpp"
#include "cli_complete.hpp"
#include "cli_suggest.hpp"
#include "commands.hpp"
#include "test_support.hpp"
#include "usage_error.hpp"

namespace ablate::report {
namespace {

std::vector<std::string> values(const std::vector<Completion>& candidates) {
  std::vector<std::string> words;
  for (const auto& candidate : candidates) words.push_back(candidate.value);
  return words;
}

std::vector<std::string> completions(const std::vector<std::string>& words) {
  Cli cli;
  add_commands(cli);
  add_completion(cli);
  return values(complete(cli, words));
}

bool contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

TEST(ReportCliTest, NearestFirstOrdersByEditDistanceKeepingTies) {
  EXPECT_EQ(nearest_first("wdie", {"baseline", "wider", "wide"}),
            (std::vector<std::string>{"wide", "wider", "baseline"}));
  EXPECT_EQ(nearest_first("aa", {"ba", "zz", "ab"}), (std::vector<std::string>{"ba", "ab", "zz"}));
  // did_you_mean alone names the last within two edits (wider); the nearest is wide.
  EXPECT_EQ(nearest_hint("wid", {"wide", "wider"}), " (did you mean 'wide'?)");
  EXPECT_EQ(nearest_hint("tabel", {"list", "table", "compare"}), " (did you mean 'table'?)");
  EXPECT_EQ(nearest_hint("xyzzy", {"list", "table"}), "");
  EXPECT_EQ(nearest_hint("x", {}), "");
}

TEST(ReportCliTest, UnknownNameListsFewNamesAndTheNearestOfMany) {
  EXPECT_EQ(unknown_name("arm", "basline", {"baseline", "wide"}, "runs.db", "arms"),
            "unknown arm 'basline' in runs.db (did you mean 'baseline'?): the arms are baseline, wide");
  std::vector<std::string> many;
  for (int i = 0; i < 150; ++i) many.push_back("test.f1/" + std::to_string(i));
  many.push_back("test.accuracy");
  EXPECT_EQ(unknown_name("metric", "test.acuracy", many, "runs.db", "metrics"),
            "unknown metric 'test.acuracy' in runs.db (did you mean 'test.accuracy'?): the nearest of its 151 "
            "metrics are test.accuracy, test.f1/0, test.f1/1; `report metrics --db runs.db` lists them all");
  EXPECT_EQ(unknown_choice("--format", "jsn", {"table", "json"}),
            "unknown --format 'jsn' (did you mean 'json'?): expected one of table, json");
}

TEST(ReportCliTest, MissingStoreNamesTheNearestDbFileInItsFolder) {
  const test::TempDir dir;
  test::write_text(dir.path() / "runs.db", "");
  test::write_text(dir.path() / "runs.txt", "");
  const std::string typed = (dir.path() / "runs.bd").string();
  try {
    existing_store(typed);
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "no store at " + typed + " (did you mean '" + (dir.path() / "runs.db").string() + "'?)");
  }
  // Nothing near: the store says what it says about a missing file.
  const std::string far = (dir.path() / "elsewhere.db").string();
  EXPECT_EQ(existing_store(far), far);
  const std::string present = (dir.path() / "runs.db").string();
  EXPECT_EQ(existing_store(present), present);
}

TEST(ReportCliTest, UnknownCommandNamesTheNearest) {
  Cli cli;
  add_commands(cli);
  const char* argv[] = {"report", "--db", "runs.db", "tabel"};
  try {
    cli.run(4, argv);
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown command 'tabel' (did you mean 'table'?)"), std::string::npos)
        << e.what();
  }
}

TEST(ReportCliTest, CompletesCommandsOptionsAndChoicesFromTheDeclaration) {
  const auto commands = completions({""});
  EXPECT_TRUE(contains(commands, "table"));
  EXPECT_TRUE(contains(commands, "list"));
  EXPECT_FALSE(contains(commands, "__complete")) << "hidden";
  EXPECT_EQ(completions({"--db", "x.db", "tab"}), (std::vector<std::string>{"table"}));

  const auto table_options = completions({"table", "--"});
  EXPECT_TRUE(contains(table_options, "--by"));
  EXPECT_FALSE(contains(table_options, "--status")) << "the listing's, not table's";
  EXPECT_TRUE(contains(completions({"--"}), "--status")) << "no command: the listing";

  EXPECT_EQ(completions({"curves", "--format", ""}), (std::vector<std::string>{"table", "csv", "json"}));
  EXPECT_EQ(completions({"table", "--format=c"}), (std::vector<std::string>{"--format=csv"}));
  EXPECT_EQ(completions({"--status", "f"}), (std::vector<std::string>{"finished", "failed"}));
  EXPECT_EQ(completions({"--db", ""}), (std::vector<std::string>{":stores"}));
  EXPECT_EQ(completions({"html", "-o", ""}), (std::vector<std::string>{":files"}));
  EXPECT_EQ(completions({"merge", "out.db", ""}), (std::vector<std::string>{":stores"}));
}

TEST(ReportCliTest, StoreNamesFromAStoreThatIsNotThereAreNone) {
  EXPECT_TRUE(completions({"--db", "/nonexistent/runs.db", "compare", ""}).empty());
  EXPECT_TRUE(completions({"--db=/nonexistent/runs.db", "show", ""}).empty());
  // show takes one RUN: after it, nothing but options.
  EXPECT_TRUE(completions({"--db", "/nonexistent/runs.db", "show", "3", ""}).empty());
}

}  // namespace
}  // namespace ablate::report
