#!/bin/bash
# Times loading a BloodMNIST-128-sized .npz (17,092 images of 128x128x3) with the medmnist
# plugin against numpy's np.load of the same file, with peak resident memory of each, and
# appends the result to BENCHMARKS.md. Needs Debian's python3-numpy and /usr/bin/time.
#   bench/npz_load.sh [BUILD_DIR] [DATA_DIR]      (defaults: build, /tmp/ablate-bench)
# Build the driver first: cmake --build BUILD_DIR --target npz_load
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
data=${2:-/tmp/ablate-bench}
file=$data/bloodmnist_128.npz
driver=$build/bin/npz_load
python=/usr/bin/python3  # Debian's, with python3-numpy; not a pyenv one on PATH

[ -x "$driver" ] || { echo "no $driver: cmake --build $build --target npz_load" >&2; exit 2; }
if [ ! -f "$file" ]; then
  echo "writing $file (takes a minute or two)" >&2
  mkdir -p "$data"
  "$python" bench/npz_make.py "$file"
fi
cat "$file" >/dev/null  # both sides read from the page cache

# run NAME COMMAND...: runs under /usr/bin/time -v; keeps the command's own line and
# the wall time, CPU time and peak RSS that time reports.
run() {
  local name=$1; shift
  /usr/bin/time -v "$@" 2>"$data/$name.time" >"$data/$name.out"
  cat "$data/$name.out"
}
seconds() { grep -oE '[0-9.]+ s' "$data/$1.out" | head -1; }
rss_mb() { awk '/Maximum resident/ {printf "%.0f MB", $NF / 1024}' "$data/$1.time"; }
wall() { awk -F': ' '/Elapsed/ {print $2}' "$data/$1.time"; }
cpu() { awk '/User time|System time/ {t += $NF} END {printf "%.2f s", t}' "$data/$1.time"; }
row() { echo "| $1 | $2 | $(seconds "$2") | $(wall "$2") | $(cpu "$2") | $(rss_mb "$2") |"; }

# Alternating runs, so that load from other processes on the machine hits both sides.
runs=3
rows=()
for i in $(seq "$runs"); do
  run "plugin$i" "$driver" "$data" bloodmnist 128
  run "numpy$i" "$python" bench/npz_load_numpy.py "$file"
  rows+=("$(row "medmnist plugin (libzip)" "plugin$i")" "$(row "numpy np.load" "numpy$i")")
done

model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
{
  echo
  echo "## medmnist: loading a BloodMNIST-128-sized .npz ($(date -u +%Y-%m-%d))"
  echo
  echo "\`bench/npz_load.sh $build $data\`"
  echo
  echo "- machine: $model, $(nproc) cores; load average $(cut -d' ' -f1 /proc/loadavg) at the end"
  echo "  (other work was running: compare CPU time more than wall time)"
  echo "- numpy $("$python" -c 'import numpy; print(numpy.__version__)'), libzip $(dpkg-query -W -f='${Version}' libzip4 2>/dev/null || echo '?')"
  echo "- file: $(du -m "$file" | cut -f1) MB from np.savez_compressed (bench/npz_make.py): 17,092 images of"
  echo "  128x128x3 uint8 (840 MB raw) with uint8 labels, read from the page cache"
  echo "- load(): the reader's own clock; CPU: user + system time of the whole process"
  echo
  echo "| reader | run | load() | process wall | CPU | peak RSS |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee -a BENCHMARKS.md
