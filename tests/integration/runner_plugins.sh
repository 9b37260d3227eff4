# runner --list-plugins: what was found (kind, name, version, description, file) and a
# one-sentence warning naming each file that was refused.
source "$(dirname "$0")/lib.bash" "$@"
bad_dir="$(dirname "$PLUGIN_DIR")/test-plugins"

expect_exit 0 list.log -- "$RUNNER" --list-plugins
expect_in list.log "model    baseline_cnn"
expect_in list.log "dataset  synthetic"
expect_in list.log "metric   classification"
expect_in list.log "$PLUGIN_DIR/libbaseline_cnn.so"

expect_exit 0 list.log -- "$RUNNER" --list-plugins --plugins "$bad_dir"
expect_in list.log "libwrong_abi.so was built for Ablate plugin ABI version 999"
expect_in list.log "libwrong_torch.so was built against LibTorch 0.0.1-not-this-one"
expect_in list.log "libno_entry_point.so has no entry point"
expect_in list.log "libnot_a_library.so is not a loadable shared library"
expect_in list.log "model    baseline_cnn"  # the good ones still load

# ABLATE_PLUGIN_PATH adds folders too.
ABLATE_PLUGIN_PATH="$bad_dir" expect_exit 0 env.log -- "$RUNNER" --list-plugins
expect_in env.log "libwrong_abi.so"


# --describe: Keras-like summary with the seed study's parameter count.
expect_exit 0 describe.log -- "$RUNNER" --describe baseline_cnn --resolution 64 --channels 3 --classes 8
expect_in describe.log "trainable 1,143,432"
expect_in describe.log "blocks.0 (conv2d)"
expect_in describe.log "Forward FLOPs per image"
expect_exit 2 describe_bad.log -- "$RUNNER" --describe baseline_cnn --options "{dense: 0}"
expect_in describe_bad.log "option 'dense'"
echo "ok"
