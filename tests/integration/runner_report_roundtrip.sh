# The real runner trains a synthetic grid into a temp store, the real report reads it,
# and running the grid again trains nothing.
source "$(dirname "$0")/lib.bash" "$@"
write_synthetic_experiment exp.yaml

expect_exit 0 dry.log -- "$RUNNER" exp.yaml --db runs.db --dry-run
expect_in dry.log "4 cells"
expect_in dry.log "0 done, 4 to run"

expect_exit 0 run1.log -- "$RUNNER" exp.yaml --db runs.db
expect_in run1.log "4 finished now, 0 skipped"
[ "$(sql runs.db "SELECT count(*) FROM runs WHERE status = 'finished'")" = 4 ] || fail "4 finished runs expected"
[ "$(sql runs.db "SELECT count(DISTINCT config_hash) FROM runs")" = 4 ] || fail "4 distinct config hashes expected"
[ "$(sql runs.db "SELECT count(*) FROM epochs")" = 8 ] || fail "2 epochs per run expected"
[ "$(sql runs.db "SELECT count(*) FROM metrics WHERE split = 'test' AND name = 'accuracy'")" = 4 ] \
  || fail "a test accuracy per run expected"
[ "$(sql runs.db "SELECT count(*) FROM matrices WHERE name = 'confusion_matrix'")" = 8 ] \
  || fail "a confusion matrix per run and split expected"
[ "$(sql runs.db "SELECT params_trainable FROM runs WHERE arm = 'narrow' LIMIT 1")" -gt 0 ] || fail "params recorded"
[ -n "$(sql runs.db "SELECT torch_version FROM runs LIMIT 1")" ] || fail "provenance recorded"
# train.device defaults to auto, which falls back to the CPU without a CUDA device.
[ "$(sql runs.db "SELECT DISTINCT device FROM runs")" = cpu ] || fail "device: auto runs on the CPU here"
[ "$(sql runs.db "PRAGMA integrity_check")" = ok ] || fail "integrity_check"

expect_exit 0 report.log -- "$REPORT" --db runs.db
expect_in report.log "baseline"
expect_in report.log "narrow"
[ "$(grep -c finished report.log)" = 4 ] || { cat report.log; fail "report lists 4 finished runs"; }

expect_exit 0 compare.log -- "$REPORT" --db runs.db --compare baseline narrow
expect_in compare.log "narrow − baseline"

# A second run of the same grid trains nothing, and the dry run says all are done.
expect_exit 0 run2.log -- "$RUNNER" exp.yaml --db runs.db
expect_in run2.log "0 finished now, 4 skipped"
[ "$(sql runs.db "SELECT count(*) FROM runs")" = 4 ] || fail "no new runs on the second pass"
expect_exit 0 dry2.log -- "$RUNNER" exp.yaml --db runs.db --dry-run
expect_in dry2.log "4 done, 0 to run"

# An override is a different configuration: two new cells, the others skipped.
expect_exit 0 run3.log -- "$RUNNER" exp.yaml --db runs.db "seeds=[1, 2]"
expect_in run3.log "2 finished now, 2 skipped"
echo "ok"
