# Bad input gets exit status 2 and a message that names what is wrong and where; a
# diverging run fails alone and the grid goes on.
source "$(dirname "$0")/lib.bash" "$@"
write_synthetic_experiment good.yaml

printf 'name: x\narms: [a, b\nseeds: [0]\n' > syntax.yaml
expect_exit 2 out.log -- "$RUNNER" syntax.yaml --db runs.db
expect_in out.log "syntax.yaml:"
expect_in out.log "YAML syntax error"

# A key given twice: yaml-cpp would keep one silently; both lines are named.
sed 's/^seeds: \[0, 1\]/seeds: [0, 1]\nseeds: [2]/' good.yaml > twice.yaml
expect_exit 2 out.log -- "$RUNNER" twice.yaml --db runs.db --dry-run
expect_in out.log "twice.yaml:8:1: key 'seeds' is given twice in one mapping (first at line 7)"

# Two cells with one identity would be one run: refused before anything runs.
{ cat good.yaml; printf 'grid: {train.threads: [1, 2]}\n'; } > same.yaml
expect_exit 2 out.log -- "$RUNNER" same.yaml --db same.db --dry-run
expect_in out.log "same.yaml: cells 1 (baseline r16 s0 train.threads=1) and 3 (baseline r16 s0 train.threads=2) have the same identity"
[ ! -e same.db ] || fail "a refused grid must not create its store"
{ cat good.yaml; printf 'grid: {train.optimizer.lr: [1.0e-3, 0.001]}\n'; } > spelled.yaml
expect_exit 2 out.log -- "$RUNNER" spelled.yaml --db same.db --dry-run
expect_in out.log "spelled.yaml: cells 1 (baseline r16 s0 train.optimizer.lr=1.0e-3) and 3 (baseline r16 s0 train.optimizer.lr=0.001) have the same identity"

expect_exit 2 out.log -- "$RUNNER" good.yaml --db runs.db --dry-run --shard 99999999999999999999/2
expect_in out.log "--shard '99999999999999999999/2' must be I/N with 0 <= I < N"

sed 's/^train:/trian:/' good.yaml > typo.yaml
expect_exit 2 out.log -- "$RUNNER" typo.yaml --db runs.db
expect_in out.log "typo.yaml:8:1: unknown key 'trian' in the experiment (did you mean 'train'?)"

sed 's/model: baseline_cnn}/model: resnet9000}/' good.yaml > plugin.yaml
expect_exit 2 out.log -- "$RUNNER" plugin.yaml --db runs.db
expect_in out.log "unknown model plugin 'resnet9000'; available: baseline_cnn"

sed 's/dense: 32}/dense: 32, widht: 3}/' good.yaml > option.yaml
expect_exit 2 out.log -- "$RUNNER" option.yaml --db runs.db
expect_in out.log "model plugin 'baseline_cnn': unknown option 'widht'"
expect_in out.log "known options:"

expect_exit 2 out.log -- "$RUNNER" good.yaml --db runs.db train.max_epochs=none
expect_in out.log "train.max_epochs must be an integer, got 'none'"

# An error names where the value came from (issue 18): an override by its place among the
# KEY=VALUE arguments, not the file's first line; a plugin option by its line, also when a
# grid axis gave it, or by the override or --options that did.
expect_exit 2 out.log -- "$RUNNER" good.yaml --db runs.db "seeds=[0]" train.max_epochs=one
expect_in out.log "runner: error: override 2 'train.max_epochs=one': train.max_epochs must be an integer, got 'one'"
{ cat good.yaml; printf 'grid:\n  model.options.dense: [32, wide]\n'; } > axis.yaml
expect_exit 2 out.log -- "$RUNNER" axis.yaml --db runs.db --dry-run
expect_in out.log "runner: error: model plugin 'baseline_cnn': option 'dense' (axis.yaml:10:29) must be an integer, got 'wide'"
expect_exit 2 out.log -- "$RUNNER" good.yaml --db runs.db --dry-run "arms.narrow.options.dense=wide"
expect_in out.log "option 'dense' (override 1 'arms.narrow.options.dense=wide') must be an integer, got 'wide'"
expect_exit 2 out.log -- "$RUNNER" good.yaml --db runs.db --dry-run "grid={model.options.dense: [wide]}"
expect_in out.log "option 'dense' (override 1 'grid={model.options.dense: [wide]}') must be an integer"
expect_exit 2 out.log -- "$RUNNER" describe baseline_cnn --options '{dense: wide}'
expect_in out.log "option 'dense' (--options '{dense: wide}') must be an integer, got 'wide'"

cat > missing.yaml <<'YAML'
dataset: {plugin: fashion_mnist, path: /nonexistent/fashion}
arms: {baseline: {model: baseline_cnn}}
resolutions: [28]
seeds: [0]
YAML
expect_exit 2 out.log -- "$RUNNER" missing.yaml --db runs.db
expect_in out.log "/nonexistent/fashion"
expect_in out.log "dataset-fashion-mnist"

echo "not a database, just text" > text.db
expect_exit 2 out.log -- "$RUNNER" good.yaml --db text.db
expect_in out.log "text.db"
[ "$(cat text.db)" = "not a database, just text" ] || fail "a foreign file must be left alone"

expect_exit 2 out.log -- "$RUNNER" does-not-exist.yaml
expect_in out.log "no experiment file 'does-not-exist.yaml'"

# A store written by a newer Ablate is refused, and left as it was.
expect_exit 0 out.log -- "$RUNNER" good.yaml --db newer.db seeds=[0] train.max_epochs=1
sql newer.db "PRAGMA user_version = 999"
expect_exit 2 out.log -- "$RUNNER" good.yaml --db newer.db
expect_in out.log "newer"
[ "$(sql newer.db "SELECT count(*) FROM runs")" = 2 ] || fail "the newer store keeps its runs"

# A learning rate that makes the loss diverge fails that cell only, with epoch and step.
cat > diverge.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 128, val: 32, test: 32}
arms:
  exploding: {model: baseline_cnn}
resolutions: [16]
seeds: [0]
train: {optimizer: {name: sgd, lr: 1.0e+12, momentum: 0.9}, batch_size: 32, max_epochs: 3, threads: 1}
grid: {train.optimizer.lr: [1.0e+12, 1.0e-3]}
YAML
expect_exit 1 out.log -- "$RUNNER" diverge.yaml --db diverge.db
expect_in out.log "failed: the training loss became"
expect_in out.log "1 finished now, 0 skipped (done, failed before or running elsewhere), 1 failed"
[ "$(sql diverge.db "SELECT count(*) FROM runs WHERE status = 'failed' AND error LIKE '%in epoch % step %'")" = 1 ] \
  || { sql diverge.db "SELECT status, error FROM runs"; fail "the diverging run is failed with epoch and step"; }
[ "$(sql diverge.db "SELECT count(*) FROM runs WHERE status = 'finished'")" = 1 ] || fail "the other cell finished"

# Limits (issue 20, item 6; docs/limits.md). More threads than cores: refused before
# anything runs, unless --oversubscribe (up to 16x the cores).
cores=$(nproc)
expect_exit 2 out.log -- "$RUNNER" good.yaml --db limits.db train.threads=4097
expect_in out.log "train.threads: 4097 threads is more than $cores (the cores) ($cores core(s) on this machine); lower it, or pass --oversubscribe"
expect_exit 2 out.log -- "$RUNNER" good.yaml --db limits.db train.threads=4294967298 --oversubscribe
expect_in out.log "4294967298 threads is more than $((16 * cores)) (16x the cores)"
expect_exit 2 out.log -- "$RUNNER" good.yaml --db limits.db --threads $((cores + 1)) --dry-run
expect_in out.log "--threads: $((cores + 1)) threads is more than $cores"
expect_exit 0 out.log -- "$RUNNER" good.yaml --db limits.db --threads $((cores + 1)) --oversubscribe --dry-run
# A batch larger than the training split: an error, not a NaN "finished" run.
expect_exit 2 out.log -- "$RUNNER" good.yaml --db limits.db train.batch_size=9223372036854775807 "seeds=[0]"
expect_in out.log "train.batch_size 9223372036854775807 is larger than the"
[ "$(sql limits.db "SELECT count(*) FROM runs WHERE status = 'finished'")" = 0 ] || fail "nothing finished"
# The grid's cell limit, and raising it.
expect_exit 2 out.log -- "$RUNNER" good.yaml --db limits.db --max-cells 1 --dry-run
expect_in out.log "the grid has more than 1 cells"
expect_in out.log "raise the limit with \`runner --max-cells N\`"
expect_exit 0 out.log -- "$RUNNER" good.yaml --db limits.db --max-cells 100 --dry-run
echo "ok"
