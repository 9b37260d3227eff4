// `runner EXPERIMENT --emit-slurm`: an sbatch script that runs the grid as a Slurm job
// array, one shard per task, each into its own store on local disk (DESIGN §8).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ablate {

struct SlurmOptions {
  std::string experiment;
  std::vector<std::string> overrides;
  std::vector<std::string> plugin_dirs;
  std::int64_t tasks = 0;  // array size; each task runs one shard
  std::string partition;   // "" = the cluster's default
  std::string time = "04:00:00";
  std::int64_t gpus_per_task = 0;
  std::int64_t cpus_per_task = 4;
  std::string results_dir;  // where each task copies its store
  std::string runner_path;  // absolute path of this runner
};

std::string slurm_script(const SlurmOptions& options);

}  // namespace ablate
