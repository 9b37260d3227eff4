#!/usr/bin/env bash
# The README's loop, top to bottom, as a newcomer types it: every line of the first ```sh
# block under "## The loop" runs as written, in order, in a fresh folder (R and P are
# this build's runner and report). Only the data is smaller: experiments/quickstart.yaml
# is the source tree's, with Fashion-MNIST read from IDX files this test writes (a few
# hundred images), one epoch and a small validation split. Every line must succeed, and
# the run ids and arm names the README uses must be those of the stores it made.
# usage: readme_loop.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"
RUNNER=$(realpath "$RUNNER") REPORT=$(realpath "$REPORT")
command -v python3 >/dev/null || skip "python3 writes the IDX files (apt-get install python3)"

# Fashion-MNIST's four gzip IDX files, 10 classes: class k is a bright band at rows
# 2k..2k+4 over noise, which one epoch learns.
mkdir fashion experiments
python3 - fashion <<'PY'
import gzip, random, struct, sys
random.seed(0)
def image(label):
    return bytes(200 + random.randrange(56) if 2 * label <= row < 2 * label + 5 else random.randrange(60)
                 for row in range(28) for _ in range(28))
def write(prefix, count):
    labels = [i % 10 for i in range(count)]
    with gzip.open(f"{sys.argv[1]}/{prefix}-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, count, 28, 28) + b"".join(image(label) for label in labels))
    with gzip.open(f"{sys.argv[1]}/{prefix}-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 0x801, count) + bytes(labels))
write("train", 1200)
write("t10k", 200)
PY
# The quick start as shipped, pointed at those files: same arms, seeds and keys.
quickstart="$SOURCE_DIR/experiments/quickstart.yaml"
grep -q '^  plugin: fashion_mnist' "$quickstart" || fail "experiments/quickstart.yaml no longer names its dataset as this test expects"
sed -e "s|^  plugin: fashion_mnist.*|  plugin: fashion_mnist\n  path: $WORK/fashion|" \
    -e 's|^  val_size: .*|  val_size: 100|' \
    -e 's|^  max_epochs: .*|  max_epochs: 1|' "$quickstart" >experiments/quickstart.yaml
for copied in ablation.yaml; do cp "$SOURCE_DIR/experiments/$copied" experiments/; done

# The loop's lines, as the README has them.
awk '/^## The loop/ { inside = 1; next }
     inside && /^```sh$/ { block = 1; next }
     block && /^```$/ { exit }
     block { print }' "$SOURCE_DIR/README.md" >loop.sh
[[ $(wc -l <loop.sh) -ge 8 ]] || fail "found no loop in README.md (a \`\`\`sh block under '## The loop')"
head -1 loop.sh | grep -qx 'R=build/bin/runner; P=build/bin/report' || fail "the loop's first line no longer sets R and P"

step=0
while IFS= read -r line; do
  step=$((step + 1))
  if [[ $step -eq 1 ]]; then R=$RUNNER P=$REPORT; continue; fi
  echo "==> $line"
  printf '%s\t%s\n' "$step" "$line" >>steps.tsv
  status=0
  eval "$line" >"step$step.log" 2>&1 </dev/null || status=$?
  [[ $status -eq 0 ]] || { cat "step$step.log" >&2; fail "README loop line $step exited $status: $line"; }
  ! grep -E '^(runner|report): (error|warning)' "step$step.log" || fail "README loop line $step printed an error: $line"
done <loop.sh

# log_of TEXT: the output of the loop's first line that contains TEXT.
log_of() {
  local step
  step=$(awk -F'\t' -v text="$1" 'index($2, text) { print $1; exit }' steps.tsv)
  [[ -n $step ]] || fail "the README loop has no line with '$1'"
  echo "step$step.log"
}

# What the lines made, checked beyond their exit status.
[[ -f experiments/quickstart.db ]] || fail "the loop made no experiments/quickstart.db"
[[ ! -e experiments/runs.db ]] || fail "the loop wrote experiments/runs.db: each experiment should have its own store"
P="$REPORT --db experiments/quickstart.db"
# The ids the README names: 1 is baseline seed 0 of the first run, 5 and 6 the override's.
[[ $($P --where "train.max_epochs = 3" --format csv | cut -d, -f1 | tail -n +2 | sort -n | xargs) == "5 6" ]] ||
  fail "the override line's runs are not 5 and 6, as the README says"
[[ $($P --where "id = 1" --format csv | tail -1 | cut -d, -f3,7) == "baseline,0" ]] ||
  fail "run 1 is not baseline seed 0, as the README's evaluate and diff lines assume"
[[ $($P --status finished --format csv | tail -n +2 | wc -l) -eq 10 ]] || fail "expected 10 finished runs"
expect_in "$(log_of 'compare baseline narrow   #')" "narrow"
expect_in "$(log_of 'power baseline narrow')" "seeds"
expect_in "$(log_of 'diff 1 5')" "train.max_epochs"
expect_in "$(log_of 'evaluate 1')" "every stored metric reproduced"
expect_in "$(log_of 'describe unet_encoder')" "Total params"
where_log=$(log_of '--where')
[[ $(grep -cE '^ *(1|5) ' "$where_log") -eq 2 ]] || { cat "$where_log" >&2; fail "--where on the tag and the note should list runs 1 and 5"; }
expect_in "$(log_of '--format latex')" '\label{'
[[ $(wc -l <"$(log_of '--per-seed')") -ge 11 ]] || fail "--per-seed should give a record per run"
[[ -s report.html ]] || fail "the loop's html line wrote no report.html"
echo "the README loop ran: $((step - 1)) lines"
