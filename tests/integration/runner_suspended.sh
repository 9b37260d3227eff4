# A runner suspended past the stale limit (Ctrl-Z, SIGSTOP, a paused VM) loses its cell to
# a second runner, which finishes it. When the first wakes up, its writes are fenced by its
# claim: the finished run keeps the second runner's result (issue 20, item 4: it used to
# flip to `failed`).
source "$(dirname "$0")/lib.bash" "$@"
cat > slow.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 1024, val: 64, test: 64}
arms: {baseline: {model: baseline_cnn}}
resolutions: [16]
seeds: [0]
train: {batch_size: 16, max_epochs: 6, early_stopping: {patience: 0}, threads: 1}
YAML
# Its own session: SIGSTOP reaches the runner and its cell process together, as Ctrl-Z would.
setsid "$RUNNER" slow.yaml --db runs.db --stale-after 2 > first.log 2>&1 &
first=$!
trap 'kill -KILL -- -"$first" 2>/dev/null || true; rm -rf "$WORK"' EXIT
wait_for_text first.log "epoch 1/6"
kill -STOP -- -"$first"
sleep 4  # past the stale limit of 2 s

expect_exit 0 second.log -- "$RUNNER" slow.yaml --db runs.db --stale-after 2
expect_in second.log "1 finished now"
[ "$(sql runs.db "SELECT status || ' ' || attempt FROM runs")" = "finished 2" ] || fail "the second runner finished it"
accuracy=$(sql runs.db "SELECT value FROM metrics WHERE split = 'test' AND name = 'accuracy'")

kill -CONT -- -"$first"
status=0; wait "$first" || status=$?
cat first.log
[ "$status" = 0 ] || fail "the first runner's cell was taken over, not failed: exit $status"
expect_in first.log "taken over by another runner"
expect_in first.log "0 finished now, 1 skipped"
[ "$(sql runs.db "SELECT status || ' ' || attempt FROM runs")" = "finished 2" ] || fail "still finished by the second"
[ "$(sql runs.db "SELECT value FROM metrics WHERE split = 'test' AND name = 'accuracy'")" = "$accuracy" ] ||
  fail "the second runner's test accuracy is kept"
[ "$(sql runs.db "SELECT count(*) || ' ' || max(epoch) FROM epochs")" = "6 6" ] || fail "only the second runner's epochs"
[ "$(sql runs.db "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
echo "ok"
