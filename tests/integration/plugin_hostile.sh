# Plugin files that would take the host down (issue 20, item 5): a truncated copy (as after
# an interrupted copy), a static constructor that segfaults, aborts or calls exit(0), an
# entry point that throws or segfaults. Each is loaded first in a child process: the
# runner names the file and how it failed, and goes on with the other plugins. A factory
# that crashes while a grid is planned is named too, and the grid is bad input (exit 2).
source "$(dirname "$0")/lib.bash" "$@"
hostile_dir="$(dirname "$PLUGIN_DIR")/hostile-plugins"
[ -f "$hostile_dir/libhostile_crash_on_load.so" ] || fail "$hostile_dir is missing: build the target ablate_test_plugins"
export ABLATE_PLUGIN_PROBE_CACHE="$WORK/probes.tsv"
mkdir plugins
cp "$hostile_dir"/*.so plugins/
head -c 20000 "$PLUGIN_DIR/libbaseline_cnn.so" > plugins/libtruncated.so

expect_exit 0 list.log -- "$RUNNER" --list-plugins --plugins plugins
expect_in list.log "model    baseline_cnn"
expect_in list.log "metric   hostile_factory_crashes"
expect_in list.log "plugins/libtruncated.so crashed while loading (signal 7, Bus error): a truncated or damaged file"
expect_in list.log "plugins/libhostile_crash_on_load.so crashed while loading (signal 11, Segmentation fault); skipped"
expect_in list.log "plugins/libhostile_abort_on_load.so crashed while loading (signal 6, Aborted); skipped"
expect_in list.log "plugins/libhostile_exit_on_load.so ended the process while loading (exit status 0): a plugin must not exit"
expect_in list.log "plugins/libhostile_entry_crashes.so crashed while loading (signal 11, Segmentation fault); skipped"
expect_in list.log "plugins/libhostile_entry_throws.so: its entry point 'ablate_plugin_descriptor' threw: boom from the entry point; skipped"

# The verdicts of files that loaded are cached by path, size and time; the others are not.
grep -q "/libbaseline_cnn.so	" probes.tsv || fail "a plugin that loaded is remembered"
grep -q "libhostile_factory_crashes.so	" probes.tsv || fail "the factory crash is not seen at loading"
! grep -q "libhostile_crash_on_load.so\|libtruncated.so" probes.tsv || fail "a file that crashed is not remembered"
# A changed file is probed again: the cut copy, completed, now loads (under another name,
# since names are unique).
cp "$PLUGIN_DIR/libbaseline_cnn.so" plugins/libtruncated.so
expect_exit 0 again.log -- "$RUNNER" --list-plugins --plugins plugins
! grep -q "libtruncated.so crashed" again.log || fail "the completed file is probed again"
expect_in again.log "model plugin 'baseline_cnn' in "
[ "$(grep -c "libtruncated.so	" probes.tsv)" = 1 ] || fail "one line per file in the cache"

# A grid goes on with the plugins that loaded.
cat > grid.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 64, val: 16, test: 16}
arms: {baseline: {model: baseline_cnn, options: {filters: [8], dropout: [0.1], dense: 16}}}
resolutions: [16]
seeds: [0]
train: {batch_size: 16, max_epochs: 1, threads: 1}
YAML
rm plugins/libtruncated.so
expect_exit 0 grid.log -- "$RUNNER" grid.yaml --db runs.db --plugins plugins
expect_in grid.log "1 finished now"

# A metric factory that segfaults while the grid is planned: named, exit 2, nothing stored.
printf 'metrics: [classification, hostile_factory_crashes]\n' >> grid.yaml
expect_exit 2 crash.log -- "$RUNNER" grid.yaml --db crash.db --plugins plugins
expect_in crash.log "runner: error: metric plugin 'hostile_factory_crashes' (plugins/libhostile_factory_crashes.so), creating its object: the plugin crashed the process (signal 11, Segmentation fault); nothing was run"
[ ! -e crash.db ] || fail "a grid refused at planning creates no store"
echo "ok"
