// `runner EXPERIMENT --emit-slurm FILE` and `--slurm`: an sbatch script that runs the
// grid as a Slurm job array, one shard per task, each into its own store on local disk
// (DESIGN §8), saved to the results folder with its checkpoints when the task ends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ablate {

struct SlurmOptions {
  std::string experiment;
  std::vector<std::string> overrides;
  std::vector<std::string> plugin_dirs;
  std::vector<std::string> runner_args;  // runner options each task passes on (--retry-failed, --jobs N)
  std::int64_t tasks = 0;                // array size; task I runs shard I of `tasks`
  std::int64_t cells_per_task = 0;       // or: this many cells a task (tasks = cells / this, rounded up)
  std::int64_t throttle = 0;             // at most this many tasks at once (--array=0-N%K); 0 = no limit
  std::string partition;                 // "" = the cluster's default
  std::string time = "04:00:00";
  std::int64_t gpus_per_task = 0;
  std::int64_t cpus_per_task = 4;
  std::int64_t jobs = 1;                 // cells at once in a task (runner --jobs), sharing its CPUs
  std::int64_t grace_seconds = 60;       // TERM this long before the time limit, to save the shard
  bool requeue = false;                  // let Slurm requeue a preempted task (it resumes)
  std::vector<std::string> sbatch_args;  // passed through as `#SBATCH ARG` (account, QoS...)
  std::string results_dir;               // where each task saves its store
  std::string runner_path;               // absolute path of this runner
};

// Checks every value that goes into the script (throws ConfigError naming the option and
// the value) and fills in the array size from `cells`.
void validate_slurm_options(SlurmOptions& options, std::int64_t cells);

std::string slurm_script(const SlurmOptions& options);

// Single-quoted for bash: safe for any text.
std::string shell_quote(const std::string& text);

}  // namespace ablate
