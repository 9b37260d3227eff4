// runner: runs an experiment grid (see `runner --help`).

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include <fmt/format.h>

#include "ablate/error.hpp"
#include "api/options_yaml.hpp"
#include "cli.hpp"
#include "cli_complete.hpp"
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

namespace {

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
  ablate::CommandLine line;
  if (const auto done = ablate::parse_command_line(argc, argv, line)) return *done;
  ablate::RunnerOptions& options = line.run;
  ablate::CellOptions& cell = line.cell;
  ablate::SlurmOptions& slurm = line.slurm;

  try {
    switch (line.command) {
      case ablate::Command::plugins: {
        ablate::PluginRegistry registry;
        registry.load_directories(ablate::plugin_search_path(options.plugin_dirs));
        ablate::print_plugins(registry, std::cout);
        for (const auto& problem : registry.problems()) std::cerr << "runner: warning: " << problem << "\n";
        return ablate::kExitOk;
      }
      case ablate::Command::describe: {
        ablate::PluginRegistry registry;
        registry.load_directories(ablate::plugin_search_path(options.plugin_dirs));
        YAML::Node model_options;
        try {
          model_options = YAML::Load(line.model_options);
        } catch (const YAML::Exception& e) {
          throw ablate::ConfigError(fmt::format("--options '{}' is not valid YAML: {}", line.model_options, e.what()));
        }
        ablate::note_origin(model_options, fmt::format("--options '{}'", line.model_options));
        std::cout << ablate::describe_model(registry, line.model, model_options,
                                            {line.channels, line.resolution, line.classes});
        return ablate::kExitOk;
      }
      case ablate::Command::evaluate:
        ablate::tune_heap_for_training();
        return ablate::evaluate_run(options.db, line.run_reference, options.plugin_dirs);
      case ablate::Command::copy_store:
        ablate::copy_store(line.stores[0], line.stores[1]);
        return ablate::kExitOk;
      case ablate::Command::run:
        break;
    }
    std::tie(options.shard_index, options.shard_count) = parse_shard(line.shard);
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
    if (const auto note = ablate::earlier_store_note(options)) std::cerr << "runner: note: " << *note << "\n";
    if (!line.emit_slurm.empty() || line.slurm_loop) {
      if (!line.emit_slurm.empty() && line.slurm_loop)
        throw ablate::ConfigError("give --slurm or --emit-slurm, not both");
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
      if (line.slurm_loop) {
        ablate::SlurmFollowOptions follow;
        follow.store = std::filesystem::absolute(ablate::store_path(options)).string();
        for (const auto& planned : plan->cells) follow.hashes.push_back(planned.hash);
        follow.poll_seconds = line.poll_seconds;
        { const ablate::db::Store check(follow.store); }  // refused now, not after the job
        return ablate::submit_and_follow(slurm, follow);
      }
      const std::string script = ablate::slurm_script(slurm);
      const std::string& emit_slurm = line.emit_slurm;
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
