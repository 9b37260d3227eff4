#!/usr/bin/env bash
# docs/report.schema.json describes every `report --format json` document: the real output
# of each command on a make_test_store store validates, and documents broken on purpose
# (a key missing, one too many, a wrong type, another schema_version or kind) do not.
source "$(dirname "$0")/lib.bash"

python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is missing"
schema="$SOURCE_DIR/docs/report.schema.json"
make_test_store="$(dirname "$REPORT")/make_test_store"
"$make_test_store" runs.db
"$make_test_store" empty.db --empty
# A tag, a note and an archived run, so that the listing and `show` have them.
expect_exit 0 manage.log -- "$REPORT" --db runs.db tag 3 paper=fig2 seen=yes
expect_exit 0 manage.log -- "$REPORT" --db runs.db note 3 "the run in figure 2"
expect_exit 0 manage.log -- "$REPORT" --db runs.db archive 4

# json NAME ARGS...: report ARGS --format json into NAME.json.
json() {
  local name=$1
  shift
  expect_exit 0 "$name.json" -- "$REPORT" "$@" --format json
}
json list --db runs.db
json list_failed --db runs.db --status failed
json list_empty --db empty.db
json list_all --db runs.db --all
json list_archived --db runs.db --archived
json compare --db runs.db --compare baseline wide
json compare_metrics --db runs.db compare baseline wide --metric test.accuracy test.f1_macro val.accuracy test.loss
json compare_per_seed --db runs.db --compare baseline wide --per-seed
json table --db runs.db table
json table_per_seed --db runs.db table --per-seed
json table_model --db runs.db table --metric test.accuracy test.loss --by model
json power --db runs.db power baseline wide --delta 0.01 --delta 0.05
json show --db runs.db show 3
json show_failed --db runs.db show "$(sqlite3 runs.db "select id from runs where status = 'failed' limit 1")"
json curves --db runs.db curves
json curves_loss --db runs.db curves --series train_loss --arm wide
json confusion --db runs.db confusion --resolution 28
json confusion_run --db runs.db confusion 3
json diff --db runs.db diff 3 9
json diff_metrics --db runs.db diff 3 9 --metrics

python3 - "$schema" *.json <<'PY' || fail "the JSON documents and docs/report.schema.json disagree"
import copy, json, sys
import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
ok = True
documents = {}
for path in sys.argv[2:]:
    document = json.load(open(path))
    documents[path] = document
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors[:5]:
        print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    ok = ok and not errors
kinds = {d["kind"] for d in documents.values()}
expected = {"runs", "comparison", "table", "power", "run", "curves", "confusion", "diff"}
if kinds != expected:
    print("kinds written:", sorted(kinds), "expected:", sorted(expected)); ok = False

# Broken on purpose: each must fail.
def broken(name, path, change):
    global ok
    document = copy.deepcopy(documents[path])
    change(document)
    if validator.is_valid(document):
        print(f"a broken document validates: {name}"); ok = False

broken("no rows", "compare.json", lambda d: d.pop("rows"))
broken("a compare row without welch", "compare.json", lambda d: d["rows"][0].pop("welch"))
broken("an unknown key in a compare row", "compare.json", lambda d: d["rows"][0].update(welch_q=1))
broken("n as text", "compare.json", lambda d: d["rows"][0]["a"].update(n="3"))
broken("an interval of three", "compare.json", lambda d: d["rows"][0].update(ci95=[0, 1, 2]))
broken("schema_version 1", "list.json", lambda d: d.update(schema_version=1))
broken("an unknown kind", "list.json", lambda d: d.update(kind="listing"))
broken("a run without its status", "list.json", lambda d: d["runs"][0].pop("status"))
broken("an unknown status", "list.json", lambda d: d["runs"][0].update(status="done"))
broken("a tag value that is a number", "list_all.json",
       lambda d: next(r for r in d["runs"] if r["tags"])["tags"].update(paper=2))
broken("a listing without archived_not_listed", "list.json", lambda d: d.pop("archived_not_listed"))
broken("a table cell without n", "table.json", lambda d: d["tables"][0]["rows"][0]["cells"][0].pop("n"))
broken("a table cell with two axis values", "table.json",
       lambda d: d["tables"][0]["rows"][0]["cells"][0].update(model="x"))
broken("a curve epoch's mean as text", "curves.json", lambda d: d["curves"][0]["epochs"][0].update(mean="0.8"))
broken("a per-seed run without its seed", "compare_per_seed.json", lambda d: d["rows"][0]["a"]["runs"][0].pop("seed"))
broken("a per-seed cell with two axis values", "table_per_seed.json",
       lambda d: d["tables"][0]["rows"][0]["cells"][0].update(model="x"))
broken("confusion counts flat", "confusion.json", lambda d: d["matrices"][0].update(counts=[1, 2, 3, 4]))
broken("power without alpha", "power.json", lambda d: d.pop("alpha"))
broken("show without its run id", "show.json", lambda d: d["run"].pop("id"))
broken("diff metrics as an object", "diff_metrics.json", lambda d: d.update(metrics={}))
print(f"report_json_schema: {len(documents)} documents of {len(kinds)} kinds validate; 20 broken ones do not")
sys.exit(0 if ok else 1)
PY
echo "report_json_schema: ok"
