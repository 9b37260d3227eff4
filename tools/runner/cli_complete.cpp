// `runner __complete` for the shell completions, from the CLI11 app, the plugins and the
// store; and the note that points at runs.db, the default store before each experiment had
// its own.
#include "cli_complete.hpp"

#include <filesystem>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "config/config.hpp"
#include "config/plugin_registry.hpp"
#include "store.hpp"

namespace ablate {

namespace {

namespace fs = std::filesystem;

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

bool is_option(const std::string& word) { return word.size() > 1 && word[0] == '-' && word != "--"; }

std::string long_name(const CLI::Option& option) {
  return option.get_lnames().empty() ? std::string() : "--" + option.get_lnames().front();
}

// What the words before the cursor say: the subcommand (none: `runner EXPERIMENT.yaml`,
// the older spelling of `run`), the option whose value stands at the cursor, how many
// positional words there are, and what later candidates depend on (--db, --plugins).
struct LineState {
  const CLI::App* command = nullptr;
  const CLI::Option* open = nullptr;
  std::size_t positionals = 0;
  std::string db;
  std::vector<fs::path> plugin_dirs;
};

void note_value(LineState& line, const std::string& option, const std::string& value) {
  if (option == "--db") line.db = value;
  if (option == "--plugins") line.plugin_dirs.emplace_back(value);
}

LineState read_line(const CLI::App& app, const std::vector<std::string>& before) {
  LineState line;
  for (const std::string& word : before) {
    const CLI::App& current = line.command != nullptr ? *line.command : app;
    if (line.open != nullptr) {
      note_value(line, long_name(*line.open), word);
      line.open = nullptr;
      continue;
    }
    if (is_option(word)) {
      const auto equals = word.find('=');
      const std::string name = word.substr(0, equals);
      const CLI::Option* option = current.get_option_no_throw(name);
      if (equals != std::string::npos) {
        note_value(line, name, word.substr(equals + 1));
      } else if (option != nullptr && option->get_items_expected_max() > 0) {
        line.open = option;
      }
      continue;
    }
    if (line.command == nullptr && line.positionals == 0) {
      for (const CLI::App* sub : app.get_subcommands({})) {
        if (sub->get_name() == word && !sub->get_group().empty()) line.command = sub;
      }
      if (line.command != nullptr) continue;
    }
    ++line.positionals;
  }
  return line;
}

std::vector<Completion> models(const std::vector<fs::path>& plugin_dirs) {
  std::vector<Completion> names;
  try {
    PluginRegistry registry;
    registry.load_directories(plugin_search_path(plugin_dirs));
    for (const auto& plugin : registry.plugins()) {
      if (plugin.kind == PluginKind::model) names.push_back({plugin.name, plugin.description});
    }
  } catch (const std::exception&) {
  }
  return names;
}

std::vector<Completion> runs(const std::string& db) {
  std::vector<Completion> ids;
  if (db.empty() || !fs::exists(db)) return ids;
  try {
    const db::Store store(db, db::OpenMode::read_only);
    for (const auto& run : store.list_runs()) {
      ids.push_back({std::to_string(run.id), fmt::format("{}, resolution {}, seed {}, {}", run.arm, run.resolution,
                                                         run.seed, db::to_string(run.status))});
    }
  } catch (const std::exception&) {
  }
  return ids;
}

// What may stand as the value of `option` (named by its long name).
std::vector<Completion> values_of(const CLI::Option& option, const LineState& line) {
  const std::string name = long_name(option);
  if (name == "--db") return {{":stores", ""}};
  if (name == "--plugins" || name == "--results") return {{":dirs", ""}};
  if (name == "--emit-slurm") return {{":files", ""}};
  if (name == "--wait-policy") return {{"auto", ""}, {"spin", ""}, {"passive", ""}};
  if (name == "--describe") return models(line.plugin_dirs);
  if (name == "--evaluate") return runs(line.db);
  return {};  // a number, a name, YAML: nothing to offer
}

std::vector<Completion> options_of(const CLI::App& command) {
  std::vector<Completion> options;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_group().empty() || option->get_positional()) continue;  // internal ones
    for (const auto& name : option->get_lnames()) options.push_back({"--" + name, option->get_description()});
    for (const auto& name : option->get_snames()) options.push_back({"-" + name, option->get_description()});
  }
  return options;
}

// The positional word `index` of `command` (none: `runner EXPERIMENT.yaml KEY=VALUE...`).
std::vector<Completion> positional_values(const CLI::App* command, std::size_t index, const LineState& line) {
  const std::string name = command != nullptr ? command->get_name() : "";
  if ((name.empty() || name == "run") && index == 0) return {{":experiments", ""}};
  if (name == "describe" && index == 0) return models(line.plugin_dirs);
  if (name == "evaluate" && index == 0) return runs(line.db);
  if (name == "copy-store" && index < 2) return {{":stores", ""}};
  return {};  // KEY=VALUE overrides: any key of the experiment
}

std::vector<Completion> candidates(const CLI::App& app, const std::vector<std::string>& before,
                                   const std::string& word) {
  const LineState line = read_line(app, before);
  const CLI::App& current = line.command != nullptr ? *line.command : app;
  if (starts_with(word, "--") && word.find('=') != std::string::npos) {  // --wait-policy=sp
    const std::string name = word.substr(0, word.find('='));
    const CLI::Option* option = current.get_option_no_throw(name);
    if (option == nullptr || option->get_items_expected_max() == 0) return {};
    std::vector<Completion> values = values_of(*option, line);
    for (auto& value : values) {
      if (value.value[0] != ':') value.value = name + "=" + value.value;
    }
    return values;
  }
  if (line.open != nullptr) return values_of(*line.open, line);
  if (starts_with(word, "-")) return options_of(current);
  std::vector<Completion> values = positional_values(line.command, line.positionals, line);
  if (line.command == nullptr && line.positionals == 0) {
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (!sub->get_group().empty()) values.push_back({sub->get_name(), sub->get_description()});
    }
  }
  return values;
}

}  // namespace

std::vector<Completion> complete(const CLI::App& app, const std::vector<std::string>& words) {
  const std::string word = words.empty() ? std::string() : words.back();
  const std::vector<std::string> before(words.begin(), words.empty() ? words.end() : words.end() - 1);
  std::vector<Completion> matching;
  for (auto& candidate : candidates(app, before, word)) {
    if (candidate.value[0] == ':' || starts_with(candidate.value, word)) matching.push_back(std::move(candidate));
  }
  return matching;
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
