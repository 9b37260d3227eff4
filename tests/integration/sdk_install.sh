# `cmake --install` into a temp prefix, an out-of-tree model plugin built against the
# installed CMake package, and the installed runner training a one-cell grid with it.
source "$(dirname "$0")/lib.bash" "$@"
BUILD=$(dirname "$(dirname "$RUNNER")")
PREFIX=$WORK/prefix
[ -f "$BUILD/CMakeCache.txt" ] || fail "$BUILD is not a CMake build folder (from RUNNER=$RUNNER)"

expect_exit 0 install.log -- cmake --install "$BUILD" --prefix "$PREFIX"
for file in bin/runner bin/report lib/libablate_api.so lib/ablate/plugins/libbaseline_cnn.so \
            lib/ablate/plugins/libsynthetic.so include/ablate/plugin.hpp include/ablate/model.hpp \
            lib/cmake/Ablate/AblateConfig.cmake lib/cmake/Ablate/AblateConfigVersion.cmake \
            lib/cmake/Ablate/AblateTargets.cmake lib/cmake/Ablate/AblatePlugin.cmake \
            bin/ablate-new-plugin share/ablate/templates/model.cpp.in; do
  [ -f "$PREFIX/$file" ] || { cat install.log >&2; fail "$PREFIX/$file was not installed"; }
done
[ ! -e "$PREFIX/lib/ablate/plugins/libwrong_abi.so" ] || fail "test plugins must not be installed"

# The installed binaries find libablate_api.so through $ORIGIN, not through the build tree.
for exe in runner report; do
  readelf -d "$PREFIX/bin/$exe" >rpath.log
  expect_in rpath.log '$ORIGIN/../lib'
  if grep -qF "$BUILD" rpath.log; then cat rpath.log >&2; fail "bin/$exe still points into the build tree"; fi
done
expect_exit 0 report.log -- "$PREFIX/bin/report" --help

# The installed runner finds the installed plugins by default, and not the build's.
expect_exit 0 list.log -- "$PREFIX/bin/runner" --list-plugins
expect_in list.log "$PREFIX/lib/ablate/plugins/libbaseline_cnn.so"
if grep -qF "$PLUGIN_DIR" list.log; then cat list.log >&2; fail "the installed runner must not load the build's plugins"; fi

# An out-of-tree model plugin from the installed scaffold, against the installed package.
expect_exit 0 scaffold.log -- "$PREFIX/bin/ablate-new-plugin" --out-of-tree "$WORK/sdk_net" model sdk_net
expect_in scaffold.log "created $WORK/sdk_net/sdk_net.cpp"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
expect_exit 0 configure.log -- cmake -S "$WORK/sdk_net" -B "$WORK/sdk_net/build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "${launcher[@]}"
expect_in configure.log "Build files have been written"
expect_exit 0 build.log -- cmake --build "$WORK/sdk_net/build"
[ -f "$WORK/sdk_net/build/plugins/libsdk_net.so" ] || { cat build.log >&2; fail "libsdk_net.so not built"; }
# It compiled against the installed headers, not the source tree's.
expect_in "$WORK/sdk_net/build/compile_commands.json" "$PREFIX/include"
if grep -qF "$SOURCE_DIR/framework" "$WORK/sdk_net/build/compile_commands.json"; then
  fail "the out-of-tree plugin must not see the source tree's headers"
fi

expect_exit 0 list.log -- "$PREFIX/bin/runner" --list-plugins --plugins "$WORK/sdk_net/build/plugins"
expect_in list.log "model    sdk_net"
ABLATE_PLUGIN_PATH="$WORK/sdk_net/build/plugins" expect_exit 0 env.log -- "$PREFIX/bin/runner" --list-plugins
expect_in env.log "$WORK/sdk_net/build/plugins/libsdk_net.so"

cat >exp.yaml <<YAML
name: sdk
dataset: {plugin: synthetic, classes: 2, channels: 3, size: 8, train: 64, val: 16, test: 16}
arms: {mine: {model: sdk_net, options: {width: 4}}}
resolutions: [8]
seeds: [0]
train: {batch_size: 32, max_epochs: 1, threads: 1}
YAML
expect_exit 0 run.log -- "$PREFIX/bin/runner" exp.yaml --db runs.db --plugins "$WORK/sdk_net/build/plugins"
expect_in run.log "1 finished now"
[ "$(sql runs.db "SELECT status FROM runs WHERE model = 'sdk_net'")" = finished ] || fail "the sdk_net run must be finished"

# The plugin installs next to the installed ones, where the runner looks by default.
expect_exit 0 plugin_install.log -- cmake --install "$WORK/sdk_net/build" --prefix "$PREFIX"
expect_exit 0 list.log -- "$PREFIX/bin/runner" --list-plugins
expect_in list.log "$PREFIX/lib/ablate/plugins/libsdk_net.so"
echo "ok"
