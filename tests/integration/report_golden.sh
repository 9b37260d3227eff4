#!/usr/bin/env bash
# report on a store of fixed fake runs (written by make_test_store, no training), in every
# format, against the golden files in tests/fixtures/report/. Also checks its errors.
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
golden() {
  local name=$1
  shift
  local actual="$work/$name.txt"
  local rc=0
  "$report" "$@" >"$actual" 2>"$work/stderr" || rc=$?
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

golden list_table --db runs.db
golden list_markdown --db runs.db --format markdown
golden list_csv --db runs.db --format csv
golden list_json --db runs.db --format json
golden list_failed --db runs.db --status failed
golden list_arm --db runs.db --arm baseline --status finished
golden compare_table --db runs.db --compare baseline wide
golden compare_markdown --db runs.db --compare baseline wide --format markdown
golden compare_csv --db runs.db --compare baseline wide --format csv
golden compare_json --db runs.db --compare baseline wide --format json
golden empty --db empty.db

# The default store is ./runs.db.
golden list_table

refused 2 "report: error: unknown arm 'tall' in runs.db: the arms are baseline, wide" \
  --db runs.db --compare baseline tall
refused 2 "report: error: unknown arm 'tall'" --db runs.db --arm tall
refused 2 "report: error: unknown --format 'xml'" --db runs.db --format xml
refused 2 "report: error: unknown --status 'done'" --db runs.db --status done
refused 2 "report: error: --compare takes two arm names" --db runs.db --compare baseline
refused 2 "report: error: too many positional options" --db runs.db extra
refused 2 "report: error: no store at missing.db" --db missing.db
[[ -e missing.db ]] && fail "report created missing.db"

"$make_test_store" newer.db --empty --schema-version 99
refused 2 "newer.db was written by a newer Ablate (schema 99, this binary knows" --db newer.db

echo "not a database, just text" >text.db
refused 2 "text.db is not an Ablate store" --db text.db

# report only reads.
[[ $(cksum <runs.db) == "$store_checksum" ]] || fail "report changed runs.db"

if ! "$report" --help | grep -q -- "--compare"; then
  fail "report --help does not describe --compare"
fi

if [[ $failures -ne 0 ]]; then
  echo "report_golden: $failures check(s) failed" >&2
  exit 1
fi
echo "report_golden: all checks passed"
