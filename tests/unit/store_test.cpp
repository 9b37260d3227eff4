// The run store: opening, migrating and refusing files, and the run life cycle.
#include "store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "ablate/error.hpp"
#include "test_support.hpp"

namespace ablate::db {
namespace {

using ablate::test::TempDir;
using ablate::test::throws_store_error;

// Raw SQLite access, to tamper with a store the way an old or foreign program would.
void execute(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &handle), SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message);
  const std::string error = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(handle);
  ASSERT_EQ(rc, SQLITE_OK) << error;
}

// The first column of the first row of `sql`, as text.
std::string query_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* handle = nullptr;
  sqlite3_open_v2(file.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  std::string result;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(statement, 0);
    result = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return result;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

RunClaim claim(const std::string& hash, const std::string& arm = "baseline", std::int64_t resolution = 28,
               std::int64_t seed = 1) {
  RunClaim c;
  c.config_hash = hash;
  c.config_json = R"({"arm":")" + arm + R"("})";
  c.arm = arm;
  c.model = "baseline_cnn";
  c.dataset = "mnist";
  c.resolution = resolution;
  c.seed = seed;
  c.pid = 4242;
  c.host = "testhost";
  c.device = "cpu";
  c.threads = 2;
  c.torch_version = "2.1.0";
  c.git_commit = "abc123";
  c.plugin_versions_json = R"({"baseline_cnn":"1.0.0"})";
  return c;
}

TEST(StoreTest, FreshStoreGetsTheCurrentSchemaInWalMode) {
  TempDir dir;
  const auto file = dir.path() / "runs.db";
  {
    Store store(file.string());
    EXPECT_EQ(store.schema_version(), current_schema_version());
    EXPECT_EQ(store.path(), file.string());
  }
  EXPECT_GE(current_schema_version(), 1);
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), std::to_string(current_schema_version()));
  EXPECT_EQ(query_text(file, "PRAGMA journal_mode"), "wal");
}

TEST(StoreTest, ReopeningKeepsDataAndDoesNotRerunMigrations) {
  TempDir dir;
  const auto file = (dir.path() / "runs.db").string();
  std::int64_t id = 0;
  {
    Store store(file);
    id = store.start_run(claim("h1")).run_id;
  }
  // Re-running 0001 would fail on CREATE TABLE runs: a clean reopen proves it was skipped.
  Store again(file);
  EXPECT_EQ(again.schema_version(), current_schema_version());
  const auto run = again.find_run("h1");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->id, id);
  Store reader(file, OpenMode::read_only);
  EXPECT_EQ(reader.list_runs().size(), 1u);
}

TEST(StoreTest, RefusesAStoreWithANewerSchema) {
  TempDir dir;
  const auto file = dir.path() / "runs.db";
  { Store store(file.string()); }
  const int newer = current_schema_version() + 2;
  execute(file, "PRAGMA user_version = " + std::to_string(newer));
  const std::vector<std::string> parts = {
      file.string(), "newer Ablate",
      "schema " + std::to_string(newer) + ", this binary knows " + std::to_string(current_schema_version()),
      "upgrade ablate"};
  EXPECT_TRUE(throws_store_error([&] { Store store(file.string()); }, parts));
  EXPECT_TRUE(throws_store_error([&] { Store store(file.string(), OpenMode::read_only); }, parts));
  // Refused, not touched.
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), std::to_string(newer));
}

// A store as a binary of schema 2 left it: migrations 0001 and 0002 from the source tree,
// applied by hand, and one run recorded under them.
void write_schema_two_store(const std::filesystem::path& file) {
  const auto migrations = std::filesystem::path(ABLATE_SOURCE_DIR) / "db" / "migrations";
  execute(file, read_file(migrations / "0001_initial.sql"));
  execute(file, read_file(migrations / "0002_run_details.sql"));
  execute(file, "INSERT INTO runs (config_hash, config_json, status, arm, model, dataset, resolution, "
                "seed, torch_version) VALUES ('old', '{}', 'finished', 'baseline', 'baseline_cnn', "
                "'mnist', 28, 1, '1.13.1'); PRAGMA user_version = 2");
}

TEST(StoreTest, MigratesASchemaTwoStoreAndKeepsItsRuns) {
  TempDir dir;
  const auto file = dir.path() / "runs.db";
  write_schema_two_store(file);
  ASSERT_EQ(query_text(file, "PRAGMA user_version"), "2");
  // report (read-only) does not migrate: it asks for a runner to do it.
  EXPECT_TRUE(throws_store_error([&] { Store store(file.string(), OpenMode::read_only); },
                                 {"schema 2", "run `runner` once"}));

  ASSERT_GE(current_schema_version(), 3);
  {
    Store store(file.string());
    EXPECT_EQ(store.schema_version(), current_schema_version());
  }
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), std::to_string(current_schema_version()));
  EXPECT_EQ(query_text(file, "SELECT count(*) FROM pragma_table_info('runs') "
                             "WHERE name = 'ablate_version' AND type = 'TEXT'"),
            "1");
  // The old run is kept, its Ablate unknown rather than invented.
  EXPECT_EQ(query_text(file, "SELECT status || ' ' || torch_version || ' ' || "
                             "(ablate_version IS NULL) FROM runs WHERE config_hash = 'old'"),
            "finished 1.13.1 1");
}

TEST(StoreTest, RefusesAFileThatIsNotSqliteAndLeavesItAlone) {
  TempDir dir;
  const auto file = dir.path() / "notes.txt";
  const std::string text(4096, 'x');
  ablate::test::write_text(file, text);
  for (OpenMode mode : {OpenMode::read_write, OpenMode::read_only}) {
    EXPECT_TRUE(throws_store_error([&] { Store store(file.string(), mode); },
                                   {file.string(), "not an Ablate store", "file is not a database"}));
  }
  EXPECT_EQ(read_file(file), text);
}

// SQLite's extended result code carried by the StoreError `body` throws; -1 when it throws none.
template <typename Body>
int store_error_code(Body&& body) {
  try {
    body();
  } catch (const StoreError& e) {
    return e.sqlite_code();
  }
  return -1;
}

TEST(StoreTest, StoreErrorsKeepSqlitesErrorCode) {
  TempDir dir;
  const auto text = dir.path() / "notes.txt";
  ablate::test::write_text(text, std::string(4096, 'x'));
  EXPECT_EQ(store_error_code([&] { Store store(text.string(), OpenMode::read_only); }), SQLITE_NOTADB);

  const auto file = (dir.path() / "runs.db").string();
  { Store store(file); }
  Store reader(file, OpenMode::read_only);
  // The primary code, in the low byte of the extended one.
  EXPECT_EQ(store_error_code([&] { reader.start_run(claim("h1")); }) & 0xff, SQLITE_READONLY);
  // Ablate's own refusals are not SQLite's.
  Store writer(file);
  EXPECT_EQ(store_error_code([&] { writer.heartbeat({99, 1}); }), 0);
}

TEST(StoreTest, RefusesAnotherProgramsDatabase) {
  TempDir dir;
  const auto file = dir.path() / "other.db";
  execute(file, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  EXPECT_TRUE(throws_store_error([&] { Store store(file.string()); },
                                 {file.string(), "not an Ablate store", "customers"}));
  // Not migrated behind the owner's back.
  EXPECT_EQ(query_text(file, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'"), "0");
}

TEST(StoreTest, ReadOnlyOnAMissingFileErrorsAndDoesNotCreateIt) {
  TempDir dir;
  const auto file = dir.path() / "missing.db";
  EXPECT_TRUE(throws_store_error([&] { Store store(file.string(), OpenMode::read_only); },
                                 {"no store at " + file.string(), "runner", "--db"}));
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST(StoreTest, ReadOnlyOnAnEmptyFileSaysItIsNotAStoreYet) {
  TempDir dir;
  const auto file = dir.path() / "empty.db";
  ablate::test::write_text(file, "");
  EXPECT_TRUE(throws_store_error([&] { Store store(file.string(), OpenMode::read_only); }, {file.string(), "runner"}));
  EXPECT_EQ(std::filesystem::file_size(file), 0u);
}

TEST(StoreTest, ReadOnlyStoreDoesNotWrite) {
  TempDir dir;
  const auto file = (dir.path() / "runs.db").string();
  { Store store(file); }
  Store reader(file, OpenMode::read_only);
  EXPECT_TRUE(throws_store_error([&] { reader.start_run(claim("h1")); }, {file}));
  EXPECT_TRUE(reader.list_runs().empty());
}

TEST(StoreTest, StartAddEpochFinishRoundTrip) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const std::int64_t grid = store.add_grid("mnist_ablation", "experiments/mnist.yaml", "a: 1");
  RunClaim c = claim("h1");
  c.grid_id = grid;
  const RunLease lease = store.start_run(c);
  const std::int64_t id = lease.run_id;
  EXPECT_EQ(lease.attempt, 1);

  auto running = store.find_run("h1");
  ASSERT_TRUE(running);
  EXPECT_EQ(running->status, RunStatus::running);
  EXPECT_FALSE(running->heartbeat_at.empty());
  EXPECT_FALSE(running->test_accuracy);
  store.heartbeat(lease);

  EpochRow first{1, 0.5, 0.8, 0.45, 0.82, 0.01, 3.5, 1000.0};
  EpochRow second{2, 0.25, 0.9, 0.3, 0.88, 0.005, 3.25, 1100.0};
  store.add_epoch(lease, first);
  store.add_epoch(lease, second);

  RunSummary summary;
  summary.params_trainable = 421642;
  summary.params_total = 421700;
  summary.epochs = 2;
  summary.best_epoch = 2;
  summary.train_seconds = 6.75;
  summary.test_seconds = 0.5;
  store.finish_run(lease, summary, {{"test", "accuracy", 0.875}, {"val", "accuracy", 0.88}},
                   {{"test", "confusion", 2, 2, {5, 1, 0, 6}}});

  const auto done = store.find_run("h1");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->id, id);
  EXPECT_EQ(done->status, RunStatus::finished);
  EXPECT_EQ(done->arm, "baseline");
  EXPECT_EQ(done->model, "baseline_cnn");
  EXPECT_EQ(done->dataset, "mnist");
  EXPECT_EQ(done->resolution, 28);
  EXPECT_EQ(done->seed, 1);
  EXPECT_EQ(done->params_trainable, 421642);
  EXPECT_EQ(done->epochs, 2);
  EXPECT_EQ(done->train_seconds, 6.75);
  EXPECT_EQ(done->test_accuracy, 0.875);
  EXPECT_TRUE(done->error.empty());

  const auto epochs = store.epochs(id);
  ASSERT_EQ(epochs.size(), 2u);
  EXPECT_EQ(epochs[0].epoch, 1);
  EXPECT_EQ(epochs[1].train_loss, 0.25);
  EXPECT_EQ(epochs[1].val_accuracy, 0.88);
  EXPECT_EQ(epochs[1].images_per_second, 1100.0);

  const auto metrics = store.metrics(id);
  ASSERT_EQ(metrics.size(), 2u);
  EXPECT_EQ(metrics[0].split, "test");
  EXPECT_EQ(metrics[0].value, 0.875);

  const auto matrices = store.matrices(id);
  ASSERT_EQ(matrices.size(), 1u);
  EXPECT_EQ(matrices[0].name, "confusion");
  EXPECT_EQ(matrices[0].rows, 2);
  EXPECT_EQ(matrices[0].values, (std::vector<double>{5, 1, 0, 6}));

  EXPECT_EQ(query_text(dir.path() / "runs.db", "SELECT count(*) FROM grid_runs WHERE grid_id = " +
                                                   std::to_string(grid) + " AND run_id = " + std::to_string(id)),
            "1");
}

TEST(StoreTest, StartRunOnAFailedRunResetsItAndDropsOldEpochs) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const RunLease lease = store.start_run(claim("h1"));
  const std::int64_t id = lease.run_id;
  store.add_epoch(lease, EpochRow{1, 0.5, 0.8, 0.45, 0.82, 0.01, 3.5, 1000.0});
  store.end_run(lease, RunStatus::failed, "loss is NaN\nat epoch 1");

  const auto failed = store.find_run("h1");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, RunStatus::failed);
  EXPECT_EQ(failed->error, "loss is NaN\nat epoch 1");
  EXPECT_EQ(store.epochs(id).size(), 1u);  // kept for the post-mortem

  const RunLease again_lease = store.start_run(claim("h1"));
  EXPECT_EQ(again_lease.run_id, id);
  EXPECT_EQ(again_lease.attempt, lease.attempt + 1);
  const auto again = store.find_run("h1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, RunStatus::running);
  EXPECT_TRUE(again->error.empty());
  EXPECT_TRUE(store.epochs(id).empty());
  EXPECT_EQ(store.list_runs().size(), 1u);
}

TEST(StoreTest, ClassNamesAreStoredPerRunReplacedOnRetryAndRefusedAfterALostClaim) {
  TempDir dir;
  const auto file = dir.path() / "runs.db";
  Store store(file.string());
  const RunLease lease = store.start_run(claim("h1"));
  EXPECT_TRUE(store.class_names(lease.run_id).empty()) << "none until the runner writes them";
  store.set_class_names(lease, {"T-shirt/top", "it's \"quoted\"", "Ankle boot"});
  EXPECT_EQ(store.class_names(lease.run_id),
            (std::vector<std::string>{"T-shirt/top", "it's \"quoted\"", "Ankle boot"}));
  store.set_class_names(lease, {"a", "b"});
  EXPECT_EQ(store.class_names(lease.run_id), (std::vector<std::string>{"a", "b"})) << "replaced, not appended";
  store.end_run(lease, RunStatus::failed, "boom");
  EXPECT_TRUE(throws_store_error([&] { store.set_class_names(lease, {"x"}); }, {"is already failed"}));
  EXPECT_EQ(store.class_names(lease.run_id), (std::vector<std::string>{"a", "b"}));

  // A retry starts clean, as it does for epochs and metrics.
  const RunLease again = store.start_run(claim("h1"));
  EXPECT_TRUE(store.class_names(again.run_id).empty());
  // A store edited by hand with a gap in the indices reads as no names, never shifted ones.
  store.set_class_names(again, {"a", "b", "c"});
  execute(file, "DELETE FROM class_names WHERE class_index = 1");
  EXPECT_TRUE(store.class_names(again.run_id).empty());
}

TEST(StoreTest, AClaimedRunRecordsWhichAblateClaimedIt) {
  TempDir dir;
  const auto file = dir.path() / "runs.db";
  Store store(file.string());
  RunClaim c = claim("h1");
  c.ablate_version = "0.1.0+g1a2b3c4.dirty";
  ClaimPolicy policy;
  ASSERT_EQ(store.claim_run(c, policy).outcome, ClaimOutcome::claimed);
  EXPECT_EQ(query_text(file, "SELECT ablate_version FROM runs WHERE config_hash = 'h1'"), "0.1.0+g1a2b3c4.dirty");

  // A failed run taken again is recorded under the Ablate that ran it the second time.
  const auto run = store.find_run("h1");
  store.end_run({run->id, run->attempt}, RunStatus::failed, "boom");
  c.ablate_version = "0.2.0";
  policy.retry_failed = true;
  ASSERT_EQ(store.claim_run(c, policy).outcome, ClaimOutcome::claimed);
  EXPECT_EQ(query_text(file, "SELECT ablate_version FROM runs WHERE config_hash = 'h1'"), "0.2.0");

  // Unknown is NULL, not an empty string that would look like a version.
  store.start_run(claim("h2"));
  EXPECT_EQ(query_text(file, "SELECT ablate_version IS NULL FROM runs WHERE config_hash = 'h2'"), "1");
}

TEST(StoreTest, StartRunOnAFinishedRunIsRefused) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const RunLease lease = store.start_run(claim("h1"));
  store.finish_run(lease, RunSummary{}, {}, {});
  EXPECT_TRUE(throws_store_error([&] { store.start_run(claim("h1")); }, {"already finished"}));
  EXPECT_EQ(store.find_run("h1")->status, RunStatus::finished);
}

TEST(StoreTest, FinishRunRejectsAMalformedMatrixAndWritesNothing) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const RunLease lease = store.start_run(claim("h1"));
  EXPECT_TRUE(throws_store_error(
      [&] {
        store.finish_run(lease, RunSummary{}, {}, {{"test", "confusion", 2, 2, {1, 2, 3}}});
      },
      {"confusion", "2x2", "3 values"}));
  EXPECT_EQ(store.find_run("h1")->status, RunStatus::running);
}

TEST(StoreTest, UnknownRunIdsAndStatusesAreErrors) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  EXPECT_TRUE(throws_store_error([&] { store.heartbeat({99, 1}); }, {"no run with id 99"}));
  EXPECT_TRUE(throws_store_error([&] { store.add_epoch({99, 1}, EpochRow{}); }, {"99"}));
  const RunLease lease = store.start_run(claim("h1"));
  EXPECT_TRUE(throws_store_error([&] { store.end_run(lease, RunStatus::finished, ""); }, {"failed or killed"}));
  EXPECT_TRUE(throws_store_error([] { parse_run_status("done"); }, {"'done'", "finished"}));
  EXPECT_EQ(parse_run_status("killed"), RunStatus::killed);
  EXPECT_STREQ(to_string(RunStatus::pending), "pending");
}

// Issue 20, item 4: a runner suspended past the stale limit (Ctrl-Z, SIGSTOP, a paused VM)
// loses its run to a second runner; when it wakes, none of its writes may touch the run.
TEST(StoreTest, ARunnerThatLostItsClaimCannotChangeTheNewOwnersRun) {
  TempDir dir;
  const auto file = dir.path() / "runs.db";
  Store first(file.string());
  Store second(file.string());
  RunClaim c = claim("h1");
  c.host = "host-a";
  const RunLease suspended = first.start_run(c);
  first.add_epoch(suspended, EpochRow{1, 0.9, 0.5, 0.9, 0.5, 0.01, 1.0, 10.0});
  // The first runner's heartbeat went stale while it was stopped.
  execute(file, "UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00.000Z'");
  ClaimPolicy policy;
  policy.host = "host-b";
  const ClaimResult taken = second.claim_run(claim("h1"), policy);
  ASSERT_EQ(taken.outcome, ClaimOutcome::claimed);
  EXPECT_EQ(taken.run_id, suspended.run_id);
  EXPECT_EQ(taken.attempt, suspended.attempt + 1);
  second.add_epoch(taken.lease(), EpochRow{1, 0.5, 0.8, 0.5, 0.8, 0.01, 1.0, 10.0});
  second.finish_run(taken.lease(), RunSummary{}, {{"test", "accuracy", 0.75}}, {});

  // The first runner wakes up and goes on writing: every write is refused, none lands.
  const std::vector<std::string> taken_over = {"run " + std::to_string(suspended.run_id),
                                               "taken over by another runner", "nothing of this runner's"};
  EXPECT_TRUE(throws_store_error([&] { first.heartbeat(suspended); }, taken_over));
  EXPECT_TRUE(throws_store_error(
      [&] {
        first.add_epoch(suspended, EpochRow{2, 0.1, 0.9, 0.1, 0.9, 0, 1, 1});
      },
      taken_over));
  EXPECT_TRUE(throws_store_error(
      [&] {
        first.finish_run(suspended, RunSummary{}, {{"test", "accuracy", 0.25}}, {});
      },
      taken_over));
  EXPECT_TRUE(throws_store_error([&] { first.end_run(suspended, RunStatus::failed, "woke up"); }, taken_over));
  try {
    first.heartbeat(suspended);
  } catch (const LostClaimError&) {
  } catch (...) {
    ADD_FAILURE() << "a lost claim is a LostClaimError, so the runner can tell it from a broken store";
  }

  const auto run = second.find_run("h1");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::finished);
  EXPECT_EQ(run->test_accuracy, 0.75);
  EXPECT_EQ(run->attempt, 2);
  const auto epochs = second.epochs(run->id);
  ASSERT_EQ(epochs.size(), 1u);
  EXPECT_EQ(epochs[0].train_loss, 0.5) << "only the new owner's epoch";
}

TEST(StoreTest, WritesToARunThatEndedAreRefused) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const RunLease lease = store.start_run(claim("h1"));
  store.end_run(lease, RunStatus::killed, "SIGTERM");
  EXPECT_TRUE(throws_store_error(
      [&] {
        store.add_epoch(lease, EpochRow{1, 0, 0, 0, 0, 0, 0, 0});
      },
      {"is already killed"}));
  EXPECT_TRUE(throws_store_error([&] { store.finish_run(lease, RunSummary{}, {}, {}); }, {"is already killed"}));
  EXPECT_EQ(store.find_run("h1")->status, RunStatus::killed);
  EXPECT_TRUE(store.epochs(lease.run_id).empty());
}

TEST(StoreTest, ListRunsFiltersByArmAndStatusAndSortsByArmResolutionSeed) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const auto wide = store.start_run(claim("w28s1", "wide", 28, 1));
  store.start_run(claim("b28s2", "baseline", 28, 2));
  const auto b14 = store.start_run(claim("b14s1", "baseline", 14, 1));
  store.start_run(claim("b28s1", "baseline", 28, 1));
  store.end_run(wide, RunStatus::killed, "SIGTERM");
  store.finish_run(b14, RunSummary{}, {{"test", "accuracy", 0.5}}, {});

  const auto all = store.list_runs();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].config_hash, "b14s1");
  EXPECT_EQ(all[0].test_accuracy, 0.5);
  EXPECT_EQ(all[1].config_hash, "b28s1");
  EXPECT_EQ(all[2].config_hash, "b28s2");
  EXPECT_EQ(all[3].config_hash, "w28s1");

  RunFilter by_arm;
  by_arm.arm = "baseline";
  EXPECT_EQ(store.list_runs(by_arm).size(), 3u);

  RunFilter by_status;
  by_status.status = RunStatus::killed;
  const auto killed = store.list_runs(by_status);
  ASSERT_EQ(killed.size(), 1u);
  EXPECT_EQ(killed[0].error, "SIGTERM");

  RunFilter both;
  both.arm = "baseline";
  both.status = RunStatus::running;
  EXPECT_EQ(store.list_runs(both).size(), 2u);

  RunFilter none;
  none.arm = "nobody";
  EXPECT_TRUE(store.list_runs(none).empty());
}

TEST(StoreTest, ValuesWithQuotesAndSqlAreStoredVerbatim) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const std::string nasty = "it's \"quoted\"; DROP TABLE runs; -- ?1 :id %s \\";
  RunClaim c = claim(nasty, nasty);
  c.dataset = nasty;
  const RunLease lease = store.start_run(c);
  store.end_run(lease, RunStatus::failed, nasty);
  store.add_grid(nasty, nasty, nasty);

  const auto run = store.find_run(nasty);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->arm, nasty);
  EXPECT_EQ(run->dataset, nasty);
  EXPECT_EQ(run->error, nasty);
  RunFilter filter;
  filter.arm = nasty;
  EXPECT_EQ(store.list_runs(filter).size(), 1u);
}

TEST(StoreTest, ARunReferenceIsAnIdFirstThenAUniqueHashPrefixOfFourOrMore) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const std::int64_t first = store.start_run(claim("abcd1234")).run_id;
  store.start_run(claim("abcd5678"));
  const std::int64_t digits = store.start_run(claim("12345678")).run_id;

  EXPECT_EQ(store.find_run_by_reference(std::to_string(first))->config_hash, "abcd1234");
  EXPECT_EQ(store.find_run_by_reference("abcd1")->id, first);
  EXPECT_EQ(store.find_run_by_reference("abcd1234")->id, first);
  // Digits that are no run's id are a hash prefix.
  EXPECT_EQ(store.find_run_by_reference("1234")->id, digits);
  // Too short to be a prefix, though only one hash starts with it.
  EXPECT_FALSE(store.find_run_by_reference("123"));
  EXPECT_FALSE(store.find_run_by_reference("abc"));
  EXPECT_FALSE(store.find_run_by_reference(""));
  EXPECT_FALSE(store.find_run_by_reference("99"));
  EXPECT_FALSE(store.find_run_by_reference("abce"));
  // Compared literally: no wildcards, no overflow on a long number.
  EXPECT_FALSE(store.find_run_by_reference("abc%"));
  EXPECT_FALSE(store.find_run_by_reference("abc_1234"));
  EXPECT_FALSE(store.find_run_by_reference("1234567890123456789012345"));
}

TEST(StoreTest, AnAmbiguousRunReferenceNamesTheCandidates) {
  TempDir dir;
  const auto file = (dir.path() / "runs.db").string();
  Store store(file);
  store.start_run(claim("abcd1234"));
  store.start_run(claim("abcd5678"));
  EXPECT_TRUE(throws_store_error([&] { store.find_run_by_reference("abcd"); },
                                 {"run 'abcd' is ambiguous in " + file, "abcd1234, abcd5678 start with it",
                                  "give more of the hash"}));
  store.start_run(claim("abcd9999"));
  store.start_run(claim("abcd0000"));
  EXPECT_TRUE(throws_store_error([&] { store.find_run_by_reference("abcd"); },
                                 {"abcd1234, abcd5678, abcd9999, \u2026 start with it"}));
}

// A store holding one run "h1" in the state `state` names, for the claim policy tests.
void store_run_in_state(Store& store, const std::filesystem::path& file, const std::string& state) {
  if (state == "new") return;
  RunClaim c = claim("h1");
  if (state == "running elsewhere") c.host = "otherhost";
  if (state == "running here, owner dead") c.pid = 999999999;  // above any pid_max: no such process
  const RunLease lease = store.start_run(c);
  if (state == "finished") store.finish_run(lease, RunSummary{}, {}, {});
  if (state == "failed") store.end_run(lease, RunStatus::failed, "boom");
  if (state == "killed") store.end_run(lease, RunStatus::killed, "SIGTERM");
  if (state == "stale") execute(file, "UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00.000Z', host = 'otherhost'");
}

TEST(StoreTest, PreviewClaimAgreesWithClaimRunAndChangesNothing) {
  struct Case {
    const char* state;
    bool retry_failed;
    bool force;
    ClaimOutcome expected;
  };
  const Case cases[] = {
      {"new", false, false, ClaimOutcome::claimed},
      {"finished", false, false, ClaimOutcome::finished},
      {"finished", true, false, ClaimOutcome::finished},
      {"finished", false, true, ClaimOutcome::claimed},
      {"failed", false, false, ClaimOutcome::failed},
      {"failed", true, false, ClaimOutcome::claimed},
      {"failed", false, true, ClaimOutcome::claimed},
      {"killed", false, false, ClaimOutcome::claimed},
      {"stale", false, false, ClaimOutcome::claimed},
      {"running here, owner dead", false, false, ClaimOutcome::claimed},
      {"running elsewhere", false, false, ClaimOutcome::running_elsewhere},
      {"running elsewhere", true, true, ClaimOutcome::running_elsewhere},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(::testing::Message() << test.state << (test.retry_failed ? " --retry-failed" : "")
                                      << (test.force ? " --force" : ""));
    TempDir dir;
    const auto file = dir.path() / "runs.db";
    Store store(file.string());
    store_run_in_state(store, file, test.state);
    ClaimPolicy policy;
    policy.retry_failed = test.retry_failed;
    policy.force = test.force;
    policy.host = "testhost";
    const auto before = store.find_run("h1");

    const ClaimResult preview = store.preview_claim("h1", policy);
    EXPECT_EQ(preview.outcome, test.expected);
    // A forced finished run is kept, archived, and a new run claimed in its place.
    const bool replaced = before && before->status == RunStatus::finished && test.force;
    EXPECT_EQ(preview.run_id, before && !replaced ? before->id : 0);
    EXPECT_EQ(preview.archived_run_id, replaced ? before->id : 0);
    const auto after = store.find_run("h1");
    EXPECT_EQ(after.has_value(), before.has_value());
    if (before && after) {
      EXPECT_EQ(after->status, before->status);
    }

    const ClaimResult claimed = store.claim_run(claim("h1"), policy);
    EXPECT_EQ(claimed.outcome, preview.outcome);
    EXPECT_EQ(claimed.archived_run_id, preview.archived_run_id);
    if (before && !replaced) {
      EXPECT_EQ(claimed.run_id, preview.run_id);
    }
  }
}

// Issue 20, item 11: several runners started at once on a fresh store. One of them could
// read the schema version before another's first migration committed and the table list
// after it, and refuse the store as "not an Ablate store: it has tables ... but no schema
// version" (about once in 15 starts of three runners).
TEST(StoreTest, ProcessesOpeningAFreshStoreTogetherAllSucceed) {
  constexpr int kRounds = 40;
  constexpr int kProcesses = 6;
  int failures = 0;
  for (int round = 0; round < kRounds; ++round) {
    TempDir dir;
    const auto file = (dir.path() / "runs.db").string();
    std::vector<pid_t> children;
    for (int i = 0; i < kProcesses; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        int code = 0;
        try {
          Store store(file);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "round %d: %s\n", round, e.what());
          code = 1;
        }
        _exit(code);
      }
      children.push_back(pid);
    }
    for (const pid_t pid : children) {
      int status = 0;
      waitpid(pid, &status, 0);
      failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
  }
  EXPECT_EQ(failures, 0) << "of " << kRounds * kProcesses << " opens (messages above)";
}

TEST(StoreTest, TwoConnectionsShareOneStore) {
  TempDir dir;
  const auto file = (dir.path() / "runs.db").string();
  Store first(file);
  Store second(file);
  first.start_run(claim("h1"));
  second.start_run(claim("h2"));
  Store reader(file, OpenMode::read_only);
  EXPECT_EQ(reader.list_runs().size(), 2u);
}

}  // namespace
}  // namespace ablate::db
