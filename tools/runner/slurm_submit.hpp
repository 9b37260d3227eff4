// `runner EXPERIMENT --slurm`: the whole loop on a cluster, as submitit does for Hydra:
// write the job-array script, submit it with sbatch, follow the array with squeue while
// showing each task's cells, then merge the shards into the experiment's store.
#pragma once

#include <string>
#include <vector>

#include "slurm.hpp"

namespace ablate {

struct SlurmFollowOptions {
  std::string store;                // the experiment's store, where the shards are merged
  std::vector<std::string> hashes;  // the grid's cells, to count what the merged store holds
  double poll_seconds = 5;          // between two squeue calls
};

// Submits the script for `slurm` and follows it to the end. Returns the runner's exit
// status for the grid: 0 every cell finished, 1 some failed, 130 some did not finish (or
// following was stopped with Ctrl-C: the job goes on). Throws ConfigError when sbatch
// refuses the job.
int submit_and_follow(const SlurmOptions& slurm, const SlurmFollowOptions& follow);

}  // namespace ablate
