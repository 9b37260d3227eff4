#!/usr/bin/env bash
# report diff RUN RUN: the configuration keys that differ, side by side (a key one run does
# not store reads `default`), then with --metrics the metrics that differ; runs named by
# id or config-hash prefix; table, markdown, csv and json; bad usage exits 2.
# usage: report_diff.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"
REPORT=$(realpath "$REPORT")
MAKE_TEST_STORE="$(dirname "$REPORT")/make_test_store"

"$MAKE_TEST_STORE" runs.db
# Run 3 (wide, seed 1 at 28) gets a train setting the baseline leaves at its default.
sql runs.db "UPDATE runs SET config_json = '{\"arm\":\"wide\",\"resolution\":28,\"seed\":1,\"train\":{\"max_epochs\":3}}'
             WHERE config_hash = 'wide-r28-s1'"
[[ $(sql runs.db "SELECT id FROM runs WHERE config_hash = 'wide-r28-s1'") == 3 ]] || fail "make_test_store's ids moved"

expect_exit 0 diff.log -- "$REPORT" diff 3 baseline-r28-s1 --db runs.db
cat >expected.txt <<'TEXT'
run 3 (wide-r28-s1, wide, finished) against run 9 (baseline-r28, baseline, finished) in runs.db

key               run 3  run 9
----------------  -----  --------
arm               wide   baseline
train.max_epochs  3      default

2 keys differ, 2 the same; `default`: not stored, the setting's default
TEXT
diff -u expected.txt diff.log || fail "report diff 3 baseline-r28-s1: unexpected table"

expect_exit 0 metrics.log -- "$REPORT" diff wide-r28-s1 9 --db runs.db --metrics
expect_in metrics.log "metrics that differ"
expect_in metrics.log $'test.accuracy  0.973  0.946  \u22120.0270'  # a minus sign (U+2212), not a hyphen
if grep -q '^seed' metrics.log; then fail "seed 1 and seed 1 reported as different"; fi

expect_exit 0 same.log -- "$REPORT" diff 3 3 --db runs.db --metrics
expect_in same.log "the configurations are the same (4 keys)"
expect_in same.log "none: every metric has the same value"

expect_exit 0 markdown.log -- "$REPORT" diff 3 9 --db runs.db --format markdown
expect_in markdown.log "| train.max_epochs | 3"
expect_exit 0 csv.log -- "$REPORT" diff 3 9 --db runs.db --format csv --metrics
expect_in csv.log "config,train.max_epochs,3,9,3,"
expect_in csv.log "metric,test.accuracy,3,9,0.97300000000000"
expect_exit 0 json.log -- "$REPORT" diff 3 9 --db runs.db --format json --metrics
python3 - json.log <<'PY' || fail "report diff --format json: unexpected document"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["kind"] == "diff" and doc["schema_version"] >= 2, doc
assert doc["a"]["id"] == 3 and doc["b"]["id"] == 9, doc
assert doc["keys"] == [{"key": "arm", "a": "wide", "b": "baseline"},
                       {"key": "train.max_epochs", "a": "3", "b": None}], doc["keys"]
assert doc["same_keys"] == 2, doc
accuracy = [m for m in doc["metrics"] if m["metric"] == "test.accuracy"][0]
assert abs(accuracy["difference"] - (0.946 - 0.973)) < 1e-12, accuracy
PY

expect_exit 2 one.log -- "$REPORT" diff 3 --db runs.db
expect_in one.log "report: error: diff takes two runs"
expect_exit 2 unknown.log -- "$REPORT" diff 3 999 --db runs.db
expect_in unknown.log "no run '999'"
expect_exit 2 ambiguous.log -- "$REPORT" diff 3 base --db runs.db
expect_in ambiguous.log "is ambiguous"
expect_exit 2 format.log -- "$REPORT" diff 3 9 --db runs.db --format yaml
echo "report_diff: all checks passed"
