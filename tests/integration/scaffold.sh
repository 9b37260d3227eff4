# tools/new-plugin: scaffolds a model, a dataset and a metric into a copy of the source
# tree, touching no other file; the copy configures and builds them with the documented
# commands, and the runner trains a one-cell grid with all three. Bad names are refused.
source "$(dirname "$0")/lib.bash" "$@"
NEW_PLUGIN="$SOURCE_DIR/tools/new-plugin"

# The source tree without .git and build folders (any folder holding a CMakeCache.txt).
mkdir src
for part in "$SOURCE_DIR"/*; do
  case $(basename "$part") in build*) continue ;; esac
  [ -f "$part/CMakeCache.txt" ] || cp -r "$part" src/
done
checksums() { (cd src && find . -type f -print0 | sort -z | xargs -0 md5sum); }
checksums >before.txt

expect_exit 0 help.log -- "$NEW_PLUGIN" --help
expect_in help.log "usage: tools/new-plugin"

# Refused, each with a sentence saying why, and nothing written.
expect_exit 2 err.log -- "$NEW_PLUGIN" --root src widget my_net
expect_in err.log "new-plugin: error: unknown kind 'widget'; expected model, dataset or metric"
expect_exit 2 err.log -- "$NEW_PLUGIN" --root src models my_net
expect_in err.log "(singular)"
for bad in MyNet my-net 1net my__net my_net_ _net; do
  expect_exit 2 err.log -- "$NEW_PLUGIN" --root src model "$bad"
  expect_in err.log "new-plugin: error: '$bad' is not a snake_case name"
done
expect_exit 2 err.log -- "$NEW_PLUGIN" --root src model runner
expect_in err.log "'runner' is reserved"
expect_exit 2 err.log -- "$NEW_PLUGIN" --root src model my_net extra
expect_in err.log "expected KIND and NAME"
expect_exit 2 err.log -- "$NEW_PLUGIN" --root src model baseline_cnn
expect_in err.log "plugins/models/baseline_cnn already exists"
expect_exit 2 err.log -- "$NEW_PLUGIN" --root src dataset baseline_cnn
expect_in err.log "plugin names are unique across kinds"
expect_exit 2 err.log -- "$NEW_PLUGIN" --root "$WORK" model my_net
expect_in err.log "is not an Ablate source tree"
checksums >after_errors.txt
diff before.txt after_errors.txt >/dev/null || fail "a refused scaffold must write nothing"

# One of each kind; the printed next steps are the ones a user runs.
(cd src && env -u ABLATE_BUILD_DIR "$NEW_PLUGIN" --root . model my_net) >model.log 2>&1 || { cat model.log >&2; fail "new-plugin model my_net"; }
expect_in model.log "created plugins/models/my_net/CMakeLists.txt"
expect_in model.log "created plugins/models/my_net/my_net.cpp"
expect_in model.log "cmake -S . -B build && cmake --build build --target my_net"
expect_in model.log "build/bin/runner --list-plugins"
expect_exit 0 dataset.log -- "$NEW_PLUGIN" --root src dataset my_data
expect_in dataset.log "created plugins/datasets/my_data/my_data.cpp"
expect_exit 0 metric.log -- "$NEW_PLUGIN" --root src metric my_score
expect_in metric.log "created plugins/metrics/my_score/my_score.cpp"
[ "$(cat src/plugins/models/my_net/CMakeLists.txt)" = "ablate_add_plugin(my_net KIND model SOURCES my_net.cpp)" ] \
  || fail "the CMakeLists.txt must be the one documented line"
expect_exit 2 err.log -- "$NEW_PLUGIN" --root src model my_net
expect_in err.log "plugins/models/my_net already exists"

# Only the six new files differ.
checksums >after.txt
diff before.txt after.txt | grep '^[<>]' >changes.txt || true
[ "$(grep -c '^>' changes.txt)" = 6 ] && [ "$(grep -c '^<' changes.txt)" = 0 ] \
  && [ "$(grep -vc '/plugins/\(models/my_net\|datasets/my_data\|metrics/my_score\)/' changes.txt)" = 0 ] \
  || { cat changes.txt >&2; fail "the scaffold must add six files and change none"; }

# Configure the copy and build the three targets (ccache keeps re-runs quick).
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
expect_exit 0 configure.log -- cmake -S src -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DABLATE_BUILD_TESTS=OFF "${launcher[@]}"
expect_exit 0 build.log -- cmake --build build --target my_net my_data my_score
for name in my_net my_data my_score; do
  [ -f "build/plugins/lib$name.so" ] || { cat build.log >&2; fail "build/plugins/lib$name.so not built"; }
done

expect_exit 0 list.log -- "$RUNNER" --list-plugins --plugins "$WORK/build/plugins"
expect_in list.log "model    my_net"
expect_in list.log "dataset  my_data"
expect_in list.log "metric   my_score"
if grep -q "warning" list.log; then cat list.log >&2; fail "the scaffolded plugins must load without warnings"; fi

cat >exp.yaml <<YAML
name: scaffold
dataset: {plugin: my_data, classes: 4, size: 8, train: 64, val: 16, test: 16}
arms: {mine: {model: my_net, options: {width: 4, dropout: 0.1}}}
resolutions: [8]
seeds: [0]
train: {batch_size: 32, max_epochs: 1, threads: 1}
metrics: [classification, my_score]
YAML
expect_exit 0 run.log -- "$RUNNER" exp.yaml --db runs.db --plugins "$WORK/build/plugins"
expect_in run.log "1 finished now"
[ "$(sql runs.db "SELECT count(*) FROM metrics WHERE split = 'test' AND name = 'my_score'")" = 1 ] \
  || fail "the scaffolded metric's number must be stored"

# Their options are checked like any plugin's.
sed 's/width: 4/widht: 4/' exp.yaml >typo.yaml
expect_exit 2 typo.log -- "$RUNNER" typo.yaml --db runs.db --plugins "$WORK/build/plugins"
expect_in typo.log "model plugin 'my_net': unknown option 'widht'"
sed 's/classes: 4/classes: 9/' exp.yaml >bad.yaml
expect_exit 2 bad.log -- "$RUNNER" bad.yaml --db runs.db --plugins "$WORK/build/plugins"
expect_in bad.log "dataset plugin 'my_data': option 'classes'"
echo "ok"
