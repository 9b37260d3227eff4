# The medmnist plugin through the real runner: the committed fixture made by numpy's own
# np.savez_compressed (tests/fixtures/medmnist) trains and evaluates end to end, and a
# resolution with no published file is refused unless resize is set.
source "$(dirname "$0")/lib.bash" "$@"
root="$SOURCE_DIR/tests/fixtures/medmnist"
cat > blood.yaml <<YAML
dataset: {plugin: medmnist, flag: bloodmnist, root: "$root"}
arms: {baseline: {model: baseline_cnn, options: {filters: [8, 16], dropout: [0.1, 0.1], dense: 16}}}
resolutions: [28]
seeds: [0]
train: {batch_size: 4, max_epochs: 1, threads: 1, normalize: dataset, class_weights: balanced,
        augment: {horizontal_flip: true, vertical_flip: true, rotate90: true}}
YAML
expect_exit 0 run.log -- "$RUNNER" blood.yaml --db blood.db
expect_in run.log "1 finished now"
[ "$(sql blood.db "SELECT dataset FROM runs")" = medmnist/bloodmnist ] || fail "the dataset is named by its flag"
[ "$(sql blood.db "SELECT num_classes FROM predictions WHERE split = 'test'")" = 8 ] || fail "8 BloodMNIST classes"

expect_exit 2 res.log -- "$RUNNER" blood.yaml --db blood.db "resolutions=[32]"
expect_in res.log "32"
expect_exit 0 resize.log -- "$RUNNER" blood.yaml --db blood.db "resolutions=[32]" dataset.resize=true --dry-run
echo "ok"
