# report reads a store in a folder it cannot write (a read-only mount, another user's
# results folder): SQLite cannot create the WAL index (-shm) there, so report opens such
# a store immutable, and prints what it prints for a writable one, writing nothing.
source "$(dirname "$0")/lib.bash" "$@"
REPORT=$(realpath "$REPORT")
MAKE_TEST_STORE="$(dirname "$REPORT")/make_test_store"

mkdir results
"$MAKE_TEST_STORE" results/runs.db
[ "$(sql results/runs.db "PRAGMA journal_mode")" = wal ] || fail "the store should be in WAL mode, as the runner leaves it"
rm -f results/runs.db-shm results/runs.db-wal
expect_exit 0 writable.log -- "$REPORT" --db results/runs.db table
rm -f results/runs.db-shm results/runs.db-wal

if [ "$(id -u)" = 0 ]; then
  # Permissions do not stop root: a read-only bind mount in a mount namespace of its own.
  # Its mounts are made private, so that none reaches the parent namespace; in a chroot
  # whose / is not a mount point (tools/test's Debian 13 root) that step fails, and the
  # namespace keeps the propagation of its parent, which tools/test made private itself.
  unshare --mount --propagation unchanged true 2>/dev/null ||
    skip "root here cannot make a mount namespace (unshare --mount needs CAP_SYS_ADMIN) for a read-only mount"
  propagation=private
  unshare --mount --propagation private true 2>/dev/null || propagation=unchanged
  expect_exit 0 read_only.log -- unshare --mount --propagation "$propagation" bash -c \
    'mount --bind results results && mount -o remount,bind,ro results && exec "$0" --db results/runs.db table' "$REPORT"
else
  chmod a-w results
  status=0
  "$REPORT" --db results/runs.db table >read_only.log 2>&1 || status=$?
  chmod u+w results
  [ "$status" = 0 ] || { cat read_only.log >&2; fail "report on a read-only folder exited $status"; }
fi
diff writable.log read_only.log || fail "a read-only store must read as the writable one does"
[ ! -e results/runs.db-shm ] && [ ! -e results/runs.db-wal ] || fail "reading must write nothing next to the store"
echo ok
