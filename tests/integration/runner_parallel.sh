# Parallel cells (--jobs), two runners sharing one store through shards, and the sbatch
# script for a cluster.
source "$(dirname "$0")/lib.bash" "$@"
cat > grid.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 128, val: 32, test: 32}
arms:
  a: {model: baseline_cnn, options: {filters: [8, 16], dropout: [0.1, 0.1], dense: 16}}
  b: {model: baseline_cnn, options: {filters: [16], dropout: [0.1], dense: 16}}
resolutions: [16]
seeds: [0, 1, 2]
train: {batch_size: 32, max_epochs: 2}
YAML
# Two runners at once on one store, each with half of the grid.
"$RUNNER" grid.yaml --db shared.db --shard 0/2 > shard0.log 2>&1 &
first=$!
"$RUNNER" grid.yaml --db shared.db --shard 1/2 > shard1.log 2>&1 &
second=$!
wait "$first" || { cat shard0.log; fail "shard 0 failed"; }
wait "$second" || { cat shard1.log; fail "shard 1 failed"; }
expect_in shard0.log "3 cells: 3 finished now"
expect_in shard1.log "3 cells: 3 finished now"
[ "$(sql shared.db "SELECT count(*) FROM runs WHERE status = 'finished'")" = 6 ] || fail "all six runs"
[ "$(sql shared.db "SELECT count(*) FROM epochs")" = 12 ] || fail "no epoch lost"
[ "$(sql shared.db "PRAGMA integrity_check")" = ok ] || fail "integrity_check"

# --jobs 2 runs two cells at once, each with half of the threads.
expect_exit 0 jobs.log -- "$RUNNER" grid.yaml --db jobs.db --jobs 2
expect_in jobs.log "6 cells: 6 finished now"
[ "$(sql jobs.db "SELECT count(*) FROM runs WHERE status = 'finished'")" = 6 ] || fail "all six runs with --jobs"

expect_exit 2 bad.log -- "$RUNNER" grid.yaml --db x.db --shard 2/2
expect_in bad.log "--shard '2/2' must be I/N with 0 <= I < N"

# The sbatch script: valid bash, one array task per cell by default.
expect_exit 0 slurm.log -- "$RUNNER" grid.yaml --emit-slurm job.sbatch --partition gpu --time 01:00:00 --gpus-per-task 1
bash -n job.sbatch || fail "the sbatch script is not valid bash"
expect_in job.sbatch "#SBATCH --array=0-5"
expect_in job.sbatch "#SBATCH --partition=gpu"
expect_in job.sbatch "#SBATCH --gpus-per-task=1"
expect_in job.sbatch '--shard "$task/$count"'
expect_exit 0 slurm2.log -- "$RUNNER" grid.yaml --emit-slurm - --tasks 2
grep -q -- "--array=0-1" slurm2.log || { cat slurm2.log; fail "--tasks sets the array size"; }
echo "ok"
