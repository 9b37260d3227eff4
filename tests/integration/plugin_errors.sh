# Errors at the plugin boundary (docs/plugins.md, "Errors you can meet"): a plugin that
# throws from its factory, forward or load() is reported with its name and the runner
# does not crash; of two plugins with one name, the first folder searched wins and the
# other is reported.
source "$(dirname "$0")/lib.bash" "$@"
throwing_dir="$(dirname "$PLUGIN_DIR")/throwing-plugins"
[ -f "$throwing_dir/libthrowing_model.so" ] \
  || fail "$throwing_dir/libthrowing_model.so is missing: build the target ablate_test_plugins"

# one_cell FILE DATASET ARM: a one-cell grid; DATASET and ARM are YAML flow mappings.
one_cell() {
  cat >"$1" <<YAML
name: plugin-errors
dataset: $2
arms: {only: $3}
resolutions: [8]
seeds: [0]
train: {batch_size: 16, max_epochs: 1, threads: 1}
YAML
}
synthetic="{plugin: synthetic, classes: 2, channels: 1, size: 8, train: 32, val: 16, test: 16}"

expect_exit 0 list.log -- "$RUNNER" --list-plugins --plugins "$throwing_dir"
expect_in list.log "model    throwing_model"
expect_in list.log "dataset  throwing_dataset"

# A metric returning a name another metric returns: refused before anything runs, both named.
one_cell impostor.yaml "$synthetic" "{model: baseline_cnn}"
printf 'metrics: [classification, accuracy_impostor]\n' >> impostor.yaml
expect_exit 2 out.log -- "$RUNNER" impostor.yaml --db impostor.db --plugins "$throwing_dir"
expect_in out.log "runner: error: metric plugin 'accuracy_impostor' returns 'accuracy', which metric plugin 'classification' already records"
[ ! -e impostor.db ] || fail "a refused grid must not create its store"

# A factory that throws: bad input (exit 2), the plugin named, nothing trained.
one_cell dataset_factory.yaml "{plugin: throwing_dataset}" "{model: baseline_cnn}"
expect_exit 2 out.log -- "$RUNNER" dataset_factory.yaml --db runs.db --plugins "$throwing_dir"
expect_in out.log "runner: error: dataset plugin 'throwing_dataset' failed to create its object: boom from the factory"

one_cell model_factory.yaml "$synthetic" "{model: throwing_model, options: {fail_at: factory}}"
expect_exit 2 out.log -- "$RUNNER" model_factory.yaml --db runs.db --plugins "$throwing_dir"
expect_in out.log "runner: error: model plugin 'throwing_model' failed to build its network"
expect_in out.log "boom from the factory"
[ ! -e runs.db ] || fail "a factory error must stop the grid before the store is written"

# Something that is not a std::exception (an int) is reported, not a crash of the host.
one_cell nonstd_factory.yaml "{plugin: throwing_dataset, non_std: true}" "{model: baseline_cnn}"
expect_exit 2 out.log -- "$RUNNER" nonstd_factory.yaml --db nonstd.db --plugins "$throwing_dir"
expect_in out.log "dataset plugin 'throwing_dataset' failed to create its object: it threw something that is not a std::exception"
one_cell nonstd_forward.yaml "$synthetic" "{model: throwing_model, options: {non_std: true}}"
expect_exit 1 out.log -- "$RUNNER" nonstd_forward.yaml --db nonstd_forward.db --plugins "$throwing_dir"
[ "$(sql nonstd_forward.db "SELECT status FROM runs")" = failed ] || fail "a non-standard throw fails the run"
sql nonstd_forward.db "SELECT error FROM runs" >error.txt
expect_in error.txt "model plugin 'throwing_model' failed in forward"

# LibTorch's own error (TORCH_CHECK) in forward: the run's error is its message, without
# the 15-26 line C++ stack trace c10::Error carries (issue 20, item 11).
one_cell torch_check.yaml "$synthetic" "{model: throwing_model, options: {torch_check: true}}"
expect_exit 1 out.log -- "$RUNNER" torch_check.yaml --db torch_check.db --plugins "$throwing_dir"
sql torch_check.db "SELECT error FROM runs" >error.txt
expect_in error.txt "model plugin 'throwing_model' failed in forward"
expect_in error.txt "boom from TORCH_CHECK"
! grep -q "frame #\|Exception raised from" error.txt || { cat error.txt; fail "the stack trace is stored"; }
[ "$(wc -l < error.txt)" -le 2 ] || { cat error.txt; fail "the error is one line or two"; }

# forward throws: that run is failed with the exception's text, the grid ends with 1.
one_cell forward.yaml "$synthetic" "{model: throwing_model}"
expect_exit 1 out.log -- "$RUNNER" forward.yaml --db forward.db --plugins "$throwing_dir"
expect_in out.log "boom from forward"
expect_in out.log "1 failed"
[ "$(sql forward.db "SELECT status FROM runs WHERE model = 'throwing_model'")" = failed ] \
  || fail "the throwing model's run must be recorded as failed"
sql forward.db "SELECT error FROM runs WHERE model = 'throwing_model'" >error.txt
expect_in error.txt "boom from forward"
expect_in error.txt "model plugin 'throwing_model' failed in forward"

# load() throws: the same.
one_cell load.yaml "{plugin: throwing_dataset, fail_at: load}" "{model: baseline_cnn}"
expect_exit 1 out.log -- "$RUNNER" load.yaml --db load.db --plugins "$throwing_dir"
expect_in out.log "boom from load"
[ "$(sql load.db "SELECT status FROM runs")" = failed ] || fail "the run must be recorded as failed"

# Two plugins named `synthetic`: --plugins is searched before the build's folder, so its
# copy wins and the build's is reported, with both files named; the same through
# ABLATE_PLUGIN_PATH. A grid still runs, with the winner.
mkdir dup
cp "$PLUGIN_DIR/libsynthetic.so" dup/
expect_exit 0 dup.log -- "$RUNNER" --list-plugins --plugins "$WORK/dup"
expect_in dup.log "$WORK/dup/libsynthetic.so"
expect_in dup.log "runner: warning: dataset plugin 'synthetic' in $PLUGIN_DIR/libsynthetic.so is ignored: a plugin of that name was already loaded from $WORK/dup/libsynthetic.so (earlier folders in the search path win)"
ABLATE_PLUGIN_PATH="$WORK/dup" expect_exit 0 dup_env.log -- "$RUNNER" --list-plugins
expect_in dup_env.log "dataset plugin 'synthetic' in $PLUGIN_DIR/libsynthetic.so is ignored"
one_cell dup.yaml "$synthetic" "{model: baseline_cnn, options: {filters: [4], dropout: [0.0], dense: 8}}"
expect_exit 0 out.log -- "$RUNNER" dup.yaml --db dup.db --plugins "$WORK/dup"
expect_in out.log "dataset plugin 'synthetic' in $PLUGIN_DIR/libsynthetic.so is ignored"
expect_in out.log "1 finished now"
echo "ok"
