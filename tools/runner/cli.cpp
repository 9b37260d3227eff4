// runner's command line (CLI11): `runner run|plugins|describe|evaluate|copy-store`, and
// the older spellings (`runner EXPERIMENT.yaml ...`, --list-plugins, --describe ...).
#include "cli.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "ablate/plugin.hpp"
#include "ablate_version.hpp"
#include "api/did_you_mean.hpp"
#include "cli_complete.hpp"
#include "engine/trainer.hpp"

namespace ablate {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDescription =
    "Runs every cell of an experiment grid (arms x resolutions x grid axes x seeds) that is\n"
    "not finished yet, each in its own process, and records each run in an SQLite store.\n"
    "Running the same command again resumes: finished cells are skipped.\n";

// Each app's usage lines, which CLI11 would otherwise write as "[OPTIONS] [SUBCOMMAND]".
const std::map<std::string, std::string> kUsage = {
    {"runner", "usage: runner EXPERIMENT.yaml [KEY=VALUE ...] [options]     (= runner run ...)\n"
               "       runner run EXPERIMENT.yaml [KEY=VALUE ...] [options]\n"
               "       runner run EXPERIMENT.yaml --slurm | --emit-slurm FILE [cluster options]\n"
               "       runner plugins [--plugins DIR]\n"
               "       runner describe MODEL [--resolution R] [--channels C] [--classes K] [--options YAML]\n"
               "       runner evaluate RUN --db FILE\n"
               "       runner copy-store FROM.db TO.db\n"
               "       runner SUBCOMMAND --help | --version\n"},
    {"run", "usage: runner run EXPERIMENT.yaml [KEY=VALUE ...] [options]\n"
            "       runner EXPERIMENT.yaml [KEY=VALUE ...] [options]\n"},
    {"plugins", "usage: runner plugins [--plugins DIR]     (= runner --list-plugins)\n"},
    {"describe", "usage: runner describe MODEL [--resolution R] [--channels C] [--classes K] [--options YAML]\n"
                 "       (= runner --describe MODEL ...)\n"},
    {"evaluate", "usage: runner evaluate RUN --db FILE     (= runner --evaluate RUN --db FILE)\n"},
    {"copy-store", "usage: runner copy-store FROM.db TO.db     (= runner --copy-store FROM.db TO.db)\n"},
};

constexpr const char* kRunFooter = R"(
  KEY=VALUE   override any key of the experiment file with a YAML value, e.g.
              train.max_epochs=3  seeds=[0,1]  dataset.val_size=1000

exit status: 0 every cell finished; 1 some cell failed (the others ran), now or in an
             earlier run (skipped; --retry-failed retries it); 2 bad input (experiment,
             plugin, data, store or command line); 130 interrupted, or a cell's process
             was killed (run the same command again to resume).
environment: ABLATE_PLUGIN_PATH  colon-separated folders searched for plugins after --plugins.
             ABLATE_PROGRESS_EVERY  seconds between progress lines when stderr is not a
                                    terminal (a log): default 30, 0 for none.
)";

constexpr const char* kMainFooter = R"(
`runner SUBCOMMAND --help` shows a subcommand's options. The older spellings still work:
--list-plugins, --describe MODEL, --evaluate RUN and --copy-store FROM TO.
Shell completion for bash and zsh is installed with runner (docs/experiments.md).
)";

class UsageFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    const auto found = kUsage.find(app->get_name().empty() ? std::string("runner") : app->get_name());
    return found != kUsage.end() ? found->second : CLI::Formatter::make_usage(app, std::move(name));
  }
};

// Visible in --help when `group` is not empty; the internal ones are hidden ("").
constexpr const char* kHidden = "";

void add_plugin_dirs(CLI::App& app, std::vector<std::string>& dirs) {
  app.add_option("--plugins", dirs, "also load plugins from DIR (repeatable; searched first)")
      ->type_name("DIR")
      ->allow_extra_args(false);
}

// The options of a grid run: on `run`, and on runner itself for `runner EXPERIMENT.yaml`.
void add_run_options(CLI::App& app, CommandLine& line, std::vector<std::string>& plugin_dirs) {
  RunnerOptions& o = line.run;
  SlurmOptions& s = line.slurm;
  app.add_option("--db", o.db, "the run store (default: EXPERIMENT.db next to the experiment file)")->type_name("FILE");
  app.add_flag("-n,--dry-run", o.dry_run, "list the cells, their config hashes and which are done; train nothing");
  app.add_option("-j,--jobs", o.jobs, "run N cells at once, splitting the CPU threads between them")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "LibTorch threads per cell (default 0: cores / jobs)")->type_name("N");
  app.add_flag("--retry-failed", o.retry_failed, "run failed cells again (killed and stale ones always are)");
  app.add_flag("--force", o.force,
               "run every cell again, finished ones too (their runs are kept, archived: report --archived)");
  app.add_option("--max-cells", o.max_cells,
                 "allow a grid of up to N cells (a larger one is refused before anything runs)")
      ->type_name("N")
      ->capture_default_str();
  app.add_flag("--oversubscribe", o.oversubscribe,
               "allow more LibTorch threads per cell than this machine has cores (up to 16x)");
  app.add_option("--wait-policy", o.wait_policy,
                 "how the cells' threads wait between operations: auto (passive when other work already fills "
                 "the cores, else spin), spin (libgomp's default) or passive (docs/performance.md)")
      ->type_name("POLICY")
      ->capture_default_str();
  app.add_option("--stale-after", o.stale_after_seconds,
                 "take over a running cell whose runner has not written a heartbeat for SECONDS (it died, or "
                 "was suspended that long)")
      ->type_name("SECONDS")
      ->capture_default_str();
  app.add_flag("--fresh-process", o.fresh_processes,
               "start every cell as a new process rather than a fork of the runner (~0.3 s more per cell; GPU "
               "cells always are)");
  app.add_option("--shard", line.shard, "run only shard I of N (0-based): every N-th cell from cell I")
      ->type_name("I/N");
  add_plugin_dirs(app, plugin_dirs);
  app.add_flag("-q,--quiet", o.quiet, "print only warnings, errors and the summary");
  app.add_flag("-v,--verbose", o.verbose,
               "also say why each skipped cell was skipped, and how long the runner's own work in each cell took");

  constexpr const char* kCluster = "Cluster options (docs/cluster.md)";
  app.add_flag("--slurm", line.slurm_loop,
               "run the grid on Slurm: submit it as a job array, follow it, merge the shards into the store")
      ->group(kCluster);
  app.add_option("--emit-slurm", line.emit_slurm,
                 "write the sbatch script for the grid as a job array to FILE ('-': stdout), to submit by hand")
      ->type_name("FILE")
      ->group(kCluster);
  app.add_option("--tasks", s.tasks, "array size; task I runs shard I of N (default: one task per cell)")
      ->type_name("N")
      ->group(kCluster);
  app.add_option("--cells-per-task", s.cells_per_task, "or this many cells a task, for sites that limit array sizes")
      ->type_name("N")
      ->group(kCluster);
  app.add_option("--throttle", s.throttle, "at most K tasks at once (--array=0-N%K)")->type_name("K")->group(kCluster);
  app.add_option("--partition", s.partition, "Slurm partition")->type_name("NAME")->group(kCluster);
  app.add_option("--time", s.time, "time limit per task")->type_name("TIME")->capture_default_str()->group(kCluster);
  app.add_option("--gpus-per-task", s.gpus_per_task, "GPUs per task (cells with train.device: auto use them)")
      ->type_name("N")
      ->group(kCluster);
  app.add_option("--cpus-per-task", s.cpus_per_task, "CPUs per task")
      ->type_name("N")
      ->capture_default_str()
      ->group(kCluster);
  app.add_option("--grace-seconds", s.grace_seconds,
                 "stop a task this long before its time limit, to save its shard (0: off)")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->group(kCluster);
  app.add_flag("--requeue", s.requeue, "let Slurm requeue a preempted task; it resumes its shard")->group(kCluster);
  app.add_option("--sbatch-arg", s.sbatch_args,
                 "pass an sbatch option through, e.g. --sbatch-arg=--account=proj42 (repeatable)")
      ->type_name("ARG")
      ->allow_extra_args(false)
      ->group(kCluster);
  app.add_option("--results", s.results_dir,
                 "folder the tasks save their shards to (default: shards/ next to the experiment)")
      ->type_name("DIR")
      ->group(kCluster);

  // What the runner passes to its own cell processes and Slurm tasks: not for typing.
  app.add_option("--cell", line.cell.hash)->group(kHidden);
  app.add_option("--run-id", line.cell.run_id)->group(kHidden);
  app.add_option("--attempt", line.cell.attempt)->group(kHidden);
  app.add_flag("--progress-protocol", line.cell.progress_protocol)->group(kHidden);
  app.add_option("--poll-seconds", line.poll_seconds)->group(kHidden);
}

void add_describe_options(CLI::App& app, CommandLine& line, const char* group) {
  app.add_option("--resolution", line.resolution, "image side")->type_name("R")->capture_default_str()->group(group);
  app.add_option("--channels", line.channels, "input channels")->type_name("C")->capture_default_str()->group(group);
  app.add_option("--classes", line.classes, "classes")->type_name("K")->capture_default_str()->group(group);
  app.add_option("--options", line.model_options, "the model's options as YAML, e.g. '{se_reduction: 16}'")
      ->type_name("YAML")
      ->group(group);
}

// Every long option name of `app` and its subcommands, for "did you mean" and completion.
// `visible_only`: without the older spellings and the internal options, which are never
// suggested (they are still known).
std::set<std::string> long_options(const CLI::App& app, bool visible_only) {
  std::set<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    if (visible_only && option->get_group().empty()) continue;
    for (const auto& name : option->get_lnames()) names.insert("--" + name);
  }
  return names;
}

// "no experiment file 'quickstart.yml' (did you mean 'experiments/quickstart.yaml'?)": the
// subcommands, and the experiment files in the folder given and in its experiments/ folder,
// compared by file name.
std::string missing_experiment(const std::string& path, const std::vector<std::string>& subcommands) {
  const fs::path given(path);
  const std::string name = given.filename().string();
  std::string best;
  std::size_t best_distance = 3;  // as did_you_mean: at most two edits
  const auto consider = [&](const std::string& candidate_name, const std::string& shown) {
    const std::size_t distance = edit_distance(name, candidate_name);
    if (distance < best_distance) {
      best_distance = distance;
      best = shown;
    }
  };
  if (!given.has_parent_path()) {
    for (const auto& subcommand : subcommands) consider(subcommand, subcommand);
  }
  const fs::path folder = given.parent_path();
  for (const fs::path& dir : {folder, folder / "experiments"}) {
    std::error_code error;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, error), end; !error && it != end;
         it.increment(error)) {
      const std::string extension = it->path().extension().string();
      if (extension == ".yaml" || extension == ".yml") files.push_back(dir / it->path().filename());
    }
    std::sort(files.begin(), files.end());  // the same suggestion whatever the directory order
    for (const auto& file : files) consider(file.filename().string(), file.string());
  }
  std::string text = fmt::format("no experiment file '{}'", path);
  if (!best.empty() && best != path) text += fmt::format(" (did you mean '{}'?)", best);
  return text;
}

int usage_error(const std::string& message, const std::string& help_of) {
  std::cerr << "runner: error: " << message << "\n";
  std::cerr << fmt::format("run `runner {}--help` for the usage\n", help_of.empty() ? "" : help_of + " ");
  return kExitBadInput;
}

}  // namespace

std::optional<int> parse_command_line(int argc, char** argv, CommandLine& line) {
  CLI::App app(kDescription, "runner");
  app.formatter(std::make_shared<UsageFormatter>());
  app.get_formatter()->column_width(28);
  app.set_help_flag("-h,--help", "show this help (`runner SUBCOMMAND --help`: a subcommand's)");
  app.set_version_flag(
      "--version",
      [] {
        // The same string the runner records in each run's ablate_version.
        return fmt::format("runner {} (LibTorch {}, plugin ABI {})", ablate_version(), torch_version(),
                           kPluginAbiVersion);
      },
      "print the runner's version, LibTorch's version and the plugin ABI it loads");
  app.require_subcommand(0, 1);

  std::vector<std::string> plugin_dirs;
  std::vector<std::string> positional;  // runner EXPERIMENT.yaml KEY=VALUE ... (or --copy-store FROM TO)
  bool list_plugins = false, copy_store = false;
  std::string describe, evaluate;

  // runner EXPERIMENT.yaml ...: `run` without its name, and the older spellings.
  app.add_option("args", positional, "the experiment file, then KEY=VALUE overrides")->group(kHidden);
  add_run_options(app, line, plugin_dirs);
  constexpr const char* kOlder = "";  // still accepted, shown in the footer only
  app.add_flag("--list-plugins", list_plugins, "= runner plugins")->group(kOlder);
  app.add_option("--describe", describe, "= runner describe MODEL")->group(kOlder);
  add_describe_options(app, line, kOlder);
  app.add_option("--evaluate", evaluate, "= runner evaluate RUN")->group(kOlder);
  app.add_flag("--copy-store", copy_store, "= runner copy-store FROM TO")->group(kOlder);

  CLI::App* run = app.add_subcommand("run", "run or resume an experiment grid (the default subcommand)");
  std::string experiment;
  std::vector<std::string> overrides;
  run->add_option("experiment", experiment, "the experiment file")->type_name("EXPERIMENT.yaml")->required();
  run->add_option("overrides", overrides, "KEY=VALUE: override a key of the experiment with a YAML value")
      ->type_name("KEY=VALUE");
  add_run_options(*run, line, plugin_dirs);
  run->footer(kRunFooter);

  CLI::App* plugins =
      app.add_subcommand("plugins", "list the model, dataset and metric plugins found, and any refused");
  add_plugin_dirs(*plugins, plugin_dirs);

  CLI::App* describe_sub =
      app.add_subcommand("describe", "print a model's layers, output shapes, parameters and FLOPs");
  describe_sub->add_option("model", line.model, "the model plugin")->type_name("MODEL")->required();
  add_describe_options(*describe_sub, line, "Options");
  add_plugin_dirs(*describe_sub, plugin_dirs);

  CLI::App* evaluate_sub =
      app.add_subcommand("evaluate", "re-evaluate a stored run from its checkpoint on val and test");
  evaluate_sub->add_option("run", line.run_reference, "run id or config-hash prefix")->type_name("RUN")->required();
  evaluate_sub->add_option("--db", line.run.db, "the store the run is in")->type_name("FILE")->required();
  add_plugin_dirs(*evaluate_sub, plugin_dirs);

  CLI::App* copy_sub = app.add_subcommand(
      "copy-store",
      "copy a store with its checkpoints as a consistent snapshot (what each Slurm task does at its end)");
  copy_sub->add_option("stores", line.stores, "FROM.db TO.db")->type_name("STORE")->expected(2)->required();

  app.footer(std::string(kRunFooter) + kMainFooter);
  for (CLI::App* sub : {plugins, describe_sub, evaluate_sub, copy_sub}) sub->footer("");

  std::vector<std::string> subcommands;  // for "did you mean" when no experiment file has the name
  for (const CLI::App* sub : app.get_subcommands({})) subcommands.push_back(sub->get_name());

  // The shell completions' question (cli_complete.hpp), answered from the app itself; its
  // words are not parsed (they may be half-typed).
  if (argc >= 2 && std::string(argv[1]) == "__complete") {
    std::vector<std::string> words(argv + 2, argv + argc);
    if (!words.empty() && words.front() == "--") words.erase(words.begin());
    for (const auto& candidate : complete(app, words))
      std::cout << candidate.value << '\t' << candidate.description << '\n';
    return kExitOk;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    // An option no app knows: name the nearest one, which CLI11 2.1 does not.
    std::set<std::string> known = long_options(app, false), visible = long_options(app, true);
    for (const CLI::App* sub : app.get_subcommands({})) {
      known.merge(long_options(*sub, false));
      visible.merge(long_options(*sub, true));
    }
    for (int i = 1; i < argc; ++i) {
      const std::string word = argv[i];
      const std::string name = word.substr(0, word.find('='));
      if (name.rfind("--", 0) == 0 && name.size() > 2 && known.count(name) == 0) {
        return usage_error(fmt::format("unknown option '{}'{}", name, did_you_mean(name, visible)), "");
      }
    }
    return usage_error(e.what(), "");
  } catch (const CLI::ParseError& e) {
    const auto parsed = app.get_subcommands();
    return usage_error(e.what(), parsed.empty() ? "" : parsed.front()->get_name());
  }

  for (const auto& dir : plugin_dirs) line.run.plugin_dirs.emplace_back(dir);
  if (plugins->parsed() || list_plugins) {
    line.command = Command::plugins;
  } else if (describe_sub->parsed() || !describe.empty()) {
    line.command = Command::describe;
    if (!describe.empty()) line.model = describe;
  } else if (evaluate_sub->parsed() || !evaluate.empty()) {
    line.command = Command::evaluate;
    if (!evaluate.empty()) line.run_reference = evaluate;
    if (line.run.db.empty()) return usage_error("--evaluate needs --db FILE: the store the run is in", "evaluate");
  } else if (copy_sub->parsed() || copy_store) {
    line.command = Command::copy_store;
    if (copy_store) line.stores = positional;
    if (line.stores.size() != 2) return usage_error("--copy-store needs two stores: FROM.db TO.db", "copy-store");
  } else {
    line.command = Command::run;
    if (run->parsed()) {
      line.run.experiment = experiment;
      line.run.overrides = overrides;
    } else if (!positional.empty()) {
      line.run.experiment = positional.front();
      line.run.overrides.assign(positional.begin() + 1, positional.end());
    }
    const std::string help_of = run->parsed() ? "run" : "";
    if (line.run.experiment.empty()) return usage_error("no experiment file given", help_of);
    // First: a mistyped subcommand (`runner describ MODEL`) is a missing file that names
    // the subcommand meant, not an override without '='.
    if (!fs::exists(line.run.experiment)) {
      return usage_error(
          missing_experiment(line.run.experiment, run->parsed() ? std::vector<std::string>{} : subcommands), help_of);
    }
    for (const auto& override_text : line.run.overrides) {
      if (override_text.find('=') == std::string::npos) {
        return usage_error(fmt::format("'{}' is neither an option nor a KEY=VALUE override (only one experiment "
                                       "file can be given)",
                                       override_text),
                           help_of);
      }
    }
  }
  return std::nullopt;
}

}  // namespace ablate
