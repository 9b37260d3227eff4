#!/usr/bin/env bash
# Run management on a real store with real checkpoints (a tiny synthetic grid): report tag
# and note, shown by every listing format and filtered on by --where; archive hides runs
# from every command and moves their checkpoint, unarchive brings them back; rm deletes a
# run's rows in every table and its checkpoint file, refuses a running run; merge carries
# tags, notes and archived runs, idempotently.
source "$(dirname "$0")/lib.bash" "$@"

write_synthetic_experiment grid.yaml
expect_exit 0 train.log -- "$RUNNER" grid.yaml --db runs.db
run_id() { sql runs.db "SELECT id FROM runs WHERE arm = '$1' AND seed = $2 AND archived_at IS NULL"; }
b0=$(run_id baseline 0) b1=$(run_id baseline 1) n0=$(run_id narrow 0) n1=$(run_id narrow 1)
checkpoint() { sql runs.db "SELECT checkpoint FROM runs WHERE id = $1"; }
# The ids a CSV listing holds, in order, space-separated (a note may span lines).
csv_ids() { python3 -c 'import csv, sys; print(" ".join(r["id"] for r in csv.DictReader(open(sys.argv[1]))))' "$1"; }
for id in "$b0" "$b1" "$n0" "$n1"; do
  [ -f "runs.db.artifacts/$(checkpoint "$id")" ] || fail "run $id has no checkpoint file"
done

# --- tag and note ---------------------------------------------------------------------
expect_exit 0 tag.log -- "$REPORT" --db runs.db tag "$b0" "$b1" reviewed=yes lr=high
expect_in tag.log "run $b0 (baseline r16 s0, finished): lr=high, reviewed=yes"
expect_exit 0 untag.log -- "$REPORT" --db runs.db tag "$b1" lr= --remove reviewed
expect_in untag.log "run $b1 (baseline r16 s1, finished): no tags"
# The config-hash prefix names a run as report show takes it.
hash_b0=$(sql runs.db "SELECT substr(config_hash, 1, 8) FROM runs WHERE id = $b0")
expect_exit 0 note.log -- "$REPORT" --db runs.db note "$hash_b0" "lr too high?
see the curve"
expect_in note.log "run $b0 (baseline r16 s0, finished): note set"
expect_exit 2 bad_key.log -- "$REPORT" --db runs.db tag "$b0" "bad key=1"
expect_in bad_key.log "bad tag key 'bad key'"
expect_exit 2 no_tags.log -- "$REPORT" --db runs.db tag "$b0"
expect_in no_tags.log "tag needs KEY=VALUE"
expect_exit 2 unknown_run.log -- "$REPORT" --db runs.db tag 999 a=1
expect_in unknown_run.log "no run '999'"
expect_exit 2 missing_store.log -- "$REPORT" --db typo.db note "$b0" x
[ ! -e typo.db ] || fail "a write command must not create a store"

# Every listing format shows them.
expect_exit 0 list.log -- "$REPORT" --db runs.db
expect_in list.log "lr=high, reviewed=yes"
expect_in list.log "lr too high?"
grep -q "see the curve" list.log && fail "the listing shows a note's first line only"
expect_exit 0 list.md -- "$REPORT" --db runs.db --format markdown
expect_in list.md "| lr=high, reviewed=yes | lr too high? |"
expect_exit 0 list.csv -- "$REPORT" --db runs.db --format csv
expect_exit 0 list.json -- "$REPORT" --db runs.db --format json
python3 - "$b0" "$b1" <<'PY' || fail "csv or json listing lacks the tags or the note"
import csv, json, sys
b0, b1 = int(sys.argv[1]), int(sys.argv[2])
rows = {int(r["id"]): r for r in csv.DictReader(open("list.csv"))}
assert json.loads(rows[b0]["tags"]) == {"lr": "high", "reviewed": "yes"}, rows[b0]
assert rows[b0]["note"] == "lr too high?\nsee the curve" and rows[b1]["tags"] == "", rows[b1]
runs = {r["id"]: r for r in json.load(open("list.json"))["runs"]}
assert runs[b0]["tags"] == {"lr": "high", "reviewed": "yes"} and runs[b0]["note"].startswith("lr too high?")
assert runs[b1]["tags"] == {} and runs[b1]["note"] is None and runs[b1]["archived_at"] is None
PY
expect_exit 0 show.log -- "$REPORT" --db runs.db show "$b0"
expect_in show.log "lr=high, reviewed=yes"
expect_in show.log "see the curve"
# The HTML page's run browser: tag and note columns, the note in full in the run's section.
expect_exit 0 html.log -- "$REPORT" --db runs.db html -o page.html
expect_in page.html "<th data-sort=\"text\">tags</th><th data-sort=\"text\">note</th>"
expect_in page.html "<td>lr=high, reviewed=yes</td>"
expect_in page.html "<pre class=\"note\">lr too high?"

# --where on tags and notes.
expect_exit 0 where.csv -- "$REPORT" --db runs.db --where "tag.reviewed = 'yes' and note like '%lr%'" --format csv
[ "$(csv_ids where.csv)" = "$b0" ] || { cat where.csv; fail "--where on tag and note"; }
expect_exit 2 where_typo.log -- "$REPORT" --db runs.db --where "tag.reviewd = 'yes'"
expect_in where_typo.log "did you mean 'reviewed'"

# --- archive ----------------------------------------------------------------------------
live_checkpoint=$(checkpoint "$n1")
expect_exit 0 archive.log -- "$REPORT" --db runs.db archive "$n1"
expect_in archive.log "archived run $n1 (narrow r16 s1, finished)"
[ -f "runs.db.artifacts/archive/$n1/best.pt" ] || fail "the archived run's checkpoint moved to archive/$n1/"
[ ! -e "runs.db.artifacts/$live_checkpoint" ] || fail "the live path is free for a new run of the cell"
[ "$(checkpoint "$n1")" = "archive/$n1/best.pt" ] || fail "the store names the moved checkpoint"
expect_exit 0 hidden.csv -- "$REPORT" --db runs.db --format csv
[[ " $(csv_ids hidden.csv) " != *" $n1 "* ]] || fail "an archived run is not listed"
expect_exit 0 hidden.log -- "$REPORT" --db runs.db
expect_in hidden.log "1 archived run not listed: --archived lists it"
expect_exit 0 archived.csv -- "$REPORT" --db runs.db --archived --format csv
[ "$(csv_ids archived.csv)" = "$n1" ] || { cat archived.csv; fail "--archived lists the archived run"; }
expect_exit 0 all.csv -- "$REPORT" --db runs.db --all --format csv
[ "$(csv_ids all.csv | wc -w)" = 4 ] || fail "--all lists live and archived runs"
# Compared and tabled without it: narrow has one seed left, two with --all.
seeds_of_narrow() {
  "$REPORT" --db runs.db --compare baseline narrow --bootstrap 0 --format json "$@" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["rows"][0]["b"]["n"])'
}
[ "$(seeds_of_narrow)" = 1 ] || fail "compare leaves the archived run out"
[ "$(seeds_of_narrow --all)" = 2 ] || fail "compare --all counts it"
# Its checkpoint still serves: runner evaluate finds it where the store says.
expect_exit 0 evaluate.log -- "$RUNNER" evaluate "$n1" --db runs.db
# Archiving a running run is refused (a runner is training it: this shell stands in).
sql runs.db "UPDATE runs SET status = 'running', heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
             host = '$(uname -n)', pid = $$ WHERE id = $n0"
expect_exit 2 archive_running.log -- "$REPORT" --db runs.db archive "$n0"
expect_in archive_running.log "is running"
expect_exit 2 rm_running.log -- "$REPORT" --db runs.db rm "$n0"
expect_in rm_running.log "--force removes it anyway"
[ "$(sql runs.db "SELECT archived_at IS NULL FROM runs WHERE id = $n0")" = 1 ] || fail "nothing changed"
sql runs.db "UPDATE runs SET status = 'finished' WHERE id = $n0"
# Restored: listed again, its checkpoint back where the runner keeps it.
expect_exit 0 undo.log -- "$REPORT" --db runs.db archive --undo "$n1"
expect_in undo.log "restored run $n1 (narrow r16 s1, finished)"
[ -f "runs.db.artifacts/$live_checkpoint" ] || fail "the checkpoint is back at $live_checkpoint"
[ "$(checkpoint "$n1")" = "$live_checkpoint" ] || fail "the store names it there again"
expect_exit 0 back.csv -- "$REPORT" --db runs.db --format csv
[[ " $(csv_ids back.csv) " == *" $n1 "* ]] || fail "a restored run is listed"
# By filter: every run tagged reviewed=yes.
expect_exit 0 archive_where.log -- "$REPORT" --db runs.db archive --where "tag.reviewed = 'yes'"
expect_in archive_where.log "archived run $b0"
[ "$(sql runs.db "SELECT group_concat(id) FROM runs WHERE archived_at IS NOT NULL")" = "$b0" ] ||
  fail "archive --where archives exactly the matching runs"

# --- merge carries tags, notes and archived runs ------------------------------------------
# OUT holds other runs first, so that the merged runs get other ids than in runs.db.
MAKE_TEST_STORE="$(dirname "$(realpath "$REPORT")")/make_test_store"
"$MAKE_TEST_STORE" merged.db
expect_exit 0 merge.log -- "$REPORT" merge merged.db runs.db
merged_b0=$(sql merged.db "SELECT id FROM runs WHERE config_hash = '$(sql runs.db "SELECT config_hash FROM runs WHERE id = $b0")'")
[ "$merged_b0" != "$b0" ] || fail "the test needs merged ids to differ"
[ "$(sql merged.db "SELECT archived_at IS NOT NULL, note FROM runs WHERE id = $merged_b0")" = "1|lr too high?
see the curve" ] || fail "merge carries the archived state and the note"
[ "$(sql merged.db "SELECT group_concat(key || '=' || value) FROM run_tags WHERE run_id = $merged_b0")" = \
  "lr=high,reviewed=yes" ] || fail "merge carries the tags"
[ "$(sql merged.db "SELECT checkpoint FROM runs WHERE id = $merged_b0")" = "archive/$merged_b0/best.pt" ] ||
  fail "an archived run's checkpoint is named by its id in OUT"
cmp "merged.db.artifacts/archive/$merged_b0/best.pt" "runs.db.artifacts/archive/$b0/best.pt" ||
  fail "the archived checkpoint was copied"
counts() { for t in runs epochs metrics run_tags grid_runs; do printf '%s=%s ' $t "$(sql "$1" "SELECT count(*) FROM $t")"; done; }
before=$(counts merged.db)
expect_exit 0 merge_again.log -- "$REPORT" merge merged.db runs.db
expect_in merge_again.log "0 runs added"
[ "$(counts merged.db)" = "$before" ] || fail "merging again changed $before into $(counts merged.db)"

# --- rm ---------------------------------------------------------------------------------
per_table() {  # rows that reference run $1, in every table that references runs
  for t in epochs metrics matrices predictions grid_runs run_tags class_names; do
    printf '%s=%s ' $t "$(sql runs.db "SELECT count(*) FROM $t WHERE run_id = $1")"
  done
}
b0_checkpoint=$(checkpoint "$b0")
before=$(per_table "$b0")
expect_exit 0 rm_dry.log -- "$REPORT" --db runs.db rm "$b0" --dry-run
expect_in rm_dry.log "would remove run $b0 (baseline r16 s0, finished, archived): class_names 4, epochs 2, grid_runs 1,"
expect_in rm_dry.log "run_tags 2"
expect_in rm_dry.log "runs.db.artifacts/$b0_checkpoint"
[ "$(per_table "$b0")" = "$before" ] && [ -f "runs.db.artifacts/$b0_checkpoint" ] || fail "a dry run removes nothing"
expect_exit 0 rm.log -- "$REPORT" --db runs.db rm "$b0" "$b1"
expect_in rm.log "removed run $b0 (baseline r16 s0, finished, archived): class_names 4, epochs 2, grid_runs 1,"
expect_in rm.log "removed run $b1"
for id in "$b0" "$b1"; do
  [ "$(sql runs.db "SELECT count(*) FROM runs WHERE id = $id")" = 0 ] || fail "run $id is gone"
  [ "$(per_table "$id")" = "epochs=0 metrics=0 matrices=0 predictions=0 grid_runs=0 run_tags=0 class_names=0 " ] ||
    fail "rows of run $id are left: $(per_table "$id")"
done
[ ! -e "runs.db.artifacts/$b0_checkpoint" ] || fail "the checkpoint file of run $b0 is removed"
[ ! -e "runs.db.artifacts/archive" ] || fail "the emptied archive folder is removed"
[ -f "runs.db.artifacts/$(checkpoint "$n0")" ] || fail "other runs keep their checkpoints"
[ -z "$(sql runs.db "PRAGMA foreign_key_check")" ] && [ "$(sql runs.db "PRAGMA integrity_check")" = ok ] ||
  fail "the store is intact"
expect_exit 2 rm_none.log -- "$REPORT" --db runs.db rm
expect_in rm_none.log "rm needs RUNs"
echo ok
