#!/usr/bin/env bash
# The runner on a real single-node Slurm (started here, see slurm_cluster.bash):
#  - a bad grid or a bad cluster option is refused before anything reaches sbatch;
#  - `runner --slurm` submits a small grid as an array (two cells a task), follows it,
#    merges the shards, with checkpoints, into the experiment's store;
#  - a task cancelled mid-cell (scancel) leaves a shard with no `running` run, its
#    finished epochs kept; a task stopped by the time-limit path (TERM to the batch
#    script only, as --signal=B:TERM@grace does) too; resubmitting resumes: the finished
#    cell is not trained again, the killed one is, one finished run per cell in the end.
# Paths with spaces, quotes, '$' and '%' throughout.
# usage: slurm.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/slurm_cluster.bash"
RUNNER=$(realpath "$RUNNER")
REPORT=$(realpath "$REPORT")
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
start_slurm
echo "test Slurm up after ${SECONDS}s: $(sinfo --noheader --format '%P %D %T %c')"

# --- Refused before sbatch: nothing may be queued, no script written. -------------------
mkdir "bad grid"
cat >"bad grid/bad.yaml" <<YAML
dataset: {plugin: synthetic, classes: 4, size: 16, train: 64, val: 16, test: 16}
arms: {broken: {model: baseline_cnn, options: {no_such_option: 3}}}
resolutions: [16]
seeds: [0]
YAML
expect_exit 2 bad_dry.log -- "$RUNNER" "bad grid/bad.yaml" --dry-run
expect_exit 2 bad_slurm.log -- "$RUNNER" "bad grid/bad.yaml" --slurm
expect_exit 2 bad_emit.log -- "$RUNNER" "bad grid/bad.yaml" --emit-slurm "bad grid/job.sh"
# The same message as --dry-run's, naming the option.
expect_in bad_slurm.log "no_such_option"
diff <(grep error: bad_dry.log) <(grep error: bad_slurm.log) || fail "--slurm did not refuse the grid as --dry-run does"
[[ ! -e "bad grid/job.sh" && ! -e "bad grid/shards" ]] || fail "a refused grid left a script or a results folder"
[[ -z $(squeue --noheader) ]] || fail "a refused grid reached the queue: $(squeue)"

write_synthetic_experiment "grid.yaml"
bad_option() {  # bad_option LOG EXPECTED-TEXT ARGS...: exit 2, the message, no job
  local log=$1 text=$2; shift 2
  expect_exit 2 "$log" -- "$RUNNER" grid.yaml --emit-slurm job.sh "$@"
  expect_in "$log" "$text"
  [[ ! -e job.sh ]] || fail "a refused option still wrote job.sh: $*"
}
bad_option partition.log "is not a Slurm partition name" --partition $'gpu\nrm -rf /'
bad_option cpus.log "--cpus-per-task -1 must be at least 1" --cpus-per-task -1
bad_option time.log "--time '1 hour' is not a Slurm time limit" --time "1 hour"
bad_option sbatch_arg.log "--sbatch-arg '--account=a b' must be one sbatch option" "--sbatch-arg=--account=a b"
bad_option both.log "give --tasks or --cells-per-task, not both" --tasks 2 --cells-per-task 2
bad_option force.log "--force cannot be used with --slurm or --emit-slurm" --force
[[ -z $(squeue --noheader) ]] || fail "a refused option reached the queue"

# --- runner --slurm: submit, follow, merge. --------------------------------------------
results="$WORK/my shards 'q' \$HOME %x"
expect_exit 0 loop.log -- "$RUNNER" grid.yaml --slurm --cells-per-task 2 --cpus-per-task 1 --throttle 2 \
  --sbatch-arg=--comment=ablate-test --results "$results" --poll-seconds 1
cat loop.log
expect_in loop.log "2 array tasks"
expect_in loop.log "  task 0   done       cells: 2 finished, 0 failed, 0 killed, 0 running"
expect_in loop.log "  task 1   done       cells: 2 finished, 0 failed, 0 killed, 0 running"
expect_in loop.log "2 checkpoints copied"
expect_in loop.log "done: 4 cells: 4 finished, 0 failed, 0 not finished (store $WORK/grid.db)"
grep -qxF "#SBATCH --array=0-1%2" "$results/ablate-array.sbatch" || fail "no array throttle in the script"
grep -qxF "#SBATCH --comment=ablate-test" "$results/ablate-array.sbatch" || fail "--sbatch-arg was not passed through"
[[ -f "$results/shard-0.db" && -f "$results/shard-1.db" ]] || fail "the shards are not in '$results'"
[[ ! -e "$results/shard-0.db-wal" ]] || fail "a shard in the results folder has a -wal file beside it"
[[ $(sql grid.db "SELECT count(*) FROM runs WHERE status = 'finished'") == 4 ]] ||
  fail "grid.db: $(sql grid.db "SELECT id, status FROM runs")"
# The checkpoints came along: a merged run re-evaluates from the merged store.
expect_exit 0 evaluate.log -- "$RUNNER" --evaluate 1 --db grid.db
expect_in evaluate.log "every stored metric reproduced"

# The same command again: every task continues its shard, skips its finished cells, and
# the merge adds nothing.
expect_exit 0 again.log -- "$RUNNER" grid.yaml --slurm --cells-per-task 2 --cpus-per-task 1 \
  --results "$results" --poll-seconds 1
expect_in again.log "  task 1   done       cells: 2 finished, 0 failed, 0 killed, 0 running"
! grep -qF "2 runs added" again.log || fail "the second --slurm merged new runs"
expect_in again.log "0 runs added, 0 replaced by a finished run, 2 kept"
[[ $(grep -c "finished, skipped" "$results"/logs/slurm-*_*.out | awk -F: '{s += $NF} END {print s}') == 4 ]] ||
  fail "the resubmitted tasks did not skip their 4 finished cells"
[[ $(sql grid.db "SELECT count(*) FROM runs") == 4 ]] || fail "grid.db: $(sql grid.db "SELECT id, status FROM runs")"

# Ctrl-C stops following, not the job, and says how to cancel it.
write_long_experiment long.yaml
# One CPU a task: the test node has this machine's cores, and Slurm 24.11 (Debian 13) refuses
# at once a job asking for more (the default is 4).
"$RUNNER" long.yaml --slurm --db long.db --results "$WORK/long shards" --cpus-per-task 1 --poll-seconds 1 \
  >ctrl_c.log 2>&1 &
follower=$!
following() { grep -q "following it" ctrl_c.log; }
wait_until 60 "runner --slurm to follow its job" following
kill -INT "$follower"
status=0
wait "$follower" || status=$?
cat ctrl_c.log
[[ $status == 130 ]] || fail "runner --slurm after Ctrl-C exited $status, not 130"
long_job=$(sed -n 's/^submitted job \([0-9]*\):.*/\1/p' ctrl_c.log)
expect_in ctrl_c.log "stopped following job $long_job; it goes on. Cancel it with \`scancel $long_job\`"
[[ -n $(squeue --noheader --jobs "$long_job") ]] || fail "Ctrl-C cancelled job $long_job"
scancel "$long_job"
wait_until 60 "job $long_job to end after scancel" job_gone "$long_job"

# --- Cancelled, stopped at the time limit, resubmitted. ---------------------------------
# One task, two cells: a short one, then one of 12 epochs (about 10 s) to stop mid-cell.
cat >slow.yaml <<YAML
name: slow-grid
dataset: {plugin: synthetic, classes: 4, size: 32, train: 1024, val: 64, test: 64}
arms: {baseline: {model: baseline_cnn}}
resolutions: [32]
seeds: [0]
grid: {train.max_epochs: [2, 12]}
train: {batch_size: 16, early_stopping: {patience: 0}, threads: 1}
YAML
slow_results="$WORK/slow \"shards\" \$1"
script="$WORK/job \$script's.sh"
expect_exit 0 emit.log -- "$RUNNER" slow.yaml --emit-slurm "$script" --tasks 1 --cpus-per-task 1 \
  --requeue --results "$slow_results"
expect_in emit.log "1 array tasks over 2 cells"
bash -n "$script" || fail "the generated script is not valid bash"
mkdir "node tmp"  # each task's local store lives in \$TMPDIR: here, where the test can watch it
shard="$slow_results/shard-0.db"
short_cell="max_epochs=2"  # the arm is baseline@max_epochs=2
long_cell="max_epochs=12"
cell_where() { echo "(SELECT id FROM runs WHERE arm = 'baseline@$1')"; }

submit() { TMPDIR="$WORK/node tmp" sbatch --parsable --output="$WORK/task-%A_%a.out" "$script"; }
# Waits until the long cell has $1 finished epochs in the task's local store.
long_cell_epochs_at_least() {
  local store count
  store=$(ls -t "$WORK/node tmp"/*/shard-0.db 2>/dev/null | head -n 1)
  [[ -n $store ]] || return 1
  count=$(sql "$store" "SELECT count(*) FROM epochs WHERE run_id = $(cell_where "$long_cell")
                        AND (SELECT status FROM runs WHERE id = run_id) = 'running'" 2>/dev/null) || return 1
  ((count >= $1))
}
check_stopped_shard() {  # what any stop must leave: no running run, intact, epochs kept
  [[ $(sql "$shard" "PRAGMA integrity_check") == ok ]] || fail "the shard is damaged"
  [[ $(sql "$shard" "SELECT count(*) FROM runs WHERE status = 'running'") == 0 ]] ||
    fail "a stopped task left running runs: $(sql "$shard" "SELECT id, arm, status FROM runs")"
  [[ $(sql "$shard" "SELECT status FROM runs WHERE id = $(cell_where "$short_cell")") == finished ]] ||
    fail "the short cell is not finished in the shard"
  [[ $(sql "$shard" "SELECT status FROM runs WHERE id = $(cell_where "$long_cell")") == killed ]] ||
    fail "the long cell is not killed in the shard: $(sql "$shard" "SELECT id, arm, status, error FROM runs")"
  local kept
  kept=$(sql "$shard" "SELECT count(*) FROM epochs WHERE run_id = $(cell_where "$long_cell")")
  ((kept >= $1)) || fail "the shard kept $kept of the long cell's epochs; at least $1 were finished"
}

# 1. scancel while the long cell trains: Slurm sends TERM to the whole task.
job=$(submit)
wait_until 120 "two epochs of the long cell (job $job)" long_cell_epochs_at_least 2
scancel "${job}_0"
wait_until 60 "job $job to end after scancel" job_gone "$job"
cat "$WORK/task-${job}_0.out"
expect_in "$WORK/task-${job}_0.out" "killed"
expect_in "$WORK/task-${job}_0.out" "ablate: task 0 saved"
check_stopped_shard 2
short_finished_at=$(sql "$shard" "SELECT finished_at FROM runs WHERE id = $(cell_where "$short_cell")")

# 2. Resubmitted; requeued by Slurm mid-cell (what preemption with PreemptMode=REQUEUE
#    does; the script says --requeue); the requeued task resumes, and is then stopped as
#    at the time limit: TERM to the batch script alone (what #SBATCH --signal=B:TERM@60
#    does), which passes it on to the runner.
job=$(submit)
wait_until 120 "the resubmitted task to train the long cell again" long_cell_epochs_at_least 1
scontrol requeue "${job}_0"
# A requeued job waits about two minutes before it may start again; not in a test.
requeued() { [[ $(squeue --noheader --jobs "${job}_0" --format %T) == PENDING ]]; }
wait_until 60 "job $job to be requeued" requeued
scontrol update JobId="${job}_0" StartTime=now
continued() { (($(grep -c "ablate: task 0 continues" "$WORK/task-${job}_0.out") >= 2)); }
wait_until 120 "the requeued task to start again" continued
wait_until 120 "the requeued task to train the long cell again" long_cell_epochs_at_least 1
scancel --batch --signal=TERM "${job}_0"
wait_until 60 "job $job to end after TERM to its batch script" job_gone "$job"
cat "$WORK/task-${job}_0.out"
expect_in "$WORK/task-${job}_0.out" "DUE TO JOB REQUEUE"
expect_in "$WORK/task-${job}_0.out" "finished, skipped"
[[ $(grep -c "ablate: task 0 saved" "$WORK/task-${job}_0.out") == 2 ]] || fail "the task did not save its shard twice"
check_stopped_shard 1

# 3. Resubmitted once more: runs to the end; the short cell is still not trained again.
job=$(submit)
wait_until 120 "job $job to finish" job_gone "$job"
cat "$WORK/task-${job}_0.out"
expect_in "$WORK/task-${job}_0.out" "finished, skipped"
[[ $(cat "$WORK"/task-*_0.out | grep -c "train.$short_cell started") == 1 ]] || fail "the short cell was trained more than once"
[[ $(sql "$shard" "SELECT finished_at FROM runs WHERE id = $(cell_where "$short_cell")") == "$short_finished_at" ]] ||
  fail "the short cell's run was replaced"
expect_exit 0 merge.log -- "$REPORT" merge all.db "$shard"
expect_in merge.log "2 checkpoints copied"
[[ $(sql all.db "SELECT count(*) || ' ' || count(DISTINCT config_hash) || ' ' || sum(status = 'finished') FROM runs") == "2 2 2" ]] ||
  fail "merged store: $(sql all.db "SELECT id, arm, status FROM runs")"
[[ $(sql all.db "SELECT epochs FROM runs WHERE id = $(cell_where "$long_cell")") == 12 ]] ||
  fail "the long cell did not train its 12 epochs"
long_id=$(sql all.db "SELECT id FROM runs WHERE arm = 'baseline@$long_cell'")
expect_exit 0 evaluate_long.log -- "$RUNNER" --evaluate "$long_id" --db all.db
expect_in evaluate_long.log "every stored metric reproduced"
echo "slurm: all checks passed in ${SECONDS}s"
