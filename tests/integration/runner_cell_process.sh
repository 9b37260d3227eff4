# How a cell's process starts: by default a fork of the runner (no second LibTorch
# start-up); with --fresh-process a new `runner ... --cell HASH` process. The runner
# leaves OpenMP's wait policy alone (libgomp's default is the fastest on idle cores) and
# passes on one the user set.
source "$(dirname "$0")/lib.bash" "$@"
unset OMP_WAIT_POLICY  # the default case below must not inherit one
write_long_experiment long.yaml

# check_cell_process LOG EXPECTED_POLICY fork|fresh [RUNNER OPTION...]
check_cell_process() {
  local log=$1 policy=$2 kind=$3; shift 3
  "$RUNNER" long.yaml --db "$log.db" "$@" > "$log" 2>&1 &
  local pid=$! child=""
  for _ in $(seq 1 600); do
    grep -q "epoch 1/50" "$log" && child=$(pgrep -P "$pid" | head -1) && [ -n "$child" ] && break
    sleep 0.1
  done
  [ -n "$child" ] || { cat "$log"; fail "no cell process under runner $pid"; }
  tr '\0' '\n' < "/proc/$child/environ" > "$log.environ"
  tr '\0' ' ' < "/proc/$child/cmdline" > "$log.cmdline"
  kill -INT "$pid"
  local status=0; wait "$pid" || status=$?
  [ "$status" = 130 ] || { cat "$log"; fail "expected exit 130, got $status"; }
  if [ "$policy" = unset ]; then
    grep -q "^OMP_WAIT_POLICY=" "$log.environ" && fail "the runner set $(grep "^OMP_WAIT_POLICY=" "$log.environ")"
  else
    grep -qx "OMP_WAIT_POLICY=$policy" "$log.environ" || fail "the cell's process has no OMP_WAIT_POLICY=$policy"
  fi
  if [ "$kind" = fork ]; then
    grep -q -- "--cell" "$log.cmdline" && fail "the cell was a new process: $(cat "$log.cmdline")"
  else
    grep -q -- "--cell" "$log.cmdline" || fail "the cell was not a new process: $(cat "$log.cmdline")"
  fi
  [ "$(sql "$log.db" "SELECT status FROM runs")" = killed ] || fail "the run is marked killed"
}

check_cell_process default.log unset fork
OMP_WAIT_POLICY=PASSIVE check_cell_process user.log PASSIVE fork
check_cell_process fresh.log unset fresh --fresh-process
echo "ok"
