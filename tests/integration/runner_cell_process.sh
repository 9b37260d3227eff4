# How a cell's process starts: a fork of the runner (no second LibTorch start-up), or with
# --fresh-process a new `runner ... --cell HASH` process. OpenMP's wait policy: libgomp's
# default is the fastest on idle cores, PASSIVE on cores other work keeps busy; with
# --wait-policy auto (the default) the runner picks PASSIVE, in fresh processes, when the
# load average already fills the cores, and says so; a policy the user set is passed on.
source "$(dirname "$0")/lib.bash" "$@"
unset OMP_WAIT_POLICY  # the default case below must not inherit one
write_long_experiment long.yaml

# check_cell_process LOG EXPECTED_POLICY|auto fork|fresh|auto [RUNNER OPTION...]
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
  if [ "$policy" = auto ]; then
    # What the machine's load made the runner choose must be what the cell got.
    if grep -q "so the cells start as fresh processes with OMP_WAIT_POLICY=PASSIVE" "$log"; then
      policy=PASSIVE kind=fresh
    else
      policy=unset kind=fork
    fi
    echo "auto chose: $policy, $kind"
  fi
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

check_cell_process default.log auto auto
check_cell_process spin.log unset fork --wait-policy spin
check_cell_process passive.log PASSIVE fresh --wait-policy passive
OMP_WAIT_POLICY=PASSIVE check_cell_process user.log PASSIVE fork
OMP_WAIT_POLICY=ACTIVE check_cell_process user_active.log ACTIVE fork
check_cell_process fresh.log unset fresh --fresh-process --wait-policy spin
expect_exit 2 bad.log -- "$RUNNER" long.yaml --db bad.db --wait-policy lazy
expect_in bad.log "--wait-policy 'lazy': expected auto, spin or passive"
echo "ok"
