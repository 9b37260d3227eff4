#!/usr/bin/env bash
# report's command line on a store of fixed fake runs (make_test_store): the old and the
# new spellings of a command print the same; a mistyped command, option, arm, metric or
# store names the nearest one and exits 2; --version and every command's --help answer.
source "$(dirname "$0")/lib.bash"

MAKE_TEST_STORE="$(dirname "$REPORT")/make_test_store"
[[ -x $MAKE_TEST_STORE ]] || fail "$MAKE_TEST_STORE is missing: build it first"
"$MAKE_TEST_STORE" runs.db

# same OUT_NAME ARGS_A -- ARGS_B: report ARGS_A and report ARGS_B exit 0 with the same,
# non-empty output.
same() {
  local name=$1 a=() b=()
  shift
  while [[ $1 != -- ]]; do a+=("$1"); shift; done
  shift
  b=("$@")
  expect_exit 0 "$name.a" -- "$REPORT" "${a[@]}"
  expect_exit 0 "$name.b" -- "$REPORT" "${b[@]}"
  [[ -s $name.a ]] || fail "report ${a[*]} printed nothing"
  cmp -s "$name.a" "$name.b" || { diff "$name.a" "$name.b" >&2; fail "report ${a[*]} and report ${b[*]} differ"; }
}

# refused TEXT ARGS...: report ARGS exits 2, prints TEXT on stderr and nothing on stdout.
refused() {
  local text=$1
  shift
  local status=0
  "$REPORT" "$@" >refused.out 2>refused.err || status=$?
  [[ $status -eq 2 ]] || { cat refused.err >&2; fail "report $* exited $status, expected 2"; }
  expect_in refused.err "$text"
  [[ ! -s refused.out ]] || fail "report $* printed to stdout on error: $(cat refused.out)"
}

# Old spellings and new: `report --compare A B` is `report compare A B`; options go before
# or after the command word; no command is `list`.
same compare --compare baseline wide --format csv -- compare baseline wide --format csv
same compare_after --db runs.db --compare baseline wide --metric test.accuracy test.f1_macro \
  -- compare --metric test.accuracy test.f1_macro --db runs.db baseline wide
same table --db runs.db table --by model -- table --by model --db runs.db
same table_equals --db=runs.db --format=json table -- table --format json
same list -- list --db runs.db
same list_filters --status finished --arm wide -- list --arm wide --status finished
same show --db runs.db show 3 --format json -- show 3 --format json --db runs.db
same power --format csv power baseline wide -- power baseline wide --format csv
same confusion --db runs.db confusion 3 -- confusion --db runs.db 3
same curves --series train_loss curves -- curves --series train_loss
# A long option shortened while it is unambiguous, as Boost.Program_options allowed.
same abbreviated --comp baseline wide --form csv --metr test.loss -- compare baseline wide --format csv --metric test.loss
same abbreviated_before --db runs.db --b model --form=json table -- table --by model --format json

# A mistyped command, option, arm, metric or store: the nearest, exit 2.
refused "report: error: unknown command 'tabel' (did you mean 'table'?)" tabel
refused "unknown command 'tabel' (did you mean 'table'?)" --db runs.db tabel --by model
refused "unknown command 'extra': expected one of list, compare, table" --db runs.db extra
refused "unknown option '--formt' for report table (did you mean '--format'?)" table --formt csv
refused "unknown option '--metrc' for report (did you mean '--metric'?)" --compare baseline wide --metrc test.loss
refused "unknown option '--arm' for report compare" compare --arm wide baseline wide
refused "ambiguous option '--boot' for report: --bootstrap or --bootstrap-seed" --compare baseline wide --boot 5
refused "unknown arm 'basline' in runs.db (did you mean 'baseline'?): the arms are baseline, wide" \
  compare basline wide
refused "unknown arm 'basline' in runs.db (did you mean 'baseline'?)" --compare basline wide
refused "unknown arm 'wdie' in runs.db (did you mean 'wide'?)" power baseline wdie
refused "unknown arm 'wdie' in runs.db (did you mean 'wide'?)" --arm wdie
refused "unknown arm 'wdie' in runs.db (did you mean 'wide'?)" html -o page.html --compare baseline wdie
refused "unknown arm 'tall' in runs.db: the arms are baseline, wide" compare baseline tall
refused "unknown metric 'test.acuracy' in runs.db (did you mean 'test.accuracy'?): the metrics are test.accuracy" \
  --compare baseline wide --metric test.acuracy
refused "unknown metric 'test.f1_macr' in runs.db (did you mean 'test.f1_macro'?)" table --metric test.f1_macr
# --metric takes a list: given before the command, it takes the command too, and says so.
refused "'compare' was read as a --metric (it takes a list): put --metric after the command" \
  --metric test.loss compare baseline wide
refused "unknown metric 'val.acuracy' in runs.db (did you mean 'val.accuracy'?)" power baseline wide --metric val.acuracy
refused "unknown metric 'test.acuracy' in runs.db (did you mean 'test.accuracy'?)" html -o page.html --metric test.acuracy
[[ -e page.html ]] && fail "report html wrote page.html for an unknown --metric"
refused "unknown dataset 'mnsit' in runs.db (did you mean 'mnist'?)" --dataset mnsit
refused "unknown name 'armm' (did you mean 'arm'?)" --where "armm = 'wide'"
refused "unknown --format 'jsn' (did you mean 'json'?): expected one of table, markdown" table --format jsn
refused "unknown --format 'jsn' for curves (did you mean 'json'?): expected one of table, csv, json" curves --format jsn
refused "unknown --status 'faild' (did you mean 'failed'?)" --status faild
refused "unknown --by 'modle' (did you mean 'model'?)" table --by modle
refused "unknown --split 'tset' (did you mean 'test'?): expected one of test, val" confusion --split tset
refused "no store at runs.bd (did you mean 'runs.db'?)" --db runs.bd
refused "no store at run.db (did you mean 'runs.db'?)" table --db run.db
mkdir sub && cp runs.db sub/shard-1.db
refused "no store at sub/shard-2.db (did you mean 'sub/shard-1.db'?)" --db sub/shard-2.db
refused "no store at sub/shard-2.db (did you mean 'sub/shard-1.db'?)" merge all.db sub/shard-2.db
[[ -e all.db ]] && fail "report merge created all.db though an input is missing"
refused "no store at elsewhere.db: run \`runner EXPERIMENT.yaml\` first" --db elsewhere.db

# A store of 156 metrics (one F1 per class): the nearest few and how to list them, not all.
cp runs.db many.db
sql many.db "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 149)
             INSERT INTO metrics (run_id, split, name, value) SELECT 1, 'test', 'f1/class_' || i, 0.5 FROM n"
refused "unknown metric 'test.acuracy' in many.db (did you mean 'test.accuracy'?): the nearest of its 156 metrics are test.accuracy, " \
  --db many.db table --metric test.acuracy
expect_in refused.err "\`report metrics --db many.db\` lists them all"
grep -q "class_77" refused.err && fail "the error lists every metric: $(cat refused.err)"
refused "(the nearest of 156) test.accuracy" --db many.db --where "test.acuracy > 0.5"
grep -q "class_77" refused.err && fail "the --where error lists every metric: $(cat refused.err)"
expect_exit 0 metrics.txt -- "$REPORT" metrics --db many.db
[[ $(wc -l <metrics.txt) -eq 156 ]] || fail "report metrics printed $(wc -l <metrics.txt) lines, expected 156"
expect_in metrics.txt "test.f1/class_77"
expect_exit 0 arms.txt -- "$REPORT" --db runs.db arms
[[ $(cat arms.txt) == $'baseline\nwide' ]] || fail "report arms printed: $(cat arms.txt)"

# --version, at the top and after a command, says the version and the store schema.
expect_exit 0 version.txt -- "$REPORT" --version
grep -qE '^report [0-9]+\.[0-9]+\.[0-9]+.* \(store schema [0-9]+\)$' version.txt || fail "report --version: $(cat version.txt)"
expect_exit 0 version_table.txt -- "$REPORT" table --version
cmp -s version.txt version_table.txt || fail "report table --version differs from report --version"

# --help: the overview at the top, and per command its usage, explanation and options.
expect_exit 0 help.txt -- "$REPORT" --help
expect_in help.txt "usage: report [list]"
expect_in help.txt "--compare  per metric, configuration and resolution"
expect_in help.txt "FILTERS: --arm ARM"
expect_in help.txt "--status pending|running|finished|failed|killed"
# help COMMAND TEXT...: `report COMMAND --help` (and -h) exit 0 and show every TEXT.
help() {
  local command=$1
  shift
  expect_exit 0 "help_$command.txt" -- "$REPORT" "$command" --help
  expect_in "help_$command.txt" "usage: report ${command/list/[list]}"
  for text in "$@"; do expect_in "help_$command.txt" "$text"; done
  expect_exit 0 "h_$command.txt" -- "$REPORT" "$command" -h
  cmp -s "help_$command.txt" "h_$command.txt" || fail "report $command -h differs from --help"
}
help list "--compare ARM ..." "--where EXPR"
help compare "arms ARM ..." "--bootstrap NUMBER (=2000)" "--metric METRIC ..."
help table "Rows are configurations" "--by resolution|dataset|model|KEY (=resolution)"
help power "the seeds per arm that reach --power" "--delta NUMBER ..." "--alpha NUMBER (=0.05)"
help show "run RUN" "--format table|markdown|csv|json|latex (=table)"
help curves "One sparkline per configuration" "--series train_loss|train_accuracy|val_loss|val_accuracy"
help confusion "The confusion matrix of RUN" "--format table|csv|json (=table)" "--split test|val (=test)"
help html "-o,--output FILE" "--compare ARM ..."
help merge "Merging the same store twice changes nothing" "stores STORE ..."
help arms "--db STORE (=runs.db)"
help metrics "--db STORE (=runs.db)"
# Options before the command word: still that command's help.
expect_exit 0 help_table_after.txt -- "$REPORT" --help table
cmp -s help_table.txt help_table_after.txt || fail "report --help table differs from report table --help"

echo "report_cli: all checks passed"
