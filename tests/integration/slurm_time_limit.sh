#!/usr/bin/env bash
# Tasks that reach their time limit on a real Slurm (started here, see slurm_cluster.bash),
# two at once:
#  - with --grace-seconds 60 and --time 3, Slurm sends TERM to the batch script alone
#    (#SBATCH --signal=B:TERM@60) one to two minutes in; the script passes it on, the
#    runner stops, the shard is saved before the limit;
#  - with --grace-seconds 0 and --time 1, the limit itself ends the task (TERM to every
#    process, then KILL after KillWait).
# Either way the shard in the results folder is intact, its run `killed`, never
# `running`, with its finished epochs. Takes about two minutes.
# usage: slurm_time_limit.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/slurm_cluster.bash"
RUNNER=$(realpath "$RUNNER")
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
start_slurm

# Far more epochs than either limit allows.
cat >endless.yaml <<YAML
dataset: {plugin: synthetic, classes: 4, size: 32, train: 1024, val: 64, test: 64}
arms: {baseline: {model: baseline_cnn}}
resolutions: [32]
seeds: [0]
train: {batch_size: 16, max_epochs: 1000, early_stopping: {patience: 0}, threads: 1}
YAML
expect_exit 0 emit_grace.log -- "$RUNNER" endless.yaml --emit-slurm grace.sh --time 3 --grace-seconds 60 \
  --cpus-per-task 1 --results "$WORK/grace results"
expect_exit 0 emit_limit.log -- "$RUNNER" endless.yaml --emit-slurm limit.sh --time 1 --grace-seconds 0 \
  --cpus-per-task 1 --results "$WORK/limit results"
grep -qxF "#SBATCH --signal=B:TERM@60" grace.sh || fail "no --signal line in grace.sh"
! grep -qF -- "--signal" limit.sh || fail "--grace-seconds 0 still wrote a --signal line"

grace_job=$(sbatch --parsable --output="$WORK/grace-%A_%a.out" grace.sh)
limit_job=$(sbatch --parsable --output="$WORK/limit-%A_%a.out" limit.sh)
wait_until 240 "job $limit_job to reach its time limit" job_gone "$limit_job"
wait_until 240 "job $grace_job to be signalled before its time limit" job_gone "$grace_job"
cat "$WORK/grace-${grace_job}_0.out" "$WORK/limit-${limit_job}_0.out"

check_shard() {  # check_shard SHARD: intact, the run killed with its epochs
  [[ $(sql "$1" "PRAGMA integrity_check") == ok ]] || fail "$1 is damaged"
  [[ $(sql "$1" "SELECT status FROM runs") == killed ]] || fail "$1: $(sql "$1" "SELECT id, status, error FROM runs")"
  local epochs
  epochs=$(sql "$1" "SELECT count(*) FROM epochs")
  ((epochs >= 1)) || fail "$1 kept no epoch"
  echo "$1: run killed ($(sql "$1" "SELECT error FROM runs")), $epochs epochs kept"
}
check_shard "$WORK/limit results/shard-0.db"
expect_in "$WORK/limit-${limit_job}_0.out" "DUE TO TIME LIMIT"
expect_in "$WORK/limit-${limit_job}_0.out" "ablate: task 0 saved"
check_shard "$WORK/grace results/shard-0.db"
expect_in "$WORK/grace-${grace_job}_0.out" "ablate: task 0 saved"
! grep -qF "DUE TO TIME LIMIT" "$WORK/grace-${grace_job}_0.out" ||
  fail "the task with a grace period was still ended by its time limit"
echo "slurm_time_limit: all checks passed in ${SECONDS}s"
