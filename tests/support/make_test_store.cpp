// make_test_store: writes a store of fixed fake runs through the Store API, for the
// report golden tests (no runner, no LibTorch, no training); with --runs N, a large
// synthetic store for bench/report_scale.sh, written in one transaction.
#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "store.hpp"

namespace {

constexpr const char* kUsage =
    "usage: make_test_store FILE [--empty] [--schema-version N] [--runs N [--epochs E]]\n"
    "  --empty             create the store with no runs\n"
    "  --schema-version N  afterwards, stamp the file as schema N (to fake a newer Ablate)\n"
    "  --shard I/N         only the fixed runs whose position modulo N is I (for merge tests)\n"
    "  --runs N            instead of the fixed runs, N synthetic finished runs (4 arms x 2\n"
    "                      resolutions x N/8 seeds) with E epochs each (default 50)\n";

// splitmix64: a fixed, portable stream of pseudo-random numbers, so that the fake
// predictions are the same on every machine (std:: distributions are not).
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double uniform(std::uint64_t key) { return static_cast<double>(mix(key) >> 11) * 0x1.0p-53; }

// Test predictions of `count` items over `classes` classes with about `accuracy` right.
// Half the items' difficulty is shared by all arms of a seed (as on a real test set), so
// that the arms' mistakes overlap as they do in practice.
ablate::db::PredictionRow predictions(std::int64_t count, std::int64_t classes, double accuracy, std::uint64_t seed_key,
                                      std::uint64_t arm_key) {
  ablate::db::PredictionRow row;
  row.split = "test";
  row.count = count;
  row.num_classes = classes;
  for (std::int64_t i = 0; i < count; ++i) {
    const auto label = static_cast<std::int32_t>(i % classes);
    const auto item = static_cast<std::uint64_t>(i);
    const bool shared = uniform(arm_key * 104729 + seed_key * 1000003 + item) < 0.5;
    const double difficulty =
        shared ? uniform(seed_key * 1000003 + item) : uniform(arm_key * 7919 + seed_key * 1000003 + item);
    const bool right = difficulty < accuracy;
    const auto predicted = right ? label : static_cast<std::int32_t>((label + 1) % classes);
    row.labels.push_back(label);
    for (std::int64_t k = 0; k < classes; ++k) {
      row.scores.push_back(k == predicted ? 0.8f : 0.2f / static_cast<float>(classes - 1));
    }
  }
  return row;
}

ablate::db::RunClaim claim(const std::string& arm, std::int64_t resolution, std::int64_t seed, std::int64_t grid_id) {
  ablate::db::RunClaim c;
  c.config_hash = fmt::format("{}-r{}-s{}", arm, resolution, seed);
  c.config_json = fmt::format(R"({{"arm":"{}","resolution":{},"seed":{}}})", arm, resolution, seed);
  c.arm = arm;
  c.model = arm == "baseline" ? "baseline_cnn" : "wide_cnn";
  c.dataset = "mnist";
  c.resolution = resolution;
  c.seed = seed;
  c.grid_id = grid_id;
  c.pid = 1;
  c.host = "golden";
  c.device = "cpu";
  c.threads = 1;
  c.torch_version = "0.0.0";
  c.ablate_version = "0.0.0+g0000000";  // not this build's: the golden files outlive commits
  c.git_commit = "0000000";
  c.plugin_versions_json = "{}";
  return c;
}

// --shard I/N: which of the fixed runs to write (all by default).
std::int64_t g_shard_index = 0;
std::int64_t g_shard_count = 1;
std::int64_t g_position = 0;
bool in_shard() { return g_position++ % g_shard_count == g_shard_index; }

void write_runs(ablate::db::Store& store) {
  const std::int64_t grid = store.add_grid("golden", "experiments/golden.yaml", "name: golden");
  // Inserted in an order unlike the listing's, so the golden files also check sorting.
  for (const std::string arm : {"wide", "baseline"}) {
    for (const std::int64_t resolution : {28, 14}) {
      for (const std::int64_t seed : {3, 2, 1}) {
        if (!in_shard()) continue;
        const ablate::db::RunLease id = store.start_run(claim(arm, resolution, seed, grid));
        const bool wide = arm == "wide";
        const double seed_offset = seed == 1 ? -0.004 : seed == 2 ? 0.001 : 0.006;
        const double accuracy = (wide ? 0.93 : 0.91) + (resolution == 28 ? (wide ? 0.045 : 0.04) : 0.0) +
                                (wide ? seed_offset / 2 : seed_offset);
        const std::int64_t epochs = 3;
        for (std::int64_t epoch = 1; epoch <= epochs; ++epoch) {
          const double e = static_cast<double>(epoch);
          store.add_epoch(id, {epoch, 1.0 / e, accuracy - 0.1 / e, 1.1 / e, accuracy - 0.11 / e, 0.01, 4.25, 2500.0});
        }
        ablate::db::RunSummary summary;
        summary.params_trainable = wide ? 1683210 : 421642;
        summary.params_total = summary.params_trainable;
        summary.epochs = epochs;
        summary.best_epoch = epochs;
        summary.train_seconds =
            (wide ? 20.0 : 12.0) * (resolution == 28 ? 2.0 : 1.0) + static_cast<double>(seed) / 10.0;
        summary.test_seconds = 0.5;
        // 400 test items at 28 (chi-square McNemar), 30 at 14 (exact McNemar).
        const std::int64_t items = resolution == 28 ? 400 : 30;
        const auto seed_key = static_cast<std::uint64_t>(resolution * 100 + seed);
        store.finish_run(id, summary,
                         {{"test", "accuracy", accuracy},
                          {"val", "accuracy", accuracy - 0.01},
                          {"test", "f1_macro", accuracy - 0.005},
                          {"test", "loss", 1.0 - accuracy},
                          {"test", "f1/0", accuracy - 0.01},
                          {"test", "f1/1", accuracy}},
                         {{"test", "confusion", 2, 2, {90, 10, 5, 95}}},
                         {predictions(items, 2, accuracy, seed_key, wide ? 2 : 1)});
      }
    }
  }
  // One seed only at 56: the sd is undefined, and baseline has nothing to compare.
  if (in_shard()) {
    const ablate::db::RunLease lone = store.start_run(claim("wide", 56, 1, grid));
    store.add_epoch(lone, {1, 0.4, 0.9, 0.42, 0.89, 0.01, 9.0, 1200.0});
    ablate::db::RunSummary summary;
    summary.params_trainable = 6724362;
    summary.params_total = 6724362;
    summary.epochs = 1;
    summary.best_epoch = 1;
    summary.train_seconds = 95.0;
    store.finish_run(lone, summary, {{"test", "accuracy", 0.9812}}, {});
  }
  // A failed run whose message has several lines; only the first belongs in a table.
  if (in_shard()) {
    const ablate::db::RunLease failed = store.start_run(claim("wide", 28, 4, grid));
    store.add_epoch(failed, {1, 2.3, 0.1, 2.3, 0.1, 0.01, 4.0, 2400.0});
    store.end_run(failed, ablate::db::RunStatus::failed,
                  "training diverged: loss is NaN at epoch 2, batch 17\n"
                  "  lower the learning rate (optimizer.lr = 0.5)");
  }
}

// Runs one SQL statement or throws naming it.
void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error(sql.substr(0, 60) + ": " + text);
  }
}

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("cannot prepare ") + sql + ": " + sqlite3_errmsg(db));
  }
  return statement;
}

void step(sqlite3* db, sqlite3_stmt* statement) {
  if (sqlite3_step(statement) != SQLITE_DONE) {
    throw std::runtime_error(std::string("insert failed: ") + sqlite3_errmsg(db));
  }
  sqlite3_reset(statement);
}

// The bench store: written with SQLite directly in one transaction, because the Store
// API commits every epoch (right for a runner, minutes for 500,000 epochs).
void write_synthetic(const std::string& path, std::int64_t runs, std::int64_t epochs) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  const char* arms[] = {"baseline", "encoder", "se", "wide"};
  const std::int64_t resolutions[] = {64, 128};
  constexpr std::int64_t kItems = 100;
  constexpr std::int64_t kClasses = 4;
  try {
    exec(db, "BEGIN");
    exec(db, "INSERT INTO grids (name, experiment, spec_yaml, created_at) VALUES "
             "('bench', 'bench.yaml', 'name: bench', '2026-01-01T00:00:00Z')");
    const std::int64_t grid = sqlite3_last_insert_rowid(db);
    sqlite3_stmt* run = prepare(db, "INSERT INTO runs (config_hash, config_json, status, arm, model, dataset, "
                                    "resolution, seed, params_trainable, params_total, epochs, best_epoch, "
                                    "train_seconds, test_seconds, host, device, threads) VALUES (?, '{}', 'finished', "
                                    "?, ?, 'bloodmnist', ?, ?, ?, ?, ?, ?, ?, 1.5, 'bench', 'cpu', 2)");
    sqlite3_stmt* link = prepare(db, "INSERT INTO grid_runs (grid_id, run_id) VALUES (?, ?)");
    sqlite3_stmt* epoch = prepare(db, "INSERT INTO epochs (run_id, epoch, train_loss, train_accuracy, val_loss, "
                                      "val_accuracy, learning_rate, seconds, images_per_second, is_best) "
                                      "VALUES (?, ?, ?, ?, ?, ?, 0.001, 2.0, 5000.0, ?)");
    sqlite3_stmt* metric = prepare(db, "INSERT INTO metrics (run_id, split, name, value) VALUES (?, ?, ?, ?)");
    sqlite3_stmt* prediction =
        prepare(db, "INSERT INTO predictions (run_id, split, count, num_classes, labels, scores) "
                    "VALUES (?, 'test', ?, ?, ?, ?)");
    for (std::int64_t i = 0; i < runs; ++i) {
      const std::int64_t a = i % 4;
      const std::int64_t resolution = resolutions[(i / 4) % 2];
      const std::int64_t seed = i / 8;
      const double accuracy =
          0.85 + 0.02 * static_cast<double>(a) + (resolution == 128 ? 0.01 : 0.0) + 0.02 * (uniform(i) - 0.5);
      const std::string hash = fmt::format("{:016x}{:016x}", mix(i), mix(i + 1));
      sqlite3_bind_text(run, 1, hash.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(run, 2, arms[a], -1, SQLITE_STATIC);
      sqlite3_bind_text(run, 3, a == 0 ? "baseline_cnn" : "unet_encoder", -1, SQLITE_STATIC);
      sqlite3_bind_int64(run, 4, resolution);
      sqlite3_bind_int64(run, 5, seed);
      sqlite3_bind_int64(run, 6, 400000 + 100000 * a);
      sqlite3_bind_int64(run, 7, 400000 + 100000 * a);
      sqlite3_bind_int64(run, 8, epochs);
      sqlite3_bind_int64(run, 9, epochs);
      sqlite3_bind_double(run, 10, 60.0 * static_cast<double>(epochs) / 50.0);
      step(db, run);
      const std::int64_t id = sqlite3_last_insert_rowid(db);
      sqlite3_bind_int64(link, 1, grid);
      sqlite3_bind_int64(link, 2, id);
      step(db, link);
      for (std::int64_t e = 1; e <= epochs; ++e) {
        const double progress = static_cast<double>(e) / static_cast<double>(epochs);
        sqlite3_bind_int64(epoch, 1, id);
        sqlite3_bind_int64(epoch, 2, e);
        sqlite3_bind_double(epoch, 3, 1.5 * (1.0 - progress) + 0.1);
        sqlite3_bind_double(epoch, 4, accuracy * (0.6 + 0.4 * progress));
        sqlite3_bind_double(epoch, 5, 1.6 * (1.0 - progress) + 0.15);
        sqlite3_bind_double(epoch, 6, accuracy * (0.58 + 0.4 * progress));
        sqlite3_bind_int(epoch, 7, e == epochs ? 1 : 0);
        step(db, epoch);
      }
      for (const auto& [split, name, value] :
           {std::tuple<const char*, const char*, double>{"test", "accuracy", accuracy},
            {"test", "f1_macro", accuracy - 0.01},
            {"val", "accuracy", accuracy - 0.005},
            {"test", "loss", 1.0 - accuracy}}) {
        sqlite3_bind_int64(metric, 1, id);
        sqlite3_bind_text(metric, 2, split, -1, SQLITE_STATIC);
        sqlite3_bind_text(metric, 3, name, -1, SQLITE_STATIC);
        sqlite3_bind_double(metric, 4, value);
        step(db, metric);
      }
      const auto rows = predictions(kItems, kClasses, accuracy, static_cast<std::uint64_t>(resolution * 100000 + seed),
                                    static_cast<std::uint64_t>(a + 1));
      sqlite3_bind_int64(prediction, 1, id);
      sqlite3_bind_int64(prediction, 2, kItems);
      sqlite3_bind_int64(prediction, 3, kClasses);
      sqlite3_bind_blob(prediction, 4, rows.labels.data(), static_cast<int>(rows.labels.size() * 4), SQLITE_TRANSIENT);
      sqlite3_bind_blob(prediction, 5, rows.scores.data(), static_cast<int>(rows.scores.size() * 4), SQLITE_TRANSIENT);
      step(db, prediction);
    }
    for (sqlite3_stmt* statement : {run, link, epoch, metric, prediction}) sqlite3_finalize(statement);
    exec(db, "COMMIT");
  } catch (...) {
    sqlite3_close(db);
    throw;
  }
  sqlite3_close(db);
}

void stamp_schema(const std::string& path, int version) {
  sqlite3* handle = nullptr;
  if (sqlite3_open(path.c_str(), &handle) != SQLITE_OK) {
    throw std::runtime_error("cannot open " + path);
  }
  const std::string sql = fmt::format("PRAGMA user_version = {}", version);
  const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(handle);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot set user_version in " + path);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help") {
    std::cerr << kUsage;
    return 2;
  }
  const std::string path = argv[1];
  bool empty = false;
  int schema_version = 0;
  std::int64_t runs = 0;
  std::int64_t epochs = 50;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--empty") {
      empty = true;
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::atoll(argv[++i]);
    } else if (arg == "--epochs" && i + 1 < argc) {
      epochs = std::atoll(argv[++i]);
    } else if (arg == "--shard" && i + 1 < argc) {
      const std::string shard = argv[++i];
      const auto slash = shard.find('/');
      if (slash == std::string::npos) {
        std::cerr << "make_test_store: --shard takes I/N, got '" << shard << "'\n";
        return 2;
      }
      g_shard_index = std::atoll(shard.substr(0, slash).c_str());
      g_shard_count = std::atoll(shard.substr(slash + 1).c_str());
    } else if (arg == "--schema-version" && i + 1 < argc) {
      schema_version = std::atoi(argv[++i]);
    } else {
      std::cerr << "make_test_store: unknown argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  try {
    {
      ablate::db::Store store(path);
      if (!empty && runs == 0) write_runs(store);
    }
    if (runs > 0) write_synthetic(path, runs, epochs);
    if (schema_version != 0) stamp_schema(path, schema_version);
  } catch (const std::exception& e) {
    std::cerr << "make_test_store: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
