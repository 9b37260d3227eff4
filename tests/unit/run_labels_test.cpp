// Run management in the store: tags, notes, archived runs (report archive, runner --force),
// removing runs with their files, and migration 0006 from a schema-4 store.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ablate/error.hpp"
#include "store.hpp"
#include "test_support.hpp"

namespace ablate::db {
namespace {

namespace fs = std::filesystem;
using ablate::test::TempDir;
using ablate::test::throws_store_error;
using ablate::test::write_text;
using Tags = std::vector<std::pair<std::string, std::string>>;

void execute(const fs::path& file, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &handle), SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message);
  const std::string error = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(handle);
  ASSERT_EQ(rc, SQLITE_OK) << error;
}

// Every row of `sql`, its columns joined by '|', rows by '\n'.
std::string query_rows(const fs::path& file, const std::string& sql) {
  sqlite3* handle = nullptr;
  sqlite3_open_v2(file.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  std::string result;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK) {
    while (sqlite3_step(statement) == SQLITE_ROW) {
      if (!result.empty()) result += '\n';
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        const unsigned char* text = sqlite3_column_text(statement, i);
        result += (i > 0 ? "|" : "") + std::string(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
      }
    }
  } else {
    result = std::string("error: ") + sqlite3_errmsg(handle);
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return result;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A 64-hex-digit config hash whose first 16 digits (the live artifact folder) are `head`.
std::string hash(char digit) { return std::string(64, digit); }

RunClaim claim(const std::string& config_hash, std::int64_t seed = 0) {
  RunClaim c;
  c.config_hash = config_hash;
  c.config_json = "{}";
  c.arm = "baseline";
  c.model = "baseline_cnn";
  c.dataset = "synthetic";
  c.resolution = 16;
  c.seed = seed;
  c.pid = 4242;
  c.host = "testhost";
  return c;
}

// A finished run with an epoch, metrics, a matrix, predictions and a checkpoint file where
// the runner writes it; returns its id.
std::int64_t finished_run(Store& store, const std::string& config_hash, const std::string& weights = "weights") {
  const std::int64_t grid = store.add_grid("g", "g.yaml", "a: 1");
  RunClaim c = claim(config_hash);
  c.grid_id = grid;
  const RunLease lease = store.start_run(c);
  store.add_epoch(lease, EpochRow{1, 0.5, 0.8, 0.45, 0.82, 0.01, 3.5, 1000.0});
  const std::string checkpoint = live_artifact_folder(config_hash) + "/best.pt";
  write_text(fs::path(store.artifact_dir()) / checkpoint, weights);
  RunSummary summary;
  summary.epochs = 1;
  summary.best_epoch = 1;
  summary.checkpoint = checkpoint;
  PredictionRow predictions{"test", 1, 2, {1}, {0.25F, 0.75F}};
  store.finish_run(lease, summary, {{"test", "accuracy", 0.75}}, {{"test", "confusion", 1, 1, {1}}}, {predictions});
  return lease.run_id;
}

ClaimPolicy liveness() {
  ClaimPolicy policy;
  policy.host = "testhost";
  return policy;
}

TEST(RunLabelsTest, TagsAreSetReplacedAndRemovedAndListedByKey) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const std::int64_t a = finished_run(store, hash('a'));
  const std::int64_t b = finished_run(store, hash('b'));
  store.set_tags({a, b}, {{"reviewed", "yes"}, {"lr", "high"}});
  store.set_tags({b}, {{"reviewed", "no"}, {"lr", ""}, {"paper/table-2", "row 3"}});
  EXPECT_EQ(store.find_run(hash('a'))->tags, (Tags{{"lr", "high"}, {"reviewed", "yes"}}));
  EXPECT_EQ(store.find_run(hash('b'))->tags, (Tags{{"paper/table-2", "row 3"}, {"reviewed", "no"}}));
  EXPECT_EQ(store.list_runs().at(0).tags.size(), 2u);
}

TEST(RunLabelsTest, BadTagsAndUnknownRunsAreRefusedAndWriteNothing) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const std::int64_t a = finished_run(store, hash('a'));
  EXPECT_TRUE(throws_store_error(
      [&] {
        store.set_tags({a}, {{"ok", "1"}, {"bad key", "x"}});
      },
      {"bad tag key 'bad key'", "letters, digits"}));
  EXPECT_TRUE(throws_store_error([&] { store.set_tags({a}, {{"k", "two\nlines"}}); }, {"control character"}));
  EXPECT_TRUE(throws_store_error(
      [&] {
        store.set_tags({a}, {{"k", std::string(kMaxTagValue + 1, 'x')}});
      },
      {"at most"}));
  // Run a is valid, 999 is not: the whole call is refused, a untouched.
  EXPECT_TRUE(throws_store_error([&] { store.set_tags({a, 999}, {{"ok", "1"}}); }, {"no run with id 999"}));
  EXPECT_TRUE(store.find_run(hash('a'))->tags.empty());
  EXPECT_TRUE(throws_store_error([&] { store.set_note(999, "x"); }, {"no run with id 999"}));
}

TEST(RunLabelsTest, ANoteIsReplacedAndClearedByEmptyText) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const std::int64_t a = finished_run(store, hash('a'));
  store.set_note(a, "lr too high?\nsee plot");
  EXPECT_EQ(store.find_run(hash('a'))->note, "lr too high?\nsee plot");
  store.set_note(a, "fine after all");
  EXPECT_EQ(store.find_run(hash('a'))->note, "fine after all");
  store.set_note(a, "");
  EXPECT_EQ(store.find_run(hash('a'))->note, "");
  EXPECT_EQ(query_rows(dir.path() / "runs.db", "SELECT note IS NULL FROM runs"), "1");
}

TEST(RunLabelsTest, ArchivingHidesARunAndMovesItsFilesAndUnarchivingRestoresThem) {
  TempDir dir;
  const fs::path file = dir.path() / "runs.db";
  Store store(file.string());
  const std::int64_t a = finished_run(store, hash('a'));
  const fs::path artifacts = store.artifact_dir();
  ASSERT_TRUE(store.archive_run(a, liveness()));
  EXPECT_FALSE(store.archive_run(a, liveness()));  // already archived: nothing to do
  EXPECT_FALSE(store.find_run(hash('a')));
  EXPECT_TRUE(store.list_runs().empty());
  RunFilter all;
  all.include_archived = true;
  ASSERT_EQ(store.list_runs(all).size(), 1u);
  EXPECT_TRUE(store.list_runs(all)[0].archived());
  // Its id and its hash still name it; its rows are all kept.
  EXPECT_EQ(store.find_run_by_reference(std::to_string(a))->id, a);
  EXPECT_EQ(store.find_run_by_reference(hash('a').substr(0, 8))->id, a);
  EXPECT_EQ(store.epochs(a).size(), 1u);
  EXPECT_EQ(store.run_origin(a)->checkpoint, "archive/" + std::to_string(a) + "/best.pt");
  EXPECT_EQ(read_file(artifacts / "archive" / std::to_string(a) / "best.pt"), "weights");
  EXPECT_FALSE(fs::exists(artifacts / live_artifact_folder(hash('a'))));

  ASSERT_TRUE(store.unarchive_run(a));
  EXPECT_FALSE(store.unarchive_run(a));
  EXPECT_EQ(store.find_run(hash('a'))->id, a);
  EXPECT_EQ(store.run_origin(a)->checkpoint, live_artifact_folder(hash('a')) + "/best.pt");
  EXPECT_EQ(read_file(artifacts / live_artifact_folder(hash('a')) / "best.pt"), "weights");
  EXPECT_FALSE(fs::exists(artifacts / "archive" / std::to_string(a)));
}

TEST(RunLabelsTest, ForceArchivesTheFinishedRunAndClaimsANewOne) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const std::int64_t old_id = finished_run(store, hash('a'), "old weights");
  store.set_tags({old_id}, {{"reviewed", "yes"}});
  ClaimPolicy force = liveness();
  force.force = true;
  const ClaimResult result = store.claim_run(claim(hash('a')), force);
  ASSERT_EQ(result.outcome, ClaimOutcome::claimed);
  EXPECT_NE(result.run_id, old_id);
  EXPECT_EQ(result.archived_run_id, old_id);
  EXPECT_EQ(result.attempt, 1);

  // The new run is the live one, running, with nothing of the old one's.
  const auto live = store.find_run(hash('a'));
  ASSERT_TRUE(live);
  EXPECT_EQ(live->id, result.run_id);
  EXPECT_EQ(live->status, RunStatus::running);
  EXPECT_TRUE(live->tags.empty());
  EXPECT_TRUE(store.epochs(result.run_id).empty());
  EXPECT_EQ(store.find_run_by_reference(hash('a'))->id, result.run_id);  // the hash names the live run
  // The old one is archived with everything it had, its checkpoint out of the new run's way.
  const auto old = store.find_run_by_reference(std::to_string(old_id));
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->archived());
  EXPECT_EQ(old->status, RunStatus::finished);
  EXPECT_EQ(old->test_accuracy, 0.75);
  EXPECT_EQ(old->tags, (Tags{{"reviewed", "yes"}}));
  EXPECT_EQ(store.epochs(old_id).size(), 1u);
  EXPECT_EQ(read_file(fs::path(store.artifact_dir()) / store.run_origin(old_id)->checkpoint), "old weights");
  EXPECT_FALSE(fs::exists(fs::path(store.artifact_dir()) / live_artifact_folder(hash('a')) / "best.pt"));
  // One live run per configuration: the archived one cannot come back over it.
  EXPECT_TRUE(throws_store_error([&] { store.unarchive_run(old_id); },
                                 {"run " + std::to_string(result.run_id), "is live", "archive or remove"}));
}

TEST(RunLabelsTest, ForceOnAFailedRunResetsItInPlace) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const RunLease lease = store.start_run(claim(hash('a')));
  store.end_run(lease, RunStatus::failed, "boom");
  ClaimPolicy force = liveness();
  force.force = true;
  const ClaimResult result = store.claim_run(claim(hash('a')), force);
  EXPECT_EQ(result.run_id, lease.run_id);
  EXPECT_EQ(result.archived_run_id, 0);
  RunFilter all;
  all.include_archived = true;
  EXPECT_EQ(store.list_runs(all).size(), 1u);
}

TEST(RunLabelsTest, ArchivedRunsOfOneConfigurationAreNamedByIdWhenTheirHashIsAmbiguous) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const std::int64_t first = finished_run(store, hash('a'));
  ASSERT_TRUE(store.archive_run(first, liveness()));
  const std::int64_t second = finished_run(store, hash('a'));
  ASSERT_TRUE(store.archive_run(second, liveness()));
  EXPECT_TRUE(throws_store_error([&] { store.find_run_by_reference(hash('a').substr(0, 6)); },
                                 {"archived runs " + std::to_string(first) + ", " + std::to_string(second),
                                  "give the run id"}));
}

TEST(RunLabelsTest, ARunningRunIsNotArchivedOrRemovedButAStaleOneIs) {
  TempDir dir;
  const fs::path file = dir.path() / "runs.db";
  Store store(file.string());
  RunClaim mine = claim(hash('a'));
  mine.pid = getpid();  // alive, on this host, with a fresh heartbeat
  const RunLease lease = store.start_run(mine);
  EXPECT_THROW(store.archive_run(lease.run_id, liveness()), RunIsRunningError);
  EXPECT_THROW(store.remove_run(lease.run_id, false, false, liveness()), RunIsRunningError);
  EXPECT_FALSE(store.find_run(hash('a'))->archived());

  // A runner that died an hour ago: its run is archived, and marked killed so that the
  // runner, were it only suspended, could write nothing more to it.
  execute(file, "UPDATE runs SET heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour'), pid = 999999999");
  ASSERT_TRUE(store.archive_run(lease.run_id, liveness()));
  EXPECT_EQ(query_rows(file, "SELECT status FROM runs"), "killed");
  EXPECT_THROW(store.heartbeat(lease), LostClaimError);
}

TEST(RunLabelsTest, RemovingARunDeletesEveryRowThatReferencesItAndItsFiles) {
  TempDir dir;
  const fs::path file = dir.path() / "runs.db";
  Store store(file.string());
  const std::int64_t a = finished_run(store, hash('a'));
  const std::int64_t b = finished_run(store, hash('b'));
  store.set_tags({a}, {{"k", "v"}});
  // A table the store does not know, referencing runs as a later migration's would.
  execute(file, "CREATE TABLE later (run_id INTEGER REFERENCES runs (id)); INSERT INTO later VALUES (" +
                    std::to_string(a) + ")");
  const fs::path artifacts = store.artifact_dir();
  write_text(artifacts / live_artifact_folder(hash('a')) / "best.pt.tmp", "half");

  const RemovedRun dry = store.remove_run(a, /*dry_run=*/true, false, liveness());
  EXPECT_EQ(dry.run.id, a);
  EXPECT_EQ(dry.files, (std::vector<std::string>{live_artifact_folder(hash('a')) + "/best.pt",
                                                 live_artifact_folder(hash('a')) + "/best.pt.tmp"}));
  using Rows = std::vector<std::pair<std::string, std::int64_t>>;
  const Rows expected = {{"epochs", 1},  {"grid_runs", 1},   {"later", 1},   {"matrices", 1},
                         {"metrics", 1}, {"predictions", 1}, {"run_tags", 1}};
  EXPECT_EQ(dry.rows, expected);
  EXPECT_TRUE(store.find_run(hash('a')));  // a dry run changes nothing
  EXPECT_TRUE(fs::exists(artifacts / live_artifact_folder(hash('a')) / "best.pt"));

  const RemovedRun removed = store.remove_run(a, false, false, liveness());
  EXPECT_EQ(removed.rows, expected);
  EXPECT_EQ(removed.files, dry.files);
  EXPECT_FALSE(store.find_run_by_reference(std::to_string(a)));
  for (const char* table : {"epochs", "metrics", "matrices", "predictions", "grid_runs", "run_tags", "later"}) {
    EXPECT_EQ(query_rows(file, "SELECT count(*) FROM " + std::string(table) + " WHERE run_id = " + std::to_string(a)),
              "0")
        << table;
  }
  EXPECT_FALSE(fs::exists(artifacts / live_artifact_folder(hash('a'))));
  // The other run keeps everything.
  EXPECT_EQ(store.epochs(b).size(), 1u);
  EXPECT_TRUE(fs::exists(artifacts / live_artifact_folder(hash('b')) / "best.pt"));
  EXPECT_EQ(query_rows(file, "PRAGMA foreign_key_check"), "");
  EXPECT_TRUE(throws_store_error([&] { store.remove_run(a, false, false, liveness()); }, {"no run with id"}));
}

TEST(RunLabelsTest, RemovingAnArchivedRunLeavesTheLiveRunOfItsConfigurationAlone) {
  TempDir dir;
  Store store((dir.path() / "runs.db").string());
  const std::int64_t old_id = finished_run(store, hash('a'), "old");
  ASSERT_TRUE(store.archive_run(old_id, liveness()));
  const std::int64_t live = finished_run(store, hash('a'), "new");
  const RemovedRun removed = store.remove_run(old_id, false, false, liveness());
  EXPECT_EQ(removed.files, (std::vector<std::string>{"archive/" + std::to_string(old_id) + "/best.pt"}));
  EXPECT_EQ(store.find_run(hash('a'))->id, live);
  EXPECT_EQ(read_file(fs::path(store.artifact_dir()) / store.run_origin(live)->checkpoint), "new");
}

// A store as a binary of schema 4 left it: migrations 0001 to 0004 from the source tree,
// applied by hand, with a grid and a finished run that has a row in every table.
void write_schema_four_store(const fs::path& file) {
  const fs::path migrations = fs::path(ABLATE_SOURCE_DIR) / "db" / "migrations";
  for (const char* name :
       {"0001_initial.sql", "0002_run_details.sql", "0003_ablate_version.sql", "0004_claim_attempt.sql"}) {
    execute(file, read_file(migrations / name));
  }
  execute(file,
          "PRAGMA foreign_keys = ON;"
          "INSERT INTO grids (id, name, experiment, spec_yaml, created_at) VALUES (7, 'g', 'g.yaml', 'a: 1', 't');"
          "INSERT INTO runs (id, config_hash, config_json, status, arm, model, dataset, resolution, seed, "
          "  params_trainable, epochs, best_epoch, train_seconds, checkpoint, ablate_version, attempt, started_at) "
          "VALUES (5, 'h5', '{\"arm\":\"a\"}', 'finished', 'a', 'm', 'd', 16, 0, 100, 1, 1, 2.5, 'h5/best.pt', "
          "  '0.1.0', 1, '2026-01-01T00:00:00.000Z'),"
          "  (9, 'h9', '{}', 'failed', 'b', 'm', 'd', 16, 1, NULL, NULL, NULL, NULL, NULL, NULL, 2, NULL);"
          "INSERT INTO grid_runs VALUES (7, 5), (7, 9);"
          "INSERT INTO epochs (run_id, epoch, train_loss, is_best) VALUES (5, 1, 0.5, 1);"
          "INSERT INTO metrics VALUES (5, 'test', 'accuracy', 0.9);"
          "INSERT INTO matrices VALUES (5, 'test', 'confusion', 1, 1, '[3]');"
          "INSERT INTO predictions VALUES (5, 'test', 0, 2, x'', x'');"
          "PRAGMA user_version = 4;");
}

TEST(RunLabelsTest, MigratingASchemaFourStoreKeepsEveryRowIdAndReference) {
  TempDir dir;
  const fs::path file = dir.path() / "runs.db";
  write_schema_four_store(file);
  const std::string columns_before =
      query_rows(file, "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('runs'))");
  const std::string runs_before = query_rows(file, "SELECT * FROM runs ORDER BY id");
  {
    Store store(file.string());
    EXPECT_EQ(store.schema_version(), current_schema_version());
  }
  // The same rows under the same ids, the new columns appended and empty.
  EXPECT_EQ(query_rows(file, "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('runs'))"),
            columns_before + ",note,archived_at");
  std::string runs_after;
  for (const auto& row : {std::string("5"), std::string("9")}) {
    if (!runs_after.empty()) runs_after += '\n';
    runs_after += query_rows(file, "SELECT * FROM runs WHERE id = " + row);
  }
  EXPECT_EQ(runs_after, runs_before.substr(0, runs_before.find('\n')) + "|NULL|NULL" +
                            runs_before.substr(runs_before.find('\n')) + "|NULL|NULL");
  for (const char* table : {"grid_runs", "epochs", "metrics", "matrices", "predictions"}) {
    EXPECT_EQ(query_rows(file, "SELECT count(*) FROM " + std::string(table) + " WHERE run_id = 5"), "1") << table;
  }
  EXPECT_EQ(query_rows(file, "PRAGMA foreign_key_check"), "");
  EXPECT_EQ(query_rows(file, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(query_rows(file, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs' "
                             "AND name NOT LIKE 'sqlite_%' ORDER BY name"),
            "runs_by_arm\nruns_by_config_hash\nruns_live_config_hash");
  // The children still cascade from the rebuilt table (their REFERENCES name `runs`).
  {
    Store store(file.string());
    EXPECT_EQ(store.epochs(5).size(), 1u);
    EXPECT_EQ(store.find_run("h5")->test_accuracy, 0.9);
    store.remove_run(5, false, false, liveness());
  }
  EXPECT_EQ(query_rows(file, "SELECT count(*) FROM grid_runs"), "1");
}

TEST(RunLabelsTest, MigratingASchemaFiveStoreKeepsItsClassNames) {
  TempDir dir;
  const fs::path file = dir.path() / "runs.db";
  write_schema_four_store(file);
  execute(file, read_file(fs::path(ABLATE_SOURCE_DIR) / "db" / "migrations" / "0005_class_names.sql") +
                    "INSERT INTO class_names VALUES (5, 0, 'cat'), (5, 1, 'dog'); PRAGMA user_version = 5;");
  {
    Store store(file.string());
    EXPECT_EQ(store.class_names(5), (std::vector<std::string>{"cat", "dog"}));
    store.set_tags({5}, {{"k", "v"}});
  }
  EXPECT_EQ(query_rows(file, "PRAGMA foreign_key_check"), "");
  // Removing the run takes its class names along: the rebuilt table is still the one they reference.
  {
    Store store(file.string());
    const RemovedRun removed = store.remove_run(5, false, false, liveness());
    EXPECT_NE(std::find(removed.rows.begin(), removed.rows.end(),
                        std::make_pair(std::string("class_names"), std::int64_t{2})),
              removed.rows.end());
  }
  EXPECT_EQ(query_rows(file, "SELECT count(*) FROM class_names"), "0");
}

TEST(RunLabelsTest, OneLiveRunPerConfigurationButArchivedOnesMayShareIt) {
  TempDir dir;
  const fs::path file = dir.path() / "runs.db";
  { Store store(file.string()); }
  const std::string insert = "INSERT INTO runs (config_hash, config_json, status, arm, model, dataset, resolution, "
                             "seed, archived_at) VALUES ('h', '{}', 'finished', 'a', 'm', 'd', 16, 0, ";
  execute(file, insert + "'2026-01-01'); " + insert + "'2026-01-02'); " + insert + "NULL)");
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &handle), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(handle, (insert + "NULL)").c_str(), nullptr, nullptr, nullptr), SQLITE_CONSTRAINT);
  sqlite3_close(handle);
}

}  // namespace
}  // namespace ablate::db
