#!/usr/bin/env bash
# runner --force keeps the finished run it replaces: archived, with its epochs, metrics and
# checkpoint (moved to the archive), while a new run of the cell trains and finishes. The
# listing shows the new one; --archived the old one; the config hash names the live one.
source "$(dirname "$0")/lib.bash" "$@"
cat >grid.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, channels: 3, size: 16, train: 128, val: 32, test: 32}
arms: {baseline: {model: baseline_cnn}}
resolutions: [16]
seeds: [0]
train: {batch_size: 32, max_epochs: 2, threads: 1}
YAML
expect_exit 0 first.log -- "$RUNNER" grid.yaml --db runs.db
old=$(sql runs.db "SELECT id FROM runs")
hash=$(sql runs.db "SELECT config_hash FROM runs")
live_checkpoint=$(sql runs.db "SELECT checkpoint FROM runs")
[ -f "runs.db.artifacts/$live_checkpoint" ] || fail "the first run has a checkpoint"
echo "first run's weights" >>"runs.db.artifacts/$live_checkpoint"  # to tell its file from the new run's
cp "runs.db.artifacts/$live_checkpoint" first.pt

expect_exit 0 dry.log -- "$RUNNER" grid.yaml --db runs.db --force --dry-run
expect_in dry.log "finished (--force archives it, runs it again)"
expect_exit 0 forced.log -- "$RUNNER" grid.yaml --db runs.db --force
expect_in forced.log "its finished run $old is kept, archived"

[ "$(sql runs.db "SELECT count(*) FROM runs")" = 2 ] || fail "two runs: the old one and the new one"
new=$(sql runs.db "SELECT id FROM runs WHERE archived_at IS NULL")
[ -n "$new" ] && [ "$new" != "$old" ] || fail "a new run id for the new run"
[ "$(sql runs.db "SELECT status, archived_at IS NOT NULL, checkpoint FROM runs WHERE id = $old")" = \
  "finished|1|archive/$old/best.pt" ] || fail "the old run is finished, archived, its checkpoint in the archive"
[ "$(sql runs.db "SELECT status, checkpoint FROM runs WHERE id = $new")" = "finished|$live_checkpoint" ] ||
  fail "the new run finished, its checkpoint where the runner keeps it"
for id in "$old" "$new"; do
  [ "$(sql runs.db "SELECT count(*) FROM epochs WHERE run_id = $id")" = 2 ] || fail "run $id keeps its 2 epochs"
  [ "$(sql runs.db "SELECT count(*) FROM metrics WHERE run_id = $id AND split = 'test' AND name = 'accuracy'")" = 1 ] ||
    fail "run $id keeps its test accuracy"
done
cmp first.pt "runs.db.artifacts/archive/$old/best.pt" || fail "the old checkpoint is kept, unchanged"
cmp -s first.pt "runs.db.artifacts/$live_checkpoint" && fail "the new run wrote its own checkpoint"

# report sees the new run; --archived the old one; the hash names the live one.
expect_exit 0 list.csv -- "$REPORT" --db runs.db --format csv
[ "$(tail -n +2 list.csv | cut -d, -f1)" = "$new" ] || { cat list.csv; fail "the listing shows the new run"; }
expect_exit 0 archived.csv -- "$REPORT" --db runs.db --archived --format csv
[ "$(tail -n +2 archived.csv | cut -d, -f1)" = "$old" ] || fail "--archived shows the old run"
expect_exit 0 show.log -- "$REPORT" --db runs.db show "${hash:0:8}"
expect_in show.log "run $new ("
# A third --force archives the second run too: archived runs of one configuration coexist.
expect_exit 0 third.log -- "$RUNNER" grid.yaml --db runs.db --force
[ "$(sql runs.db "SELECT count(*) FROM runs WHERE archived_at IS NOT NULL")" = 2 ] || fail "two archived runs"
[ "$(sql runs.db "SELECT count(*) FROM runs WHERE archived_at IS NULL")" = 1 ] || fail "one live run"
[ "$(sql runs.db "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
echo ok
