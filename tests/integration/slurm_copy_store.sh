#!/usr/bin/env bash
# runner --copy-store FROM TO, how a Slurm task's shard leaves the node and comes back
# (no Slurm needed): a consistent snapshot of a store a runner is writing right now (WAL
# mode: committed rows can still be in FROM-wal), with its checkpoints, left as one
# self-contained file; an older TO and its stale -wal are replaced; bad input exits 2.
# usage: slurm_copy_store.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"

write_long_experiment long.yaml
"$RUNNER" long.yaml --db live.db >live.log 2>&1 &
runner_pid=$!
trap 'kill -TERM "$runner_pid" 2>/dev/null || true; wait "$runner_pid" 2>/dev/null || true; rm -rf "$WORK"' EXIT
epochs_at_least() { (($(sql live.db "SELECT count(*) FROM epochs" 2>/dev/null || echo 0) >= $1)); }
for _ in $(seq 240); do epochs_at_least 2 && break; sleep 0.5; done
epochs_at_least 2 || { cat live.log; fail "the runner recorded no two epochs in 120 s"; }
[[ $(sql live.db "PRAGMA journal_mode") == wal ]] || fail "the live store is not in WAL mode"

# Taken while the runner writes: every epoch recorded before the copy is in it.
before=$(sql live.db "SELECT count(*) FROM epochs")
mkdir "to folder"
expect_exit 0 copy.log -- "$RUNNER" --copy-store live.db "to folder/shard \$1 'x'.db"
copy="to folder/shard \$1 'x'.db"
[[ $(sql "$copy" "PRAGMA integrity_check") == ok ]] || fail "the copy is damaged"
[[ $(sql "$copy" "PRAGMA journal_mode") == delete ]] || fail "the copy is not in rollback-journal mode"
[[ $(sql "$copy" "SELECT count(*) FROM epochs") -ge $before ]] ||
  fail "the copy has $(sql "$copy" "SELECT count(*) FROM epochs") epochs; $before were recorded before it"
[[ $(sql "$copy" "SELECT status FROM runs") == running ]] || fail "the copy should show the run as it was: running"
[[ -z $(ls "to folder" | grep -v -e "^shard \\\$1 'x'.db$" -e "^shard \\\$1 'x'.db.artifacts$") ]] ||
  fail "the copy left other files in its folder: $(ls "to folder")"
# Its checkpoints came along, whole.
if [[ -d live.db.artifacts ]]; then
  diff -r live.db.artifacts "$copy.artifacts" >/dev/null 2>&1 || {
    # The runner may have saved a newer best epoch since; the files must at least be there.
    [[ $(cd live.db.artifacts && find . -type f | sort) == $(cd "$copy.artifacts" && find . -type f | sort) ]] ||
      fail "the checkpoints did not come along: $(find "$copy.artifacts")"
  }
fi

# Stop the runner: it records the run as killed; a second copy replaces the first, and a
# stale -wal beside the old copy is not replayed into the new one.
kill -INT "$runner_pid"
status=0
wait "$runner_pid" || status=$?
[[ $status == 130 ]] || { cat live.log; fail "the interrupted runner exited $status, not 130"; }
cp live.db-wal "$copy-wal" 2>/dev/null || printf 'not a wal' >"$copy-wal"
expect_exit 0 again.log -- "$RUNNER" --copy-store live.db "$copy"
[[ ! -e "$copy-wal" ]] || fail "a stale -wal was left beside the new copy"
[[ $(sql "$copy" "SELECT status FROM runs") == killed ]] || fail "the second copy does not show the run killed"
[[ $(sql "$copy" "SELECT count(*) FROM epochs") == $(sql live.db "SELECT count(*) FROM epochs") ]] ||
  fail "the second copy lost epochs"
[[ $(sql "$copy" "PRAGMA integrity_check") == ok ]] || fail "the second copy is damaged"

# Bad input: exit 2, the store named, nothing written.
expect_exit 2 missing.log -- "$RUNNER" --copy-store nowhere.db out.db
expect_in missing.log "nowhere.db"
[[ ! -e out.db ]] || fail "a failed copy wrote out.db"
echo "not sqlite" >junk.db
expect_exit 2 junk.log -- "$RUNNER" --copy-store junk.db out.db
expect_in junk.log "junk.db"
[[ ! -e out.db ]] || fail "a failed copy wrote out.db"
expect_exit 2 one.log -- "$RUNNER" --copy-store live.db
expect_in one.log "--copy-store needs two stores: FROM.db TO.db"
echo "slurm_copy_store: all checks passed"
