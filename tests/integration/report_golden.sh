#!/usr/bin/env bash
# report on a store of fixed fake runs (written by make_test_store, no training), in every
# format, against the golden files in tests/fixtures/report/. Also checks its errors, and
# that no --where, however malicious, changes the query or the store.
#
# usage: report_golden.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
# ABLATE_UPDATE_GOLDEN=1 rewrites the golden files instead; inspect the diff before
# committing them.
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 RUNNER REPORT PLUGIN_DIR SOURCE_DIR" >&2
  exit 2
fi
# Absolute, because the checks run in a temporary folder.
report=$(realpath "$2")
source_dir=$(realpath "$4")
# make_test_store is built into the same folder as report.
make_test_store="$(dirname "$report")/make_test_store"
golden_dir="$source_dir/tests/fixtures/report"
for tool in "$report" "$make_test_store"; do
  if [[ ! -x $tool ]]; then
    echo "report_golden: $tool is missing: build it first" >&2
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Relative store paths, so that the golden files do not hold the temporary folder's name.
cd "$work"
"$make_test_store" runs.db
"$make_test_store" empty.db --empty

store_checksum=$(cksum <runs.db)

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# golden NAME ARGS...: runs report ARGS, expects exit 0, compares stdout with NAME.txt.
# Timestamps (started_at and the like, in `report show`) read TIMESTAMP.
golden() {
  local name=$1
  shift
  local actual="$work/$name.txt"
  local rc=0
  "$report" "$@" 2>"$work/stderr" | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIMESTAMP/g' \
    >"$actual" || rc=$?
  [[ ${PIPESTATUS[0]} -eq 0 ]] || rc=${PIPESTATUS[0]}
  if [[ $rc -ne 0 ]]; then
    fail "report $* exited $rc: $(cat "$work/stderr")"
    return
  fi
  if [[ ${ABLATE_UPDATE_GOLDEN:-0} == 1 ]]; then
    cp "$actual" "$golden_dir/$name.txt"
    echo "updated $golden_dir/$name.txt"
  elif ! diff -u --label "expected $name.txt" --label "actual: report $*" \
      "$golden_dir/$name.txt" "$actual"; then
    fail "report $* differs from $golden_dir/$name.txt"
  fi
}

# refused CODE PATTERN ARGS...: report ARGS must exit CODE with PATTERN on stderr.
refused() {
  local code=$1 pattern=$2
  shift 2
  local rc=0
  "$report" "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
  if [[ $rc -ne $code ]]; then
    fail "report $* exited $rc, expected $code; stderr: $(cat "$work/stderr")"
  elif ! grep -q -- "$pattern" "$work/stderr"; then
    fail "report $*: stderr lacks '$pattern': $(cat "$work/stderr")"
  elif [[ -s $work/stdout ]]; then
    fail "report $*: printed to stdout on error: $(cat "$work/stdout")"
  fi
}

# Every table in every format.
for format in table markdown csv json latex; do
  golden "list_$format" --db runs.db --format "$format"
  golden "compare_$format" --db runs.db --compare baseline wide --format "$format"
  golden "aggregate_$format" --db runs.db table --format "$format"
  golden "show_$format" --db runs.db show 3 --format "$format"
done
golden list_failed --db runs.db --status failed
golden list_arm --db runs.db --arm baseline --status finished
golden list_resolution --db runs.db --resolution 14 --dataset mnist --grid golden
golden list_where --db runs.db --where "test.accuracy > 0.93 and (resolution = 28 or arm != 'wide') and not status = 'failed'"
golden compare_metrics --db runs.db compare baseline wide --metric test.accuracy test.f1_macro val.accuracy --resolution 28
golden aggregate_metrics --db runs.db table --metric test.accuracy test.loss --by model
golden show_hash --db runs.db show baseline-r14-s2
golden curves --db runs.db curves
golden curves_loss --db runs.db curves --series train_loss --arm wide
golden confusion --db runs.db confusion --resolution 28
golden confusion_run --db runs.db confusion 3
# The numbers behind the pictures, for scripts.
golden curves_json --db runs.db curves --format json
golden curves_csv --db runs.db curves --series train_loss --arm wide --format csv
golden confusion_json --db runs.db confusion --resolution 28 --format json
golden confusion_csv --db runs.db confusion baseline-r14-s2 --format csv
golden empty --db empty.db

# The default store is ./runs.db.
golden list_table

refused 2 "report: error: unknown arm 'tall' in runs.db: the arms are baseline, wide" \
  --db runs.db --compare baseline tall
refused 2 "report: error: unknown arm 'tall'" --db runs.db --arm tall
refused 2 "report: error: unknown --format 'xml'" --db runs.db --format xml
refused 2 "report: error: unknown --status 'done'" --db runs.db --status done
refused 2 "report: error: --compare takes two arm names" --db runs.db --compare baseline
refused 2 "report: error: unknown command 'extra': expected one of list, compare" --db runs.db extra
refused 2 "report: error: unknown command 'lsit' (did you mean 'list'?): expected one of list, compare" lsit
refused 2 "report: error: unknown metric 'test.recall' in runs.db: the metrics are" \
  --db runs.db --compare baseline wide --metric test.recall
refused 2 "report: error: bad metric 'accuracy': expected SPLIT.NAME" \
  --db runs.db table --metric accuracy
refused 2 "report: error: unknown --by 'seed': expected one of resolution, dataset, model" \
  --db runs.db table --by seed
refused 2 "report: error: unknown dataset 'cifar' in runs.db: the datasets are mnist" \
  --db runs.db --dataset cifar
refused 2 "report: error: unknown grid 'other' in runs.db: the grids are golden" \
  --db runs.db --grid other
refused 2 "report: error: no run '999' in runs.db" --db runs.db show 999
refused 2 "report: error: run 'wide-r28' is ambiguous" --db runs.db show wide-r28
refused 2 "report: error: show needs a RUN" --db runs.db show
refused 2 "report: error: unknown --series 'acc'" --db runs.db curves --series acc
refused 2 "report: error: unknown --format 'markdown' for curves: expected one of table, csv, json" \
  --db runs.db curves --format markdown
refused 2 "report: error: unknown --format 'latex' for confusion" --db runs.db confusion --format latex
refused 2 "report: error: no run 'bas' in runs.db: give a run id or at least 4 leading characters" \
  --db runs.db confusion bas
refused 2 "report: error: merge needs OUT.db and at least one IN.db" merge out.db

# --where: whatever is typed, the SQL holds only allow-listed names and bound values.
refused 2 "report: error: bad --where '1=1; DROP TABLE runs' at column 4 ('; DROP TABLE'): unexpected character" \
  --db runs.db --where "1=1; DROP TABLE runs"
refused 2 "at column 18 ('--'): unexpected character" --db runs.db --where "arm = 'x' OR 1=1 --"
refused 2 "a comparison needs a column or a metric on one side" --db runs.db --where "arm = 'x' OR 1=1"
refused 2 "unknown name 'sqlite_master': the columns are id, arm" --db runs.db --where "sqlite_master = 1"
refused 2 "unknown name 'test.recall'" --db runs.db --where "test.recall > 0.5"
refused 2 "unexpected character" --db runs.db --where "arm = 'x'); DELETE FROM runs; --"
# A quote inside a string is data: it matches no arm rather than ending the literal.
golden where_quote --db runs.db --where "arm = 'x'' OR ''1''=''1'"
[[ $(sqlite3 runs.db "SELECT count(*) FROM runs") == 14 ]] || fail "runs.db lost runs"
refused 2 "report: error: no store at missing.db" --db missing.db
[[ -e missing.db ]] && fail "report created missing.db"

"$make_test_store" newer.db --empty --schema-version 99
refused 2 "newer.db was written by a newer Ablate (schema 99, this binary knows" --db newer.db

echo "not a database, just text" >text.db
refused 2 "text.db is not an Ablate store" --db text.db

# report only reads.
[[ $(cksum <runs.db) == "$store_checksum" ]] || fail "report changed runs.db"

# Into a file first: grep -q stops reading at the first match, and report's next write
# would then end it with SIGPIPE, which pipefail reports as a failure.
"$report" --help >"$work/help.txt"
if ! grep -q -- "--compare" "$work/help.txt"; then
  fail "report --help does not describe --compare"
fi

if [[ $failures -ne 0 ]]; then
  echo "report_golden: $failures check(s) failed" >&2
  exit 1
fi
echo "report_golden: all checks passed"
