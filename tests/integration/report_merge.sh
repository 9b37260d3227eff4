#!/usr/bin/env bash
# report merge: shard stores combine into their union, merging twice changes nothing, a
# finished run replaces a failed one with the same config hash, the result is intact.
# usage: report_merge.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"
REPORT=$(realpath "$REPORT")
MAKE_TEST_STORE="$(dirname "$REPORT")/make_test_store"

counts() {  # row counts of every table but grids, one line
  local table out=""
  for table in runs epochs metrics matrices predictions grid_runs; do
    out+="$table=$(sql "$1" "SELECT count(*) FROM $table") "
  done
  echo "$out"
}

"$MAKE_TEST_STORE" whole.db
"$MAKE_TEST_STORE" shard0.db --shard 0/2
"$MAKE_TEST_STORE" shard1.db --shard 1/2
[[ $(sql shard0.db "SELECT count(*) FROM runs") -gt 0 ]] || fail "shard 0 is empty"
[[ $(sql shard1.db "SELECT count(*) FROM runs") -gt 0 ]] || fail "shard 1 is empty"

# Two shards: their union, same rows as the unsharded store.
expect_exit 0 merge.log -- "$REPORT" merge merged.db shard0.db shard1.db
expect_in merge.log "runs added"
[[ $(counts merged.db) == "$(counts whole.db)" ]] ||
  fail "merged shards: $(counts merged.db); whole store: $(counts whole.db)"
# A grid row is one invocation: each shard's stays, its runs linked to it.
[[ $(sql merged.db "SELECT count(*) FROM grids") == 2 ]] || fail "expected the two shards' grids"
[[ $(sql merged.db "PRAGMA integrity_check") == ok ]] || fail "integrity_check failed"
[[ -z $(sql merged.db "PRAGMA foreign_key_check") ]] || fail "foreign_key_check failed"
# Same config hashes, and each run's children moved with it (remapped ids).
hashes() { sql "$1" "SELECT config_hash FROM runs ORDER BY config_hash" | md5sum; }
[[ $(hashes merged.db) == "$(hashes whole.db)" ]] || fail "merged hashes differ"
per_run() {
  sql "$1" "SELECT r.config_hash, (SELECT count(*) FROM epochs e WHERE e.run_id = r.id),
            (SELECT group_concat(m.split || '.' || m.name || '=' || m.value, ';') FROM metrics m WHERE m.run_id = r.id),
            (SELECT length(p.scores) FROM predictions p WHERE p.run_id = r.id)
            FROM runs r ORDER BY r.config_hash" | md5sum
}
[[ $(per_run merged.db) == "$(per_run whole.db)" ]] || fail "epochs, metrics or predictions did not follow their runs"
# Which Ablate recorded each run comes along with it (make_test_store's fixed version).
[[ $(sql merged.db "SELECT DISTINCT coalesce(ablate_version, 'NULL') FROM runs") == 0.0.0+g0000000 ]] ||
  fail "ablate_version was not carried across"
# report reads the merged store like the original.
diff <("$REPORT" --db merged.db --compare baseline wide --format csv) \
     <("$REPORT" --db whole.db --compare baseline wide --format csv) || fail "compare differs after merge"

# Idempotent: merging the same stores again changes no count.
before="$(counts merged.db) grids=$(sql merged.db "SELECT count(*) FROM grids")"
expect_exit 0 again.log -- "$REPORT" merge merged.db shard0.db shard1.db
after="$(counts merged.db) grids=$(sql merged.db "SELECT count(*) FROM grids")"
[[ $after == "$before" ]] || fail "second merge changed counts: $before -> $after"
expect_in again.log "merged shard0.db into merged.db: 0 runs added, 0 replaced by a finished run"

# A finished run wins over a failed one with the same config hash, whichever comes first.
cp whole.db failed.db
sql failed.db "UPDATE runs SET status = 'failed', error = 'boom' WHERE config_hash = 'wide-r14-s1';
               DELETE FROM metrics WHERE run_id = (SELECT id FROM runs WHERE config_hash = 'wide-r14-s1')"
expect_exit 0 fix.log -- "$REPORT" merge fixed.db failed.db whole.db
expect_in fix.log "1 replaced by a finished run"
[[ $(sql fixed.db "SELECT status FROM runs WHERE config_hash = 'wide-r14-s1'") == finished ]] ||
  fail "the finished run did not replace the failed one"
[[ $(counts fixed.db) == "$(counts whole.db)" ]] || fail "replacing left stray rows: $(counts fixed.db)"
expect_exit 0 keep.log -- "$REPORT" merge kept.db whole.db failed.db
[[ $(sql kept.db "SELECT status FROM runs WHERE config_hash = 'wide-r14-s1'") == finished ]] ||
  fail "a failed run replaced a finished one"

# Refusals: too few stores, a missing input, an input merged into itself. Exit 2.
expect_exit 2 few.log -- "$REPORT" merge only.db
expect_in few.log "report: error: merge needs OUT.db and at least one IN.db"
expect_exit 2 missing.log -- "$REPORT" merge out.db nowhere.db
expect_in missing.log "no store at nowhere.db"
expect_exit 2 self.log -- "$REPORT" merge merged.db merged.db
expect_in self.log "cannot merge merged.db into itself"
echo "report_merge: all checks passed"
