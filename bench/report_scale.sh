#!/usr/bin/env bash
# report at scale: a store of 10,000 finished runs x 50 epochs (make_test_store --runs),
# then `report`, `report table` and `report --compare` each timed (best of 3 wall-clock
# runs, output to /dev/null); each must answer in under one second. Appends the numbers,
# the command and the machine to BENCHMARKS.md.
#
# usage: bench/report_scale.sh [BUILD_DIR] (default: build)
# RUNS and EPOCHS override the store's size; BENCHMARKS names the file to append to.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(realpath "${1:-$source_dir/build}")
report="$build_dir/bin/report"
make_test_store="$build_dir/bin/make_test_store"
runs=${RUNS:-10000}
epochs=${EPOCHS:-50}
benchmarks=${BENCHMARKS:-$source_dir/BENCHMARKS.md}
limit=1.0
for tool in "$report" "$make_test_store"; do
  [[ -x $tool ]] || { echo "report_scale: $tool is missing: cmake --build $build_dir --target report make_test_store" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store="$work/scale.db"
start=$(date +%s.%N)
"$make_test_store" "$store" --runs "$runs" --epochs "$epochs"
generated=$(echo "$(date +%s.%N) - $start" | bc)
size=$(du -h "$store" | cut -f1)
echo "generated $runs runs x $epochs epochs in ${generated}s ($size)"

# best_of COMMAND...: the fastest of three runs, in seconds.
best_of() {
  local best="" t0 t1 elapsed
  for _ in 1 2 3; do
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    elapsed=$(echo "$t1 - $t0" | bc)
    if [[ -z $best ]] || (( $(echo "$elapsed < $best" | bc) )); then best=$elapsed; fi
  done
  printf '%.3f' "$best"
}

declare -a names=("report" "report table" "report --compare baseline se")
declare -a commands=("$report --db $store" "$report table --db $store" "$report --db $store --compare baseline se")
failures=0
results=""
for i in "${!names[@]}"; do
  # shellcheck disable=SC2086  # the command lines are ours, split on purpose
  seconds=$(best_of ${commands[$i]})
  verdict=ok
  if (( $(echo "$seconds >= $limit" | bc) )); then verdict="TOO SLOW (limit ${limit}s)"; failures=$((failures + 1)); fi
  echo "$(printf '%-32s' "${names[$i]}") ${seconds}s  $verdict"
  results+="| \`${names[$i]}\` | $seconds | $verdict |"$'\n'
done

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
commit=$(git -C "$source_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  [[ -s $benchmarks ]] || printf '# Benchmarks\n'
  printf '\n## report at scale, %s\n\n' "$(date -u +%Y-%m-%d)"
  printf 'Command: `bench/report_scale.sh %s` (commit %s). Store: %s runs x %s epochs, %s, ' \
    "${1:-build}" "$commit" "$runs" "$epochs" "$size"
  printf 'generated in %ss. Machine: %s, %s cores. Best of 3, wall clock, output to /dev/null.\n\n' \
    "$generated" "$cpu" "$(nproc)"
  printf '| command | seconds | < %ss |\n|---|---:|---|\n%s' "$limit" "$results"
} >>"$benchmarks"
echo "appended to $benchmarks"
[[ $failures -eq 0 ]]
