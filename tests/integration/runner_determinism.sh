# The same configuration and seed give bit-identical curves and metrics in two separate
# runs, one with cells forked from the runner and one with fresh cell processes; another
# seed does not; --evaluate reproduces the stored metrics from the
# checkpoint, bit for bit, with the thread count the run was trained with.
source "$(dirname "$0")/lib.bash" "$@"
cat > grid.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 128, val: 32, test: 32}
arms: {a: {model: baseline_cnn, options: {filters: [8, 16], dropout: [0.2, 0.2], dense: 16}}}
resolutions: [16]
seeds: [0]
train: {batch_size: 16, max_epochs: 3, threads: 1, augment: {horizontal_flip: true, rotate90: true, crop_min_area: 0.8}}
YAML
expect_exit 0 one.log -- "$RUNNER" grid.yaml --db one.db
expect_exit 0 two.log -- "$RUNNER" grid.yaml --db two.db --fresh-process
expect_exit 0 three.log -- "$RUNNER" grid.yaml --db three.db "seeds=[1]"
curves="SELECT printf('%.17g %.17g %.17g %.17g', train_loss, train_accuracy, val_loss, val_accuracy) FROM epochs ORDER BY epoch"
metrics="SELECT split || ' ' || name || ' ' || printf('%.17g', value) FROM metrics ORDER BY split, name"
[ "$(sql one.db "$curves")" = "$(sql two.db "$curves")" ] || fail "curves differ between two processes"
[ "$(sql one.db "$metrics")" = "$(sql two.db "$metrics")" ] || fail "metrics differ between two processes"
[ "$(sql one.db "SELECT hex(scores) FROM predictions")" = "$(sql two.db "SELECT hex(scores) FROM predictions")" ] \
  || fail "predictions differ between two processes"
[ "$(sql one.db "$curves")" != "$(sql three.db "$curves")" ] || fail "another seed must change the curves"

# train.images: disk reads every batch from a scratch file: the same cell (same hash), the
# same numbers, and no file left behind.
expect_exit 0 disk.log -- "$RUNNER" grid.yaml --db disk.db train.images=disk
[ "$(sql one.db "SELECT config_hash FROM runs")" = "$(sql disk.db "SELECT config_hash FROM runs")" ] \
  || fail "train.images changes the config hash"
[ "$(sql one.db "$curves")" = "$(sql disk.db "$curves")" ] || fail "curves differ with train.images: disk"
[ "$(sql one.db "$metrics")" = "$(sql disk.db "$metrics")" ] || fail "metrics differ with train.images: disk"
[ "$(sql one.db "SELECT hex(scores) FROM predictions")" = "$(sql disk.db "SELECT hex(scores) FROM predictions")" ] \
  || fail "predictions differ with train.images: disk"
[ "$(find disk.db.artifacts -type f ! -name best.pt | wc -l)" = 0 ] || fail "a scratch file was left behind"

# train.fast_paths: false (LibTorch's own optimizer and operations) is another
# configuration, a run of its own next to the first; it is as reproducible across
# processes, and its checkpoint re-evaluates to its stored metrics (run 2 below).
expect_exit 0 plain.log -- "$RUNNER" grid.yaml --db one.db train.fast_paths=false
[ "$(sql one.db "SELECT count(DISTINCT config_hash) FROM runs WHERE status = 'finished'")" = 2 ] \
  || fail "train.fast_paths=false must be a run of its own"
expect_exit 0 plain2.log -- "$RUNNER" grid.yaml --db plain2.db train.fast_paths=false --fresh-process
[ "$(sql one.db "SELECT config_hash FROM runs WHERE id = 2")" = "$(sql plain2.db "SELECT config_hash FROM runs")" ] \
  || fail "train.fast_paths=false gave another hash in another process"
plain_curves="SELECT printf('%.17g %.17g', train_loss, val_loss) FROM epochs WHERE run_id = 2 ORDER BY epoch"
[ "$(sql one.db "$plain_curves")" = "$(sql plain2.db "${plain_curves/run_id = 2/run_id = 1}")" ] \
  || fail "curves with train.fast_paths=false differ between two processes"
expect_exit 0 evaluate_plain.log -- "$RUNNER" --evaluate 2 --db one.db
expect_in evaluate_plain.log "every stored metric reproduced"

# The stored checkpoint reproduces the stored metrics, to the last bit.
expect_exit 0 evaluate.log -- "$RUNNER" --evaluate 1 --db one.db
expect_in evaluate.log "1 thread(s) on cpu, as the run was trained"
expect_in evaluate.log "every stored metric reproduced, bit-identical"

# The thread count is not part of the identity but is stored with the run: at a fixed count
# (one more than the cores, so never --evaluate's own default) two runs are bit-identical,
# and --evaluate uses the stored count.
threads=$(( $(nproc) + 1 ))
sed 's/threads: 1, //' grid.yaml > threads.yaml
expect_exit 0 threads1.log -- "$RUNNER" threads.yaml --db threads1.db --threads "$threads" --oversubscribe
expect_exit 0 threads2.log -- "$RUNNER" threads.yaml --db threads2.db --threads "$threads" --oversubscribe --fresh-process
[ "$(sql threads1.db "SELECT threads FROM runs")" = "$threads" ] || fail "the run's thread count was not stored"
[ "$(sql threads1.db "SELECT config_hash FROM runs")" = "$(sql one.db "SELECT config_hash FROM runs WHERE id = 1")" ] \
  || fail "the thread count changed the config hash"
[ "$(sql threads1.db "$curves")" = "$(sql threads2.db "$curves")" ] || fail "curves differ at one thread count"
[ "$(sql threads1.db "$metrics")" = "$(sql threads2.db "$metrics")" ] || fail "metrics differ at one thread count"
expect_exit 0 evaluate_threads.log -- "$RUNNER" --evaluate 1 --db threads1.db
expect_in evaluate_threads.log "$threads thread(s) on cpu, as the run was trained"
expect_in evaluate_threads.log "every stored metric reproduced, bit-identical"
hash=$(sql one.db "SELECT substr(config_hash, 1, 8) FROM runs WHERE id = 1")
expect_exit 0 evaluate2.log -- "$RUNNER" --evaluate "$hash" --db one.db
expect_exit 2 missing.log -- "$RUNNER" --evaluate 99 --db one.db
expect_in missing.log "no run '99'"
echo "ok"
