// make_test_store: writes a store of fixed fake runs through the Store API, for the
// report golden test (no runner, no LibTorch, no training).
#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "store.hpp"

namespace {

constexpr const char* kUsage =
    "usage: make_test_store FILE [--empty] [--schema-version N]\n"
    "  --empty             create the store with no runs\n"
    "  --schema-version N  afterwards, stamp the file as schema N (to fake a newer Ablate)\n";

ablate::db::RunClaim claim(const std::string& arm, std::int64_t resolution, std::int64_t seed,
                           std::int64_t grid_id) {
  ablate::db::RunClaim c;
  c.config_hash = fmt::format("{}-r{}-s{}", arm, resolution, seed);
  c.config_json = fmt::format(R"({{"arm":"{}","resolution":{},"seed":{}}})", arm, resolution,
                              seed);
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
  c.git_commit = "0000000";
  c.plugin_versions_json = "{}";
  return c;
}

void write_runs(ablate::db::Store& store) {
  const std::int64_t grid = store.add_grid("golden", "experiments/golden.yaml", "name: golden");
  // Inserted in an order unlike the listing's, so the golden files also check sorting.
  for (const std::string arm : {"wide", "baseline"}) {
    for (const std::int64_t resolution : {28, 14}) {
      for (const std::int64_t seed : {3, 2, 1}) {
        const std::int64_t id = store.start_run(claim(arm, resolution, seed, grid));
        const bool wide = arm == "wide";
        const double seed_offset = seed == 1 ? -0.004 : seed == 2 ? 0.001 : 0.006;
        const double accuracy = (wide ? 0.93 : 0.91) +
                                (resolution == 28 ? (wide ? 0.045 : 0.04) : 0.0) +
                                (wide ? seed_offset / 2 : seed_offset);
        const std::int64_t epochs = 3;
        for (std::int64_t epoch = 1; epoch <= epochs; ++epoch) {
          const double e = static_cast<double>(epoch);
          store.add_epoch(id, {epoch, 1.0 / e, accuracy - 0.1 / e, 1.1 / e,
                               accuracy - 0.11 / e, 0.01, 4.25, 2500.0});
        }
        ablate::db::RunSummary summary;
        summary.params_trainable = wide ? 1683210 : 421642;
        summary.params_total = summary.params_trainable;
        summary.epochs = epochs;
        summary.best_epoch = epochs;
        summary.train_seconds = (wide ? 20.0 : 12.0) * (resolution == 28 ? 2.0 : 1.0) +
                                static_cast<double>(seed) / 10.0;
        summary.test_seconds = 0.5;
        store.finish_run(id, summary,
                         {{"test", "accuracy", accuracy}, {"val", "accuracy", accuracy - 0.01}},
                         {{"test", "confusion", 2, 2, {90, 10, 5, 95}}});
      }
    }
  }
  // One seed only at 56: the sd is undefined, and baseline has nothing to compare.
  const std::int64_t lone = store.start_run(claim("wide", 56, 1, grid));
  store.add_epoch(lone, {1, 0.4, 0.9, 0.42, 0.89, 0.01, 9.0, 1200.0});
  ablate::db::RunSummary summary;
  summary.params_trainable = 6724362;
  summary.params_total = 6724362;
  summary.epochs = 1;
  summary.best_epoch = 1;
  summary.train_seconds = 95.0;
  store.finish_run(lone, summary, {{"test", "accuracy", 0.9812}}, {});
  // A failed run whose message has several lines; only the first belongs in a table.
  const std::int64_t failed = store.start_run(claim("wide", 28, 4, grid));
  store.add_epoch(failed, {1, 2.3, 0.1, 2.3, 0.1, 0.01, 4.0, 2400.0});
  store.end_run(failed, ablate::db::RunStatus::failed,
                "training diverged: loss is NaN at epoch 2, batch 17\n"
                "  lower the learning rate (optimizer.lr = 0.5)");
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
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--empty") {
      empty = true;
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
      if (!empty) write_runs(store);
    }
    if (schema_version != 0) stamp_schema(path, schema_version);
  } catch (const std::exception& e) {
    std::cerr << "make_test_store: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
