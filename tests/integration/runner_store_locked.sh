# Another program holds the store's write lock for longer than the busy timeout (60 s)
# while a cell trains (issue 20, item 7): the heartbeat that cannot be written is retried,
# with a warning, instead of ending the whole grid ("cannot refresh the heartbeat", exit 2,
# as it did). Epochs of 16,384 images and a heartbeat every 2 s (--stale-after 8) make the
# runner's heartbeat, not the cell's next epoch, the first write to wait out the timeout.
# Takes ~80 s, mostly waiting.
source "$(dirname "$0")/lib.bash" "$@"
cat > slow.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 32, train: 16384, val: 64, test: 64}
arms: {baseline: {model: baseline_cnn}}
resolutions: [32]
seeds: [0]
train: {batch_size: 64, max_epochs: 50, early_stopping: {patience: 0}, threads: 1}
YAML
"$RUNNER" slow.yaml --db runs.db --wait-policy spin --stale-after 8 > run.log 2>&1 &
runner=$!
trap 'kill -KILL "$runner" 2>/dev/null || true; rm -rf "$WORK"' EXIT
wait_for_text run.log "epoch 1/50" 120
# BEGIN EXCLUSIVE takes the write lock and keeps it for 65 s.
( echo "BEGIN EXCLUSIVE;"; sleep 65; echo "COMMIT;" ) | sqlite3 runs.db
# The grid goes on: the cell records its next epoch once the lock is free.
kill -0 "$runner" 2>/dev/null || { cat run.log; fail "the runner ended while the store was locked"; }
wait_for_text run.log "epoch 2/50"
kill -INT "$runner"
status=0; wait "$runner" || status=$?
cat run.log
[ "$status" = 130 ] || fail "expected exit 130 after Ctrl-C, got $status"
expect_in run.log "runner: warning: store runs.db: cannot refresh the heartbeat"
expect_in run.log "trying again"
[ "$(sql runs.db "SELECT status FROM runs")" = killed ] || fail "the run is killed by Ctrl-C, not failed by the lock"
[ "$(sql runs.db "SELECT count(*) FROM epochs")" -ge 2 ] || fail "the epoch after the lock is recorded"
[ "$(sql runs.db "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
echo "ok"
