// The sbatch script for a grid as a job array.
#include "slurm.hpp"

#include <fmt/format.h>

namespace ablate {

namespace {

// Single-quoted for bash: safe for any path or override.
std::string quote(const std::string& text) {
  std::string result = "'";
  for (const char c : text) result += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return result + "'";
}

}  // namespace

std::string slurm_script(const SlurmOptions& o) {
  std::string args = quote(o.experiment);
  for (const auto& override_text : o.overrides) args += " " + quote(override_text);
  for (const auto& dir : o.plugin_dirs) args += " --plugins " + quote(dir);
  std::string header = fmt::format("#SBATCH --job-name=ablate\n#SBATCH --array=0-{}\n#SBATCH --time={}\n"
                                   "#SBATCH --cpus-per-task={}\n#SBATCH --output=slurm-%A_%a.out\n",
                                   o.tasks - 1, o.time, o.cpus_per_task);
  if (!o.partition.empty()) header += fmt::format("#SBATCH --partition={}\n", o.partition);
  if (o.gpus_per_task > 0) header += fmt::format("#SBATCH --gpus-per-task={}\n", o.gpus_per_task);
  return fmt::format(R"(#!/usr/bin/env bash
# Written by `runner --emit-slurm`: runs {experiment} as a Slurm job array of {tasks}
# tasks. Each task runs one shard of the grid into its own SQLite store on local disk
# (SQLite must not live on NFS) and copies it to {results} when done. Combine them with:
#   report merge runs.db {results}/shard-*.db
{header}set -euo pipefail

task=${{SLURM_ARRAY_TASK_ID:?submit this script with sbatch}}
count={tasks}
local_dir=${{SLURM_TMPDIR:-${{TMPDIR:-/tmp}}}}/ablate-${{SLURM_ARRAY_JOB_ID:-job}}-$task
mkdir -p "$local_dir" {results}
store="$local_dir/shard-$task.db"

# Copy the store back even when the runner fails or Slurm stops the task (SIGTERM):
# the runner marks the runs it was training as killed, and a later submission resumes.
trap 'cp "$store" {results}/shard-$task.db 2>/dev/null || true' EXIT
status=0
{runner} {args} --shard "$task/$count" --db "$store" --threads "${{SLURM_CPUS_PER_TASK:-{cpus}}}" || status=$?
exit $status
)",
                     fmt::arg("experiment", o.experiment), fmt::arg("tasks", o.tasks),
                     fmt::arg("results", quote(o.results_dir)), fmt::arg("header", header),
                     fmt::arg("runner", quote(o.runner_path)), fmt::arg("args", args),
                     fmt::arg("cpus", o.cpus_per_task));
}

}  // namespace ablate
