# How a cell's process starts: by default a fork of the runner (no second LibTorch
# start-up) running with OMP_WAIT_POLICY=PASSIVE; with --fresh-process a new
# `runner ... --cell HASH` process; a wait policy the user set is kept either way.
source "$(dirname "$0")/lib.bash" "$@"
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
  grep -qx "OMP_WAIT_POLICY=$policy" "$log.environ" || fail "the cell's process has no OMP_WAIT_POLICY=$policy"
  if [ "$kind" = fork ]; then
    grep -q -- "--cell" "$log.cmdline" && fail "the cell was a new process: $(cat "$log.cmdline")"
  else
    grep -q -- "--cell" "$log.cmdline" || fail "the cell was not a new process: $(cat "$log.cmdline")"
  fi
  [ "$(sql "$log.db" "SELECT status FROM runs")" = killed ] || fail "the run is marked killed"
}

check_cell_process default.log PASSIVE fork
OMP_WAIT_POLICY=ACTIVE check_cell_process user.log ACTIVE fork
check_cell_process fresh.log PASSIVE fresh --fresh-process
echo "ok"
