#!/usr/bin/env bash
# Class names: a real run on the synthetic data set (which names its classes class_0,
# class_1, ...) stores them (migration 0005), and report shows them in `report
# confusion`, `report show` (confusion matrix and per-class metrics), the HTML page's
# confusion matrices and per-class F1, and after `report merge`; a store without names
# falls back to the class indices.
# usage: report_class_names.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"

write_synthetic_experiment grid.yaml
expect_exit 0 run.log -- "$RUNNER" grid.yaml --db runs.db --plugins "$PLUGIN_DIR" "seeds=[0]"
[[ $(sql runs.db "SELECT group_concat(name, ',') FROM (SELECT name FROM class_names WHERE run_id = 1 ORDER BY class_index)") == \
  class_0,class_1,class_2,class_3 ]] || fail "run 1 did not store its class names: $(sql runs.db 'SELECT * FROM class_names')"

expect_exit 0 confusion.log -- "$REPORT" confusion --db runs.db
expect_in confusion.log "   0 class_0"
expect_in confusion.log "   3 class_3"
expect_exit 0 confusion_json.log -- "$REPORT" confusion --db runs.db --format json
python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))["matrices"]
assert all(x["classes"] == ["class_0", "class_1", "class_2", "class_3"] for x in m), m' confusion_json.log ||
  fail "report confusion --format json: no class names"
expect_exit 0 show.log -- "$REPORT" show 1 --db runs.db
expect_in show.log "f1/2 (class_2)"
expect_in show.log "3 class_3"
expect_exit 0 html.log -- "$REPORT" html --db runs.db -o report.html
expect_in report.html ">class_3</text>"
expect_in report.html "true class_1, predicted"

# report merge copies the names with the runs.
expect_exit 0 merge.log -- "$REPORT" merge merged.db runs.db
expect_exit 0 merged.log -- "$REPORT" confusion --db merged.db
expect_in merged.log "   2 class_2"

# A store without names (runs recorded before migration 0005) shows the indices.
sql runs.db "DELETE FROM class_names"
expect_exit 0 plain.log -- "$REPORT" confusion --db runs.db
if grep -q class_ plain.log; then fail "names shown for a store that has none: $(cat plain.log)"; fi
expect_in plain.log "   3      "
expect_exit 0 plain_show.log -- "$REPORT" show 1 --db runs.db
expect_in plain_show.log "test   f1/2  "
echo "report_class_names: all checks passed"
