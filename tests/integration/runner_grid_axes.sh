# Any plugin option is a grid axis: an SE-reduction sweep stores four distinct runs, each
# under an arm name that carries its value, and exclude rules drop cells.
source "$(dirname "$0")/lib.bash" "$@"
cat > sweep.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 64, val: 16, test: 16}
arms:
  se: {model: unet_encoder, options: {depth: 2, base_channels: 32, dense: 16}}
resolutions: [16]
seeds: [0]
train: {batch_size: 32, max_epochs: 1, threads: 1}
grid:
  model.options.se_reduction: [4, 8, 16, 32]
YAML
expect_exit 0 run.log -- "$RUNNER" sweep.yaml --db sweep.db
expect_in run.log "4 cells: 4 finished now"
[ "$(sql sweep.db "SELECT count(DISTINCT config_hash) FROM runs WHERE status = 'finished'")" = 4 ] || fail "four distinct runs"
[ "$(sql sweep.db "SELECT group_concat(arm, ' ') FROM (SELECT arm FROM runs ORDER BY id)")" = \
  "se@se_reduction=4 se@se_reduction=8 se@se_reduction=16 se@se_reduction=32" ] || fail "arm names carry the axis value"
# Smaller reductions mean wider SE layers: parameter counts differ and fall with r.
[ "$(sql sweep.db "SELECT count(DISTINCT params_trainable) FROM runs")" = 4 ] || fail "each reduction builds another network"
expect_exit 0 compare.log -- "$REPORT" --db sweep.db --compare se@se_reduction=4 se@se_reduction=32
expect_in compare.log "se@se_reduction=32"

expect_exit 0 dry.log -- "$RUNNER" sweep.yaml --db sweep.db --dry-run "exclude=[{model.options.se_reduction: 4}, {model.options.se_reduction: 8}]"
expect_in dry.log "2 cells"
# A dataset axis reaches the data: pure noise cannot be learnt, a clean signal can, and
# the two cells train on different images (their curves differ).
cat > noise.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 256, val: 64, test: 64}
arms: {baseline: {model: baseline_cnn}}
resolutions: [16]
seeds: [0]
train: {batch_size: 32, max_epochs: 3, threads: 1}
grid:
  dataset.noise: [0.0, 1.0]
YAML
expect_exit 0 noise.log -- "$RUNNER" noise.yaml --db noise.db
expect_in noise.log "2 cells: 2 finished now"
[ "$(sql noise.db "SELECT count(DISTINCT printf('%.6f', train_loss)) FROM epochs WHERE epoch = 1")" = 2 ] ||
  fail "the two noise levels must train on different data"
clean=$(sql noise.db "SELECT value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.arm = 'baseline@noise=0.0' AND split = 'test' AND name = 'accuracy'")
noisy=$(sql noise.db "SELECT value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.arm = 'baseline@noise=1.0' AND split = 'test' AND name = 'accuracy'")
python3 -c "import sys; clean, noisy = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if clean > noisy and noisy < 0.6 else 1)" \
  "$clean" "$noisy" || fail "clean data must score above pure noise (clean $clean, noisy $noisy)"

# A misspelt dataset axis is the plugin's unknown-option error, with a suggestion, before
# anything runs.
expect_exit 2 typo.log -- "$RUNNER" noise.yaml --db typo.db --dry-run "grid={dataset.nosie: [0.0, 1.0]}"
expect_in typo.log "dataset plugin 'synthetic': unknown option 'nosie'"
expect_in typo.log "(did you mean 'noise'?)"
[ ! -e typo.db ] || fail "a refused grid must not create its store"
echo "ok"
