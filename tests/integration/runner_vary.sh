# train.vary end to end: the default is the cell it always was; with nothing varied two
# seeds are two runs with bit-identical results; varying one source changes the results;
# `split` draws each seed's own validation set (the test set stays) and --evaluate
# rebuilds it; an unknown source is refused before anything runs.
source "$(dirname "$0")/lib.bash" "$@"
cat > grid.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 128, val: 32, test: 32}
arms: {a: {model: baseline_cnn, options: {filters: [8, 16], dropout: [0.2, 0.2], dense: 16}}}
resolutions: [16]
seeds: [0, 1]
train: {batch_size: 16, max_epochs: 2, threads: 1, normalize: dataset, augment: {horizontal_flip: true, rotate90: true}}
YAML
curves_of() { # DB SEED: the run's curves, every digit
  sql "$1" "SELECT printf('%.17g %.17g %.17g %.17g', train_loss, train_accuracy, val_loss, val_accuracy) FROM epochs
            WHERE run_id = (SELECT id FROM runs WHERE seed = $2) ORDER BY epoch"
}
results_of() { # DB SEED: metrics and every score
  sql "$1" "SELECT split || ' ' || name || ' ' || printf('%.17g', value) FROM metrics
            WHERE run_id = (SELECT id FROM runs WHERE seed = $2) ORDER BY split, name"
  sql "$1" "SELECT split, hex(labels), hex(scores) FROM predictions
            WHERE run_id = (SELECT id FROM runs WHERE seed = $2) ORDER BY split"
}
labels_of() { # DB SEED SPLIT: the labels of a split's images, in the stored order
  sql "$1" "SELECT hex(labels) FROM predictions WHERE split = '$3' AND run_id = (SELECT id FROM runs WHERE seed = $2)"
}

# The default, written out in any order, is the same cell: nothing runs again, and the
# identity has no `vary` (stores from before the setting keep their hashes).
expect_exit 0 default.log -- "$RUNNER" grid.yaml --db default.db
expect_exit 0 explicit.log -- "$RUNNER" grid.yaml --db default.db "train.vary=[dropout, augment, order, init]"
expect_in explicit.log "0 finished now, 2 skipped"
[ "$(sql default.db "SELECT count(*) FROM runs WHERE config_json LIKE '%\"vary\"%'")" = 0 ] \
  || fail "the default train.vary entered the identity"
[ "$(curves_of default.db 0)" != "$(curves_of default.db 1)" ] || fail "by default another seed must change the curves"

# Nothing varied: two seeds, two runs (two hashes), the same numbers to the last bit.
expect_exit 0 held.log -- "$RUNNER" grid.yaml --db held.db "train.vary=[]"
[ "$(sql held.db "SELECT count(DISTINCT config_hash) FROM runs WHERE status = 'finished'")" = 2 ] \
  || fail "two seeds with nothing varied must still be two runs"
[ "$(sql held.db "SELECT count(*) FROM runs WHERE config_json LIKE '%\"vary\":[]%'")" = 2 ] \
  || fail "train.vary=[] is not in the identity"
[ -n "$(curves_of held.db 0)" ] || fail "no curves stored"
[ "$(curves_of held.db 0)" = "$(curves_of held.db 1)" ] || fail "with nothing varied the seeds' curves differ"
[ "$(results_of held.db 0)" = "$(results_of held.db 1)" ] || fail "with nothing varied the seeds' results differ"

# One source varied is enough to make the seeds differ.
for source in init order augment dropout; do
  expect_exit 0 "$source.log" -- "$RUNNER" grid.yaml --db "$source.db" "train.vary=[$source]"
  [ "$(curves_of "$source.db" 0)" != "$(curves_of "$source.db" 1)" ] \
    || fail "varying only $source left the seeds' curves identical"
done

# split: each seed validates on its own subset of train + val, of val's size; the test set
# is the dataset's. --evaluate rebuilds the seed's split and reproduces every metric.
expect_exit 0 split.log -- "$RUNNER" grid.yaml --db split.db "train.vary=[split]"
[ "$(labels_of split.db 0 val)" != "$(labels_of split.db 1 val)" ] || fail "split did not redraw the validation set"
[ "$(labels_of split.db 0 test)" = "$(labels_of split.db 1 test)" ] || fail "split changed the test set"
[ "$(labels_of split.db 0 test)" = "$(labels_of default.db 0 test)" ] || fail "split changed the test set"
[ "$(sql split.db "SELECT count FROM predictions WHERE split = 'val' GROUP BY count")" = 32 ] \
  || fail "the redrawn validation sets are not val's size"
[ "$(curves_of split.db 0)" != "$(curves_of split.db 1)" ] || fail "varying only split left the curves identical"
expect_exit 0 evaluate.log -- "$RUNNER" --evaluate "$(sql split.db "SELECT id FROM runs WHERE seed = 1")" --db split.db
expect_in evaluate.log "every stored metric reproduced, bit-identical"

# An unknown source: refused with the file, line, value and the name meant; nothing stored.
sed 's/threads: 1,/threads: 1, vary: [init, ordr],/' grid.yaml > bad.yaml
expect_exit 2 bad.log -- "$RUNNER" bad.yaml --db bad.db
expect_in bad.log "bad.yaml:5:65: train.vary is 'ordr' (did you mean 'order'?); valid values: init, order"
[ ! -e bad.db ] || [ "$(sql bad.db "SELECT count(*) FROM runs")" = 0 ] || fail "a refused grid stored runs"
echo "ok"
