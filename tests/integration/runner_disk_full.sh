# A full disk while a cell saves its checkpoint (issue 20, item 7): the run is `failed`
# with a clear error naming the file and "No space left on device", not left `running`
# after std::terminate with a LibTorch trace; no truncated best.pt is left; the grid goes
# on. The checkpoint folder is a 4 KiB tmpfs in a mount namespace of the test's own
# (root only; elsewhere this says SKIPPED).
source "$(dirname "$0")/lib.bash" "$@"
[ "$(id -u)" = 0 ] || skip "needs root to mount a tiny tmpfs in a mount namespace"
command -v mount >/dev/null || skip "needs the mount program (Debian package mount)"
unshare --mount --propagation unchanged true 2>/dev/null ||
  skip "root here cannot make a mount namespace (unshare --mount needs CAP_SYS_ADMIN)"
propagation=private
unshare --mount --propagation private true 2>/dev/null || propagation=unchanged
cat > full.yaml <<'YAML'
dataset: {plugin: synthetic, classes: 4, size: 16, train: 64, val: 16, test: 16}
arms: {baseline: {model: baseline_cnn}}
resolutions: [16]
seeds: [0, 1]
train: {batch_size: 16, max_epochs: 1, threads: 1}
YAML
mkdir runs.db.artifacts
status=0
unshare --mount --propagation "$propagation" bash -c \
  'mount -t tmpfs -o size=4k tmpfs runs.db.artifacts && exec "$0" full.yaml --db runs.db' "$RUNNER" \
  > run.log 2>&1 || status=$?
cat run.log
[ "$status" = 1 ] || fail "expected exit 1 (the cells failed, the grid ran), got $status"
expect_in run.log "0 finished now, 0 skipped (done, failed before or running elsewhere), 2 failed"
[ "$(sql runs.db "SELECT count(*) FROM runs WHERE status = 'failed'")" = 2 ] || fail "both runs are failed, none running"
sql runs.db "SELECT error FROM runs" > errors.txt
expect_in errors.txt "cannot write checkpoint"
expect_in errors.txt "best.pt: write failed: No space left on device"
! grep -q "frame #\|terminate" errors.txt || fail "a clear error, not a LibTorch trace"
[ "$(sql runs.db "SELECT count(*) FROM epochs")" = 2 ] || fail "the trained epochs are kept"
[ -z "$(ls -A runs.db.artifacts)" ] || fail "nothing is left in the (unmounted) folder"
echo "ok"
