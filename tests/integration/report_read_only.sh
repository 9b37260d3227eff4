# report reads a store in a folder it cannot write (a read-only mount, another user's
# results folder): SQLite cannot create the WAL index (-shm) there, so report opens such
# a store immutable, and prints what it prints for a writable one, writing nothing.
# Every command but merge and the five that change runs (tag, note, archive, unarchive,
# rm) only reads, wherever the store is; those five refuse a read-only store, changing
# nothing.
source "$(dirname "$0")/lib.bash" "$@"
REPORT=$(realpath "$REPORT")
MAKE_TEST_STORE="$(dirname "$REPORT")/make_test_store"

mkdir results
"$MAKE_TEST_STORE" results/runs.db
[ "$(sql results/runs.db "PRAGMA journal_mode")" = wal ] || fail "the store should be in WAL mode, as the runner leaves it"
rm -f results/runs.db-shm results/runs.db-wal

# The reading commands in a folder SQLite may write to: the store's content and its file's
# bytes are the same after all of them.
content() { sqlite3 results/runs.db .dump | md5sum; }
before=$(content)
bytes=$(cksum <results/runs.db)
for command in "list" "table" "show 3" "diff 3 4" "compare baseline wide" "power baseline wide" "curves" \
  "confusion" "confusion 3" "arms" "metrics" "html -o page.html" "--compare baseline wide --format json" \
  "--where test.accuracy>0.9 --archived" "--all --format csv"; do
  # shellcheck disable=SC2086 # the words of $command are the arguments
  expect_exit 0 read.log -- "$REPORT" --db results/runs.db $command
done
[ "$(content)" = "$before" ] || fail "a reading command changed the store's content"
[ "$(cksum <results/runs.db)" = "$bytes" ] || fail "a reading command changed the store file"
rm -f results/runs.db-shm results/runs.db-wal
expect_exit 0 writable.log -- "$REPORT" --db results/runs.db table
rm -f results/runs.db-shm results/runs.db-wal

# in_read_only_folder LOG STATUS COMMAND...: runs COMMAND with results/ read-only, expects
# exit STATUS.
if [ "$(id -u)" = 0 ]; then
  # Permissions do not stop root: a read-only bind mount in a mount namespace of its own.
  # Its mounts are made private, so that none reaches the parent namespace; in a chroot
  # whose / is not a mount point (tools/test's Debian 13 root) that step fails, and the
  # namespace keeps the propagation of its parent, which tools/test made private itself.
  command -v mount >/dev/null || skip "needs the mount program (Debian package mount)"
  unshare --mount --propagation unchanged true 2>/dev/null ||
    skip "root here cannot make a mount namespace (unshare --mount needs CAP_SYS_ADMIN) for a read-only mount"
  propagation=private
  unshare --mount --propagation private true 2>/dev/null || propagation=unchanged
  in_read_only_folder() {
    expect_exit "$2" "$1" -- unshare --mount --propagation "$propagation" bash -c \
      'mount --bind results results && mount -o remount,bind,ro results && exec "$@"' bash "${@:3}"
  }
else
  in_read_only_folder() {
    chmod a-w results
    local status=0
    "${@:3}" >"$1" 2>&1 || status=$?
    chmod u+w results
    [ "$status" = "$2" ] || { cat "$1" >&2; fail "expected exit $2, got $status: ${*:3}"; }
  }
fi
in_read_only_folder read_only.log 0 "$REPORT" --db results/runs.db table
diff writable.log read_only.log || fail "a read-only store must read as the writable one does"
[ ! -e results/runs.db-shm ] && [ ! -e results/runs.db-wal ] || fail "reading must write nothing next to the store"

# The commands that change runs say they cannot, and change nothing.
for command in "tag 3 reviewed=yes" "note 3 text" "archive 3" "unarchive 3" "rm 3"; do
  # shellcheck disable=SC2086
  in_read_only_folder write.log 2 "$REPORT" --db results/runs.db $command
  expect_in write.log "cannot change results/runs.db: it or its folder is read-only"
done
[ "$(content)" = "$before" ] || fail "a refused write changed the store"
# Where they can write, they do (so the checks above could see a change).
expect_exit 0 tag.log -- "$REPORT" --db results/runs.db tag 3 reviewed=yes
[ "$(content)" != "$before" ] || fail "report tag wrote nothing"
echo ok
