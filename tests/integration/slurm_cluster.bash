# A real single-node Slurm for the integration tests: munged, slurmctld and slurmd with
# their own key, sockets, ports, state and logs in the test's temp folder, stopped on
# exit whatever happens. Sourced after lib.bash; needs root (as CI runs) and Debian's
# slurm-wlm and munge (ABLATE_TEST_PACKAGES), and skips the test (exit 77) without them.

SLURM_DIR=$WORK/slurm
SLURM_PIDS=()

stop_slurm() {
  local pid
  # Jobs first, through Slurm: their processes belong to slurmstepd, not to the daemons.
  if [[ -n ${SLURM_CONF:-} && -n $(squeue --noheader 2>/dev/null) ]]; then
    scancel --full --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 80); do [[ -z $(squeue --noheader 2>/dev/null) ]] && break; sleep 0.5; done
  fi
  for pid in "${SLURM_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SLURM_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# A port nobody listens on now (ctest runs scripts in parallel: no fixed ports).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

slurm_log_tail() { tail -n 20 "$SLURM_DIR"/log/*.log "$SLURM_DIR"/munge/munged.log 2>/dev/null || true; }

start_slurm() {
  [[ $(id -u) == 0 ]] || skip "the test Slurm runs its daemons as root (as CI does); this is uid $(id -u)"
  local tool
  for tool in munged slurmctld slurmd sbatch squeue scancel python3; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (tools/setup installs slurm-wlm and munge)"
  done
  mkdir -p "$SLURM_DIR"/{state,spool,log,munge}
  chmod 700 "$SLURM_DIR/munge"
  head -c 1024 /dev/urandom >"$SLURM_DIR/munge/munge.key"
  chmod 400 "$SLURM_DIR/munge/munge.key"
  munged --force --socket="$SLURM_DIR/munge/socket" --key-file="$SLURM_DIR/munge/munge.key" \
    --pid-file="$SLURM_DIR/munge/munged.pid" --log-file="$SLURM_DIR/munge/munged.log" \
    --seed-file="$SLURM_DIR/munge/seed" || skip "munged did not start: $(slurm_log_tail)"
  SLURM_PIDS+=("$(cat "$SLURM_DIR/munge/munged.pid")")

  local node
  node=$(hostname -s)
  cat >"$SLURM_DIR/slurm.conf" <<CONF
ClusterName=ablatetest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SLURM_DIR/munge/socket
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
KillWait=30
MinJobAge=600
SchedulerType=sched/builtin
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$SLURM_DIR/slurm.conf
  slurmctld -i || skip "slurmctld did not start: $(slurm_log_tail)"
  for _ in $(seq 50); do [[ -s $SLURM_DIR/slurmctld.pid ]] && break; sleep 0.1; done
  SLURM_PIDS+=("$(cat "$SLURM_DIR/slurmctld.pid")")
  slurmd -N "$node" || skip "slurmd did not start: $(slurm_log_tail)"
  for _ in $(seq 50); do [[ -s $SLURM_DIR/slurmd.pid ]] && break; sleep 0.1; done
  SLURM_PIDS+=("$(cat "$SLURM_DIR/slurmd.pid")")
  local idle=
  for _ in $(seq 100); do
    [[ $(sinfo --noheader --format %T 2>/dev/null) == idle ]] && { idle=1; break; }
    sleep 0.2
  done
  [[ -n $idle ]] || skip "the test Slurm's node did not become idle in 20 s: $(sinfo 2>&1) $(slurm_log_tail)"
  # Slurm itself must be able to run a job here (a chroot may lack what slurmstepd needs).
  local job
  job=$(sbatch --parsable --output="$SLURM_DIR/smoke.out" --wrap "echo smoke ok") ||
    skip "the test Slurm refuses a trivial job: $(slurm_log_tail)"
  for _ in $(seq 60); do
    grep -qx "smoke ok" "$SLURM_DIR/smoke.out" 2>/dev/null && [[ -z $(squeue --noheader --jobs "$job") ]] && return 0
    sleep 0.5
  done
  skip "the test Slurm did not run a trivial job in 30 s: $(squeue 2>&1) $(slurm_log_tail)"
}

trap 'stop_slurm; rm -rf "$WORK"' EXIT

# wait_until SECONDS WHAT COMMAND...: runs COMMAND every 0.5 s until it succeeds.
wait_until() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || { slurm_log_tail >&2; fail "waited ${seconds}s for $what"; }
    sleep 0.5
  done
}

job_gone() { [[ -z $(squeue --noheader --jobs "$1" 2>/dev/null) ]]; }
