# A cell's process killed from outside (SIGKILL: `kill -9`, the OOM killer, a cluster's
# preemption) is recorded as `killed`, not `failed`: the grid exits 130 and running it
# again retries the cell (issue 20, item 7). A cell that failed in an earlier run makes
# a rerun exit 1, saying how to retry it.
source "$(dirname "$0")/lib.bash" "$@"
write_long_experiment long.yaml
"$RUNNER" long.yaml --db runs.db --fresh-process > run.log 2>&1 &
runner=$!
wait_for_text run.log "epoch 1/50"
cell=$(pgrep -P "$runner" | head -1)
[ -n "$cell" ] || fail "the cell runs in a child process of the runner"
kill -KILL "$cell"
status=0; wait "$runner" || status=$?
[ "$status" = 130 ] || { cat run.log; fail "expected exit 130 (a cell was killed), got $status"; }
expect_in run.log "killed: stopped by a signal (signal 9"
expect_in run.log "run the same command again to resume"
[ "$(sql runs.db "SELECT status FROM runs")" = killed ] || fail "the run is killed, not failed"
[ "$(sql runs.db "SELECT count(*) FROM epochs")" -ge 1 ] || fail "finished epochs are kept"
expect_exit 0 dry.log -- "$RUNNER" long.yaml --db runs.db --dry-run
expect_in dry.log "0 done, 1 to run"

# A failed cell left behind: the rerun skips it and exits 1, saying how to retry.
cat > bad.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 64, val: 16, test: 16}
arms: {baseline: {model: baseline_cnn}}
resolutions: [16]
seeds: [0]
train: {batch_size: 16, max_epochs: 1, threads: 1}
YAML
expect_exit 0 first.log -- "$RUNNER" bad.yaml --db bad.db
sqlite3 bad.db "UPDATE runs SET status = 'failed', error = 'boom'"
expect_exit 1 rerun.log -- "$RUNNER" bad.yaml --db bad.db
expect_in rerun.log "1 cell(s) failed in an earlier run and were skipped; run again with --retry-failed"
expect_exit 0 retry.log -- "$RUNNER" bad.yaml --db bad.db --retry-failed
expect_in retry.log "1 finished now"
echo "ok"
