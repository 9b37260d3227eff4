// `runner __complete models|runs` for the shell completion, and the note that points at
// runs.db, the default store before each experiment had its own.
#include "cli_complete.hpp"

#include <filesystem>
#include <iostream>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "config/config.hpp"
#include "config/plugin_registry.hpp"
#include "store.hpp"

namespace ablate {

namespace fs = std::filesystem;

int print_plugin_and_run_completions(const std::vector<std::string>& words, const RunnerOptions& options) {
  const std::string kind = words.empty() ? std::string() : words.front();
  if (kind == "models") {
    PluginRegistry registry;
    registry.load_directories(plugin_search_path(options.plugin_dirs));
    for (const auto& plugin : registry.plugins()) {
      if (plugin.kind == PluginKind::model) std::cout << plugin.name << "\t" << plugin.description << "\n";
    }
    return kExitOk;
  }
  if (kind == "runs") {
    if (options.db.empty() || !fs::exists(options.db)) return kExitOk;
    try {
      const db::Store store(options.db, db::OpenMode::read_only);
      for (const auto& run : store.list_runs()) {
        std::cout << fmt::format("{}\t{} r{} s{} {}\n", run.id, run.arm, run.resolution, run.seed,
                                 db::to_string(run.status));
      }
    } catch (const std::exception&) {
    }
    return kExitOk;
  }
  std::cerr << fmt::format("runner: error: __complete {}: expected subcommands, options, models or runs\n", kind);
  return kExitBadInput;
}

std::optional<std::string> earlier_store_note(const RunnerOptions& options) {
  if (!options.db.empty()) return std::nullopt;
  const std::string store = store_path(options);
  const fs::path earlier = fs::path(options.experiment).parent_path() / "runs.db";
  if (fs::exists(store) || !fs::exists(earlier) || fs::path(store).filename() == "runs.db") return std::nullopt;
  try {
    const std::string name = load_experiment(options.experiment, options.overrides).name;
    SQLite::Database db(earlier.string(), SQLite::OPEN_READONLY);
    SQLite::Statement count(db, "SELECT count(DISTINCT grid_runs.run_id) FROM grid_runs JOIN grids "
                                "ON grids.id = grid_runs.grid_id WHERE grids.name = ?");
    count.bind(1, name);
    if (!count.executeStep() || count.getColumn(0).getInt64() == 0) return std::nullopt;
    return fmt::format("{} holds {} earlier run(s) of grid '{}'; this run uses the experiment's own store {} "
                       "(pass --db {} to go on with the earlier runs)",
                       earlier.string(), count.getColumn(0).getInt64(), name, store, earlier.string());
  } catch (const std::exception&) {
    return std::nullopt;  // a bad experiment is reported by the run itself; a foreign file has no runs
  }
}

}  // namespace ablate
