// The sbatch script for a grid as a job array, and the checks on what goes into it.
#include "slurm.hpp"

#include <filesystem>
#include <regex>

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

namespace {

// Slurm partition names: letters, digits, '_', '.', '-'; a comma-separated list allowed.
const std::regex kPartition(R"([A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*)");
// sbatch --time: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, or UNLIMITED.
const std::regex kTime(R"((\d+-)?\d+(:\d+){0,2}|UNLIMITED|unlimited|infinite|INFINITE)");

void require_at_least(const char* option, std::int64_t value, std::int64_t least) {
  if (value < least) throw ConfigError(fmt::format("--{} {} must be at least {}", option, value, least));
}

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string result = "'";
  for (const char c : text) result += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return result + "'";
}

void validate_slurm_options(SlurmOptions& o, std::int64_t cells) {
  if (!o.partition.empty() && !std::regex_match(o.partition, kPartition)) {
    throw ConfigError(fmt::format("--partition '{}' is not a Slurm partition name (letters, digits, '_', '.', '-'; "
                                  "several separated by commas)",
                                  o.partition));
  }
  if (!std::regex_match(o.time, kTime)) {
    throw ConfigError(fmt::format("--time '{}' is not a Slurm time limit: use MINUTES, HH:MM:SS or DAYS-HH:MM:SS",
                                  o.time));
  }
  require_at_least("cpus-per-task", o.cpus_per_task, 1);
  require_at_least("gpus-per-task", o.gpus_per_task, 0);
  require_at_least("grace-seconds", o.grace_seconds, 0);
  require_at_least("jobs", o.jobs, 1);
  require_at_least("throttle", o.throttle, 0);
  for (const auto& arg : o.sbatch_args) {
    // Each becomes one `#SBATCH ARG` line: a line break would end it and start a command.
    const bool one_line = arg.find_first_of("\n\r") == std::string::npos && arg.find('\0') == std::string::npos;
    if (!one_line || arg.rfind("--", 0) != 0 || arg.size() < 3 || arg.find(' ') != std::string::npos) {
      throw ConfigError(fmt::format("--sbatch-arg '{}' must be one sbatch option without spaces, e.g. "
                                    "--sbatch-arg=--account=proj42 or --sbatch-arg=--qos=long",
                                    arg));
    }
  }
  if (o.tasks != 0 && o.cells_per_task != 0) throw ConfigError("give --tasks or --cells-per-task, not both");
  require_at_least("tasks", o.tasks, 0);
  require_at_least("cells-per-task", o.cells_per_task, 0);
  if (cells < 1) throw ConfigError("the grid has no cells");
  if (o.cells_per_task > 0) o.tasks = (cells + o.cells_per_task - 1) / o.cells_per_task;
  if (o.tasks == 0) o.tasks = cells;
  o.tasks = std::min(o.tasks, cells);
}

std::string slurm_script(const SlurmOptions& o) {
  std::string args = shell_quote(o.experiment);
  for (const auto& override_text : o.overrides) args += " " + shell_quote(override_text);
  for (const auto& dir : o.plugin_dirs) args += " --plugins " + shell_quote(dir);
  for (const auto& arg : o.runner_args) args += " " + shell_quote(arg);
  std::string array = fmt::format("0-{}", o.tasks - 1);
  if (o.throttle > 0) array += fmt::format("%{}", o.throttle);
  // Every value on an #SBATCH line was checked by validate_slurm_options.
  std::string header = fmt::format("#SBATCH --job-name=ablate\n#SBATCH --array={}\n#SBATCH --time={}\n"
                                   "#SBATCH --cpus-per-task={}\n#SBATCH --output=slurm-%A_%a.out\n",
                                   array, o.time, o.cpus_per_task);
  if (!o.partition.empty()) header += fmt::format("#SBATCH --partition={}\n", o.partition);
  if (o.gpus_per_task > 0) header += fmt::format("#SBATCH --gpus-per-task={}\n", o.gpus_per_task);
  // B: the signal goes to this script only, which passes it on to the runner and then
  // saves the shard, before Slurm's own TERM and KILL at the limit.
  if (o.grace_seconds > 0) header += fmt::format("#SBATCH --signal=B:TERM@{}\n", o.grace_seconds);
  if (o.requeue) header += "#SBATCH --requeue\n#SBATCH --open-mode=append\n";
  for (const auto& arg : o.sbatch_args) header += fmt::format("#SBATCH {}\n", arg);
  return fmt::format(R"SCRIPT(#!/usr/bin/env bash
# Written by `runner --emit-slurm`: runs the grid as a Slurm job array of {tasks} tasks.
# Task I runs shard I/{tasks} into its own SQLite store on local disk (SQLite must not
# live on NFS), and saves it with its checkpoints to results/shard-I.db when it ends,
# however it ends: finished, failed, cancelled, timed out or preempted. A task that finds
# its shard in results/ continues it: submitting this script again (or Slurm requeueing
# a task) resumes; finished cells are skipped. Combine the shards with:
#   report merge {store} results/shard-*.db
{header}set -uo pipefail

runner={runner}
results={results}
task=${{SLURM_ARRAY_TASK_ID:?submit this script with sbatch}}
count={tasks}
shard="$results/shard-$task.db"
local_dir=$(mktemp -d "${{SLURM_TMPDIR:-${{TMPDIR:-/tmp}}}}/ablate-shard-$task.XXXXXX") || exit 1
store="$local_dir/shard-$task.db"
mkdir -p "$results" || exit 1

# Slurm's TERM (scancel, time limit, preemption) reaches this script: pass it on and keep
# waiting, so that the runner records its runs as killed before the shard is saved. It is
# passed on as INT, once: scancel also sends TERM to the runner itself, and a second TERM
# (or INT) would end it at once, before its runs are recorded. A TERM that comes before
# the runner has started means: do not start it.
stopping=
forwarded=
runner_pid=
stop() {{
  stopping=1
  if [[ -n $runner_pid && -z $forwarded ]]; then
    forwarded=1
    kill -INT "$runner_pid" 2>/dev/null
  fi
}}
trap stop TERM INT

# A shard saved by an earlier submission (or before a requeue): continue it.
if [[ -e $shard ]]; then
  "$runner" --copy-store "$shard" "$store" || exit 1
  echo "ablate: task $task continues $shard"
fi

status=0
if [[ -z $stopping ]]; then
  # The task's CPUs, shared by the cells it runs at once.
  threads=$(( ${{SLURM_CPUS_PER_TASK:-{cpus}}} / {jobs} ))
  (( threads >= 1 )) || threads=1
  "$runner" {args} --shard "$task/$count" --db "$store" --jobs {jobs} --threads "$threads" &
  runner_pid=$!
  [[ -z $stopping ]] || stop  # a TERM between the start and the line above
  while true; do
    wait "$runner_pid"
    status=$?
    kill -0 "$runner_pid" 2>/dev/null || break
  done
else
  echo "ablate: task $task was stopped before its runner started"
  status=130
fi
trap '' TERM INT

if [[ ! -e $store ]]; then
  rm -rf "$local_dir"
elif "$runner" --copy-store "$store" "$shard"; then
  echo "ablate: task $task saved $shard (runner exit status $status)"
  rm -rf "$local_dir"
else
  echo "ablate: task $task could not save its shard; it is still in $store" >&2
  [[ $status -ne 0 ]] || status=1
fi
exit $status
)SCRIPT",
                     fmt::arg("tasks", o.tasks), fmt::arg("results", shell_quote(o.results_dir)),
                     fmt::arg("header", header), fmt::arg("runner", shell_quote(o.runner_path)), fmt::arg("args", args),
                     fmt::arg("cpus", o.cpus_per_task), fmt::arg("jobs", o.jobs),
                     fmt::arg("store", std::filesystem::path(o.experiment).stem().string() + ".db"));
}

}  // namespace ablate
