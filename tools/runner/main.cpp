// runner: runs an experiment grid (see `runner --help`).

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "ablate/error.hpp"
#include "ablate/plugin.hpp"
#include "ablate_version.hpp"
#include "config/plugin_registry.hpp"
#include "engine/process_tuning.hpp"
#include "engine/trainer.hpp"
#include "grid_plan.hpp"
#include "list_plugins.hpp"
#include "run_cell.hpp"
#include "run_grid.hpp"
#include "slurm.hpp"
#include "slurm_store_copy.hpp"
#include "slurm_submit.hpp"
#include "store.hpp"

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage = R"(usage: runner EXPERIMENT.yaml [KEY=VALUE ...] [options]
       runner --list-plugins [--plugins DIR]
       runner --describe MODEL [--resolution R] [--channels C] [--classes K] [--options YAML]
       runner --evaluate RUN --db FILE
       runner EXPERIMENT.yaml --slurm | --emit-slurm FILE [cluster options]
       runner --copy-store FROM.db TO.db
       runner --version

Runs every cell of an experiment grid (arms x resolutions x grid axes x seeds) that is
not finished yet, each in its own process, and records each run in an SQLite store.
Running the same command again resumes: finished cells are skipped.

  KEY=VALUE          override any key of the experiment file with a YAML value, e.g.
                     train.max_epochs=3  seeds=[0,1]  dataset.val_size=1000
)";

constexpr const char* kFooter = R"(
exit status: 0 every cell finished; 1 some cell failed (the others ran), now or in an
             earlier run (skipped; --retry-failed retries it); 2 bad input (experiment,
             plugin, data or store); 130 interrupted, or a cell's process was killed
             (run the same command again to resume).
environment: ABLATE_PLUGIN_PATH  colon-separated folders searched for plugins after --plugins.
)";

std::pair<std::int64_t, std::int64_t> parse_shard(const std::string& text) {
  static const std::regex pattern(R"((\d+)/(\d+))");
  std::smatch match;
  if (std::regex_match(text, match, pattern)) {
    // from_chars, not stoll: a number too large for int64 is this message, not "stoll".
    std::int64_t index = 0, count = 0;
    const std::string index_text = match[1], count_text = match[2];
    const bool parsed =
        std::from_chars(index_text.data(), index_text.data() + index_text.size(), index).ec == std::errc() &&
        std::from_chars(count_text.data(), count_text.data() + count_text.size(), count).ec == std::errc();
    if (parsed && count >= 1 && index < count) return {index, count};
  }
  throw ablate::ConfigError(fmt::format("--shard '{}' must be I/N with 0 <= I < N, e.g. --shard 0/4", text));
}

}  // namespace

int main(int argc, char** argv) {
  ablate::RunnerOptions options;
  std::vector<std::string> positional;
  std::vector<std::string> plugin_dirs;
  std::string shard = "0/1";
  std::string describe, describe_options = "{}", evaluate, emit_slurm;
  std::int64_t resolution = 64, channels = 3, classes = 8;
  ablate::SlurmOptions slurm;
  bool slurm_loop = false, copy_store = false;
  double poll_seconds = 5;
  ablate::CellOptions cell;
  po::options_description named("options");
  // One option a line, as --help lists them.
  // clang-format off
  named.add_options()
      ("help,h", "show this help")
      ("version", "print the runner's version, LibTorch's version and the plugin ABI it loads")
      ("db", po::value(&options.db), "the run store (default: runs.db next to the experiment file)")
      ("dry-run,n", po::bool_switch(&options.dry_run), "list the cells, their config hashes and which are done; train nothing")
      ("jobs,j", po::value(&options.jobs)->default_value(1), "run N cells at once, splitting the CPU threads between them")
      ("threads", po::value(&options.threads)->default_value(0), "LibTorch threads per cell (default: cores / jobs)")
      ("retry-failed", po::bool_switch(&options.retry_failed), "run failed cells again (killed and stale ones always are)")
      ("force", po::bool_switch(&options.force), "run every cell again, finished ones too")
      ("max-cells", po::value(&options.max_cells)->default_value(ablate::kMaxCells), "allow a grid of up to N cells (a larger one is refused before anything runs)")
      ("oversubscribe", po::bool_switch(&options.oversubscribe), "allow more LibTorch threads per cell than this machine has cores (up to 16x)")
      ("wait-policy", po::value(&options.wait_policy)->default_value("auto"), "how the cells' threads wait between operations: auto (passive when other work already fills the cores, else spin), spin (libgomp's default) or passive (docs/performance.md)")
      ("stale-after", po::value(&options.stale_after_seconds)->default_value(120), "take over a running cell whose runner has not written a heartbeat for SECONDS (it died, or was suspended that long)")
      ("fresh-process", po::bool_switch(&options.fresh_processes), "start every cell as a new process rather than a fork of the runner (~0.3 s more per cell; GPU cells always are)")
      ("shard", po::value(&shard), "run only shard I of N (0-based): every N-th cell from cell I")
      ("plugins", po::value(&plugin_dirs)->composing(), "also load plugins from DIR (repeatable; searched first)")
      ("quiet,q", po::bool_switch(&options.quiet), "print only warnings, errors and the summary")
      ("verbose,v", po::bool_switch(&options.verbose), "also say why each skipped cell was skipped, and how long the runner's own work in each cell took")
      ("list-plugins", "list the model, dataset and metric plugins found, and any that were refused")
      ("describe", po::value(&describe), "print MODEL's layers, output shapes, parameters and FLOPs")
      ("resolution", po::value(&resolution), "--describe: image side (default 64)")
      ("channels", po::value(&channels), "--describe: input channels (default 3)")
      ("classes", po::value(&classes), "--describe: classes (default 8)")
      ("options", po::value(&describe_options), "--describe: the model's options as YAML, e.g. '{se_reduction: 16}'")
      ("evaluate", po::value(&evaluate), "re-evaluate stored run RUN (id or config-hash prefix) from its checkpoint")
      ("slurm", po::bool_switch(&slurm_loop), "run the grid on Slurm: submit it as a job array, follow it, merge the shards into the store (see docs/cluster.md)")
      ("emit-slurm", po::value(&emit_slurm), "write the sbatch script for the grid as a job array to FILE ('-': stdout), to submit by hand")
      ("tasks", po::value(&slurm.tasks), "--slurm/--emit-slurm: array size; task I runs shard I of N (default: one task per cell)")
      ("cells-per-task", po::value(&slurm.cells_per_task), "--slurm/--emit-slurm: or this many cells a task, for sites that limit array sizes")
      ("throttle", po::value(&slurm.throttle), "--slurm/--emit-slurm: at most K tasks at once (--array=0-N%K)")
      ("partition", po::value(&slurm.partition), "--slurm/--emit-slurm: Slurm partition")
      ("time", po::value(&slurm.time), "--slurm/--emit-slurm: time limit per task (default 04:00:00)")
      ("gpus-per-task", po::value(&slurm.gpus_per_task), "--slurm/--emit-slurm: GPUs per task (cells with train.device: auto use them)")
      ("cpus-per-task", po::value(&slurm.cpus_per_task), "--slurm/--emit-slurm: CPUs per task (default 4)")
      ("grace-seconds", po::value(&slurm.grace_seconds), "--slurm/--emit-slurm: stop a task this long before its time limit, to save its shard (default 60; 0: off)")
      ("requeue", po::bool_switch(&slurm.requeue), "--slurm/--emit-slurm: let Slurm requeue a preempted task; it resumes its shard")
      ("sbatch-arg", po::value(&slurm.sbatch_args)->composing(), "--slurm/--emit-slurm: pass an sbatch option through, e.g. --sbatch-arg=--account=proj42 (repeatable)")
      ("results", po::value(&slurm.results_dir), "--slurm/--emit-slurm: folder the tasks save their shards to (default: shards/ next to the experiment)")
      ("copy-store", po::bool_switch(&copy_store), "copy store FROM.db with its checkpoints to TO.db as a consistent snapshot (what each Slurm task does at its end)");
  po::options_description hidden;
  hidden.add_options()
      ("args", po::value(&positional)->composing())
      ("cell", po::value(&cell.hash))
      ("run-id", po::value(&cell.run_id))
      ("attempt", po::value(&cell.attempt))
      ("progress-protocol", po::bool_switch(&cell.progress_protocol))
      ("poll-seconds", po::value(&poll_seconds));
  // clang-format on
  po::options_description all;
  all.add(named).add(hidden);
  po::positional_options_description positions;
  positions.add("args", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positions).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "runner: error: " << e.what() << "\n" << kUsage << "run `runner --help` for all options\n";
    return ablate::kExitBadInput;
  }
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << named << kFooter;
    return ablate::kExitOk;
  }
  if (vm.count("version")) {
    // The same string the runner records in each run's ablate_version.
    std::cout << fmt::format("runner {} (LibTorch {}, plugin ABI {})\n", ablate::ablate_version(),
                             ablate::torch_version(), ablate::kPluginAbiVersion);
    return ablate::kExitOk;
  }
  for (const auto& dir : plugin_dirs) options.plugin_dirs.emplace_back(dir);

  try {
    if (vm.count("list-plugins")) {
      ablate::PluginRegistry registry;
      registry.load_directories(ablate::plugin_search_path(options.plugin_dirs));
      ablate::print_plugins(registry, std::cout);
      for (const auto& problem : registry.problems()) std::cerr << "runner: warning: " << problem << "\n";
      return ablate::kExitOk;
    }
    if (!describe.empty()) {
      ablate::PluginRegistry registry;
      registry.load_directories(ablate::plugin_search_path(options.plugin_dirs));
      YAML::Node model_options;
      try {
        model_options = YAML::Load(describe_options);
      } catch (const YAML::Exception& e) {
        throw ablate::ConfigError(fmt::format("--options '{}' is not valid YAML: {}", describe_options, e.what()));
      }
      std::cout << ablate::describe_model(registry, describe, model_options, {channels, resolution, classes});
      return ablate::kExitOk;
    }
    if (!evaluate.empty()) {
      if (options.db.empty()) throw ablate::ConfigError("--evaluate needs --db FILE: the store the run is in");
      ablate::tune_heap_for_training();
      return ablate::evaluate_run(options.db, evaluate, options.plugin_dirs);
    }
    if (copy_store) {
      if (positional.size() != 2) throw ablate::ConfigError("--copy-store needs two stores: FROM.db TO.db");
      ablate::copy_store(positional[0], positional[1]);
      return ablate::kExitOk;
    }
    if (positional.empty()) {
      std::cerr << "runner: error: no experiment file given\n" << kUsage;
      return ablate::kExitBadInput;
    }
    options.experiment = positional.front();
    options.overrides.assign(positional.begin() + 1, positional.end());
    for (const auto& override_text : options.overrides) {
      if (override_text.find('=') == std::string::npos) {
        std::cerr << fmt::format("runner: error: '{}' is neither an option nor a KEY=VALUE override "
                                 "(only one experiment file can be given)\n",
                                 override_text);
        return ablate::kExitBadInput;
      }
    }
    std::tie(options.shard_index, options.shard_count) = parse_shard(shard);
    if (options.jobs < 1) throw ablate::ConfigError("--jobs must be at least 1");
    ablate::tune_heap_for_training();

    if (!cell.hash.empty()) {  // a child started by the grid loop
      auto plan = ablate::plan_grid(ablate::load_experiment(options.experiment, options.overrides), options.plugin_dirs,
                                    /*validate_models=*/false);
      cell.db = ablate::store_path(options);
      cell.threads = options.threads;
      cell.quiet = options.quiet;
      cell.verbose = options.verbose;
      return ablate::run_cell(*plan, cell);
    }
    if (!emit_slurm.empty() || slurm_loop) {
      if (!emit_slurm.empty() && slurm_loop) throw ablate::ConfigError("give --slurm or --emit-slurm, not both");
      // The checks of --dry-run (every model built once), so that a bad grid is refused
      // here and not after a wait in the queue.
      auto plan = ablate::plan_grid(ablate::load_experiment(options.experiment, options.overrides), options.plugin_dirs,
                                    /*validate_models=*/true);
      for (const auto& problem : plan->registry.problems()) std::cerr << "runner: warning: " << problem << "\n";
      ablate::validate_slurm_options(slurm, static_cast<std::int64_t>(plan->cells.size()));
      slurm.experiment = std::filesystem::absolute(options.experiment).string();
      slurm.overrides = options.overrides;
      if (options.force) {
        throw ablate::ConfigError("--force cannot be used with --slurm or --emit-slurm: every resubmitted or "
                                  "requeued task would train its finished cells again");
      }
      if (options.retry_failed) slurm.runner_args.push_back("--retry-failed");
      slurm.jobs = options.jobs;
      for (const auto& dir : options.plugin_dirs) slurm.plugin_dirs.push_back(std::filesystem::absolute(dir).string());
      if (slurm.results_dir.empty()) {
        slurm.results_dir = (std::filesystem::absolute(options.experiment).parent_path() / "shards").string();
      }
      slurm.results_dir = std::filesystem::absolute(slurm.results_dir).string();
      slurm.runner_path = std::filesystem::read_symlink("/proc/self/exe").string();
      if (slurm.gpus_per_task > 0) {
        for (const auto& planned : plan->cells) {
          if (planned.cell.train.device == ablate::Device::kCpu) {
            std::cerr << "runner: warning: some cells have train.device: cpu and will not use the GPUs; "
                         "set train.device=auto\n";
            break;
          }
        }
      }
      if (slurm_loop) {
        ablate::SlurmFollowOptions follow;
        follow.store = std::filesystem::absolute(ablate::store_path(options)).string();
        for (const auto& planned : plan->cells) follow.hashes.push_back(planned.hash);
        follow.poll_seconds = poll_seconds;
        { const ablate::db::Store check(follow.store); }  // refused now, not after the job
        return ablate::submit_and_follow(slurm, follow);
      }
      const std::string script = ablate::slurm_script(slurm);
      if (emit_slurm == "-") {
        std::cout << script;
      } else {
        std::ofstream out(emit_slurm);
        out << script;
        if (!out) throw ablate::ConfigError(fmt::format("cannot write {}", emit_slurm));
        std::cerr << fmt::format("wrote {}: {} array tasks over {} cells, shards saved to {}; submit with `sbatch {}` "
                                 "(or use `runner ... --slurm`, which also follows and merges)\n",
                                 emit_slurm, slurm.tasks, plan->cells.size(), slurm.results_dir,
                                 ablate::shell_quote(emit_slurm));
      }
      return ablate::kExitOk;
    }
    return ablate::run_grid(options);
  } catch (const ablate::Error& e) {
    std::cerr << "runner: error: " << e.what() << "\n";
    return ablate::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "runner: error: " << e.what() << "\n";
    return ablate::kExitBadInput;
  } catch (...) {
    std::cerr << "runner: error: a plugin threw something that is not a std::exception\n";
    return ablate::kExitBadInput;
  }
}
