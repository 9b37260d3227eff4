# A runner killed with SIGKILL mid-cell leaves a run `running`; started again, it sees
# that run's process is gone, runs it, and finishes the grid with each cell finished once.
source "$(dirname "$0")/lib.bash" "$@"
cat > grid.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 24, train: 512, val: 32, test: 32}
arms: {baseline: {model: baseline_cnn, options: {filters: [16, 32], dropout: [0.1, 0.1], dense: 32}}}
resolutions: [24]
seeds: [0, 1, 2]
train: {batch_size: 16, max_epochs: 4, early_stopping: {patience: 0}, threads: 1}
YAML
"$RUNNER" grid.yaml --db resume.db > first.log 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -q "epoch 1/4" first.log && break; sleep 0.1; done
grep -q "epoch 1/4" first.log || { cat first.log; fail "training did not start"; }
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
sleep 0.5
[ "$(sql resume.db "SELECT count(*) FROM runs WHERE status = 'running'")" = 1 ] || fail "one run left running"
pgrep -f -- "--db resume.db --cell" >/dev/null && fail "the cell process must die with its runner"

expect_exit 0 dry.log -- "$RUNNER" grid.yaml --db resume.db --dry-run
expect_in dry.log "stale (its runner died)"
expect_exit 0 second.log -- "$RUNNER" grid.yaml --db resume.db
[ "$(sql resume.db "SELECT count(*) FROM runs")" = 3 ] || fail "three runs"
[ "$(sql resume.db "SELECT count(*) FROM runs WHERE status = 'finished'")" = 3 ] || fail "three finished runs"
[ "$(sql resume.db "SELECT count(DISTINCT config_hash) FROM runs")" = 3 ] || fail "no duplicates"
[ "$(sql resume.db "SELECT count(*) FROM epochs")" = 12 ] || fail "4 epochs per run, none left over from the killed attempt"
[ "$(sql resume.db "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
echo "ok"
