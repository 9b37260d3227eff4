#!/usr/bin/env bash
# Progress in a log (stderr not a terminal): a status line every ABLATE_PROGRESS_EVERY
# seconds whose ETA moves within a cell (from the cell's batches done; before any cell
# finished, from the cell's own batch rate), none with 0, and a bad value refused.
source "$(dirname "$0")/lib.bash"

# Two cells of a few seconds each: several progress lines per cell.
cat >grid.yaml <<YAML
name: progress
dataset: {plugin: synthetic, classes: 4, size: 32, train: 1536, val: 64, test: 64}
arms: {baseline: {model: baseline_cnn}}
resolutions: [32]
seeds: [0, 1]
train: {batch_size: 16, max_epochs: 2, early_stopping: {patience: 0}, threads: 1}
YAML

ABLATE_PROGRESS_EVERY=0.3 expect_exit 0 run.log -- "$RUNNER" grid.yaml --db runs.db

# distinct_etas PREFIX: how many different ETAs the lines starting with PREFIX show.
distinct_etas() {
  grep -F -- "$1" run.log | grep -o 'ETA [0-9hms]*' | sort -u | wc -l
}
expect_in run.log "[0/2 done]  baseline r32 s0: epoch"
# The first cell has an ETA before any cell finished, and it moves.
first=$(distinct_etas "[0/2 done]  baseline r32 s0: epoch")
[[ $first -ge 2 ]] || { cat run.log >&2; fail "the first cell's ETA did not move ($first distinct value)"; }
# So does the second cell's, which the old ETA froze at the mean cell time.
second=$(distinct_etas "[1/2 done]  baseline r32 s1: epoch")
[[ $second -ge 2 ]] || { cat run.log >&2; fail "the second cell's ETA did not move ($second distinct value)"; }
# Losses print with %g: no fixed-point 4 decimals (the epoch line's accuracies keep them).
grep -E 'train loss [0-9.e+-]+ acc [0-9]\.[0-9]{4}  val loss [0-9.e+-]+ acc' run.log >/dev/null ||
  { cat run.log >&2; fail "no epoch line with losses"; }

# 0: no progress lines at all; the default (30 s) prints none in a grid this short.
ABLATE_PROGRESS_EVERY=0 expect_exit 0 quiet.log -- "$RUNNER" grid.yaml --db quiet.db "seeds=[2]" train.max_epochs=1
expect_in quiet.log "finished: test accuracy"
if grep -qF "done]" quiet.log; then cat quiet.log >&2; fail "ABLATE_PROGRESS_EVERY=0 printed progress lines"; fi

ABLATE_PROGRESS_EVERY=soon expect_exit 2 bad.log -- "$RUNNER" grid.yaml --db bad.db
expect_in bad.log "ABLATE_PROGRESS_EVERY='soon': expected seconds between progress lines"
echo "runner_progress: ok"
