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

# Which Ablate recorded each run: the version both tools print, on every run (docs/store.md).
expect_exit 0 runner_version.log -- "$RUNNER" --version
expect_exit 0 report_version.log -- "$REPORT" --version
version=$(sed -nE 's/^runner ([^ ]+) \(LibTorch [^,]+, plugin ABI [0-9]+\)$/\1/p' runner_version.log)
[ -n "$version" ] || { cat runner_version.log >&2; fail "runner --version: 'runner V (LibTorch T, plugin ABI N)'"; }
project=$(sed -nE 's/^project\(Ablate VERSION ([0-9.]+).*/\1/p' "$SOURCE_DIR/CMakeLists.txt")
if [ "$(git -C "$SOURCE_DIR" rev-parse --show-toplevel 2>/dev/null)" = "$(realpath "$SOURCE_DIR")" ]; then
  [[ $version =~ ^"$project"\+g([0-9a-f]{7})(\.dirty)?$ ]] || fail "version '$version' is not $project+gCOMMIT[.dirty]"
  git -C "$SOURCE_DIR" rev-parse --quiet --verify "${BASH_REMATCH[1]}^{commit}" >/dev/null \
    || fail "version '$version' names no commit of $SOURCE_DIR"
else
  [ "$version" = "$project" ] || fail "outside git the version is '$project', not '$version'"
fi
expect_in report_version.log "report $version (store schema $(sql runs.db "PRAGMA user_version"))"
[ "$(sql runs.db "SELECT count(*) FROM runs WHERE coalesce(ablate_version, '') = ''")" = 0 ] \
  || fail "every run records ablate_version"
[ "$(sql runs.db "SELECT DISTINCT ablate_version FROM runs")" = "$version" ] \
  || fail "ablate_version is not '$version'"
expect_exit 0 where_version.log -- "$REPORT" --db runs.db --where "ablate_version = '$version'"
[ "$(grep -c finished where_version.log)" = 4 ] \
  || { cat where_version.log; fail "--where ablate_version finds the 4 runs"; }
expect_exit 0 show.log -- "$REPORT" --db runs.db show 1
[ "$(awk '$1 == "ablate_version" { print $2 }' show.log)" = "$version" ] \
  || { cat show.log; fail "report show prints ablate_version"; }

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
