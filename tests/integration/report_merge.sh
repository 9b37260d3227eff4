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

# Checkpoints come along: the file of each run added goes from IN.db.artifacts/ to
# OUT.db.artifacts/ at the same relative path (runner --evaluate reads it there).
give_checkpoints() {  # give_checkpoints STORE: a checkpoint file for each finished run
  local key
  sql "$1" "UPDATE runs SET checkpoint = substr(config_hash, 1, 16) || '/best.pt' WHERE status = 'finished'"
  for key in $(sql "$1" "SELECT substr(config_hash, 1, 16) FROM runs WHERE status = 'finished'"); do
    mkdir -p "$1.artifacts/$key"
    echo "weights of $key from $1" >"$1.artifacts/$key/best.pt"
  done
}
cp shard0.db "ckpt 0.db" && give_checkpoints "ckpt 0.db"
cp shard1.db "ckpt 1.db" && give_checkpoints "ckpt 1.db"
missing=$(sql "ckpt 1.db" "SELECT checkpoint FROM runs WHERE checkpoint IS NOT NULL LIMIT 1")
rm "ckpt 1.db.artifacts/$missing"
expect_exit 0 ckpt.log -- "$REPORT" merge "with ckpt.db" "ckpt 0.db" "ckpt 1.db"
n0=$(sql "ckpt 0.db" "SELECT count(*) FROM runs WHERE checkpoint IS NOT NULL")
n1=$(sql "ckpt 1.db" "SELECT count(*) FROM runs WHERE checkpoint IS NOT NULL")
[[ $n0 -gt 0 && $n1 -gt 1 ]] || fail "the shards have too few finished runs to test checkpoints"
expect_in ckpt.log "merged ckpt 0.db into with ckpt.db: $(sql "ckpt 0.db" "SELECT count(*) FROM runs") runs added"
expect_in ckpt.log ", $n0 checkpoints copied"
expect_in ckpt.log ", $((n1 - 1)) checkpoints copied (1 named but missing from ckpt 1.db.artifacts/)"
for checkpoint in $(sql "ckpt 0.db" "SELECT checkpoint FROM runs WHERE checkpoint IS NOT NULL"); do
  cmp "ckpt 0.db.artifacts/$checkpoint" "with ckpt.db.artifacts/$checkpoint" || fail "checkpoint $checkpoint differs"
done
[[ $(find "with ckpt.db.artifacts" -type f | wc -l) == $((n0 + n1 - 1)) ]] ||
  fail "expected $((n0 + n1 - 1)) checkpoints in the merged store's artifacts: $(find "with ckpt.db.artifacts" -type f)"
# A checkpoint path that leaves the artifacts folder is refused, and nothing is merged.
cp shard0.db evil.db
sql evil.db "UPDATE runs SET checkpoint = '../../outside.pt' WHERE id = (SELECT min(id) FROM runs)"
expect_exit 2 evil.log -- "$REPORT" merge evil_out.db evil.db
expect_in evil.log "a run's checkpoint '../../outside.pt' is outside evil.db.artifacts/"
[[ $(sql evil_out.db "SELECT count(*) FROM runs") == 0 ]] || fail "a refused merge left runs behind"

# Refusals: too few stores, a missing input, an input merged into itself. Exit 2.
expect_exit 2 few.log -- "$REPORT" merge only.db
expect_in few.log "report: error: merge needs OUT.db and at least one IN.db"
expect_exit 2 missing.log -- "$REPORT" merge out.db nowhere.db
expect_in missing.log "no store at nowhere.db"
expect_exit 2 self.log -- "$REPORT" merge merged.db merged.db
expect_in self.log "cannot merge merged.db into itself"

# A malformed input is named as the culprit, not the output (issue 20, item 11: it said
# "cannot merge into OUT: no such table: src.grids"), and the output keeps what it had.
cp shard0.db damaged.db
sql damaged.db "DROP TABLE grid_runs; DROP TABLE grids"
cp merged.db kept.db
before=$(sql kept.db "SELECT count(*) FROM runs")
expect_exit 2 damaged.log -- "$REPORT" merge kept.db damaged.db
expect_in damaged.log "damaged.db is not a whole Ablate store: it has no table 'grids'"
[[ $(sql kept.db "SELECT count(*) FROM runs") == "$before" ]] || fail "the output lost runs"
cp shard0.db no_column.db
sql no_column.db "ALTER TABLE epochs DROP COLUMN images_per_second"
expect_exit 2 no_column.log -- "$REPORT" merge kept.db no_column.db
expect_in no_column.log "no_column.db is not a whole Ablate store: its table 'epochs' has no column 'images_per_second'"
echo "report_merge: all checks passed"
