# Ctrl-C stops the current run, marks it killed, exits 130; running again resumes it.
source "$(dirname "$0")/lib.bash" "$@"
write_long_experiment long.yaml
"$RUNNER" long.yaml --db runs.db > run.log 2>&1 &
pid=$!
wait_for_text run.log "epoch 1/50"
kill -INT "$pid"
status=0; wait "$pid" || status=$?
[ "$status" = 130 ] || { cat run.log; fail "expected exit 130, got $status"; }
expect_in run.log "killed"
[ "$(sql runs.db "SELECT status FROM runs")" = killed ] || fail "the run is marked killed"
[ "$(sql runs.db "SELECT count(*) FROM epochs")" -ge 1 ] || fail "epochs trained before the signal are kept"
[ "$(sql runs.db "PRAGMA integrity_check")" = ok ] || fail "integrity_check"

# The killed cell is not done: the same grid would run it again.
expect_exit 0 dry.log -- "$RUNNER" long.yaml --db runs.db --dry-run
expect_in dry.log "killed"
expect_in dry.log "0 done, 1 to run"

# A grid with the killed cell and a new one: both run. (Shortened so the test stays quick.)
expect_exit 0 again.log -- "$RUNNER" long.yaml --db runs.db train.max_epochs=1 dataset.train=64
expect_in again.log "1 finished now"
echo "ok"
