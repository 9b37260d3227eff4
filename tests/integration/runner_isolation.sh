# Each cell runs in its own process (a fork of the runner, or a fresh one): a plugin that
# segfaults or aborts fails only its own cell, with the signal and the tail of its output
# in the store; the grid goes on.
source "$(dirname "$0")/lib.bash" "$@"
crashing_dir="$(dirname "$PLUGIN_DIR")/crashing-plugins"
cat > crash.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 64, val: 16, test: 16}
arms:
  segfault: {model: crashing_model, options: {how: segfault}}
  abort:    {model: crashing_model, options: {how: abort}}
  healthy:  {model: baseline_cnn, options: {filters: [8], dropout: [0.1], dense: 16}}
resolutions: [16]
seeds: [0]
train: {batch_size: 32, max_epochs: 1, threads: 1}
YAML
expect_exit 1 out.log -- "$RUNNER" crash.yaml --db runs.db --plugins "$crashing_dir"
expect_in out.log "1 finished now, 0 skipped (done, failed before or running elsewhere), 2 failed"
[ "$(sql runs.db "SELECT status FROM runs WHERE arm = 'healthy'")" = finished ] || fail "the healthy cell finished"
error=$(sql runs.db "SELECT error FROM runs WHERE arm = 'segfault'")
case "$error" in *"signal 11"*) ;; *) fail "the segfault is recorded with its signal: $error" ;; esac
error=$(sql runs.db "SELECT error FROM runs WHERE arm = 'abort'")
case "$error" in *"signal 6"*) ;; *) fail "the abort is recorded with its signal: $error" ;; esac
[ -n "$(sql runs.db "SELECT output_tail FROM runs WHERE arm = 'segfault'")" ] || fail "the output tail is stored"
[ "$(sql runs.db "PRAGMA integrity_check")" = ok ] || fail "integrity_check"

# Failed cells are skipped on the next run unless --retry-failed, and the rerun exits 1.
expect_exit 1 again.log -- "$RUNNER" crash.yaml --db runs.db --plugins "$crashing_dir"
expect_in again.log "0 finished now, 3 skipped"
expect_exit 1 retry.log -- "$RUNNER" crash.yaml --db runs.db --plugins "$crashing_dir" --retry-failed
expect_in retry.log "0 finished now, 1 skipped (done, failed before or running elsewhere), 2 failed"
# The same with fresh cell processes instead of forks of the runner.
expect_exit 1 fresh.log -- "$RUNNER" crash.yaml --db runs.db --plugins "$crashing_dir" --retry-failed --fresh-process
expect_in fresh.log "2 failed"
case "$(sql runs.db "SELECT error FROM runs WHERE arm = 'segfault'")" in *"signal 11"*) ;; *) fail "fresh: signal 11" ;; esac
# --force runs finished cells again too: the failed ones in place, the finished one as a
# new run beside the archived old one. Still one live row per cell.
expect_exit 1 force.log -- "$RUNNER" crash.yaml --db runs.db --plugins "$crashing_dir" --force
expect_in force.log "1 finished now"
[ "$(sql runs.db "SELECT count(*) FROM runs WHERE archived_at IS NULL")" = 3 ] || fail "one live row per cell"
[ "$(sql runs.db "SELECT arm FROM runs WHERE archived_at IS NOT NULL")" = healthy ] || fail "the finished run replaced is archived"
echo "ok"
