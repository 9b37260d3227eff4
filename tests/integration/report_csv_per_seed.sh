#!/usr/bin/env bash
# `--per-seed`: the runs behind `--compare` and `table`, for statistics of one's own: with
# csv one record per run, with json a "runs" list beside each summary. The runs' values
# must give back exactly the n, mean and sd of the standard CSV (the same runs: one per
# seed, the latest when a seed ran twice), and both formats must list the same runs.
source "$(dirname "$0")/lib.bash"

"$(dirname "$REPORT")/make_test_store" runs.db

expect_exit 0 compare.csv -- "$REPORT" --db runs.db --compare baseline wide --metric test.accuracy test.loss --format csv
expect_exit 0 compare_runs.csv -- "$REPORT" --db runs.db --compare baseline wide --metric test.accuracy test.loss \
  --format csv --per-seed
[[ $(head -1 compare_runs.csv) == "metric,resolution,group_a,group_b,side,arm,configuration,seed,run_id,value" ]] ||
  fail "compare --per-seed header: $(head -1 compare_runs.csv)"
expect_exit 0 table.csv -- "$REPORT" --db runs.db table --metric test.accuracy test.loss --format csv
expect_exit 0 table_runs.csv -- "$REPORT" --db runs.db table --metric test.accuracy test.loss --format csv --per-seed
[[ $(head -1 table_runs.csv) == "metric,axis,axis_value,arm,label,seed,run_id,value" ]] ||
  fail "table --per-seed header: $(head -1 table_runs.csv)"

expect_exit 0 compare_runs.json -- "$REPORT" --db runs.db --compare baseline wide --metric test.accuracy test.loss \
  --format json --per-seed
expect_exit 0 table_runs.json -- "$REPORT" --db runs.db table --metric test.accuracy test.loss --format json --per-seed

python3 - <<'PY' || fail "the per-seed records do not give the standard CSV's summaries"
import csv, json, math, statistics, sys
from collections import defaultdict

def summary(values):
    n = len(values)
    return n, statistics.fmean(values), statistics.stdev(values) if n > 1 else math.nan

def same(x, y):
    return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15)

def number(text):
    return float(text) if text else math.nan

ok = True
runs = defaultdict(list)
for r in csv.DictReader(open("compare_runs.csv")):
    runs[(r["metric"], r["resolution"], r["group_a"], r["group_b"], r["side"])].append(r)
rows = list(csv.DictReader(open("compare.csv")))
assert len(rows) >= 4, rows
for row in rows:
    for side in "ab":
        records = runs.pop((row["metric"], row["resolution"], row["group_a"], row["group_b"], side), [])
        seeds = [r["seed"] for r in records]
        if len(seeds) != len(set(seeds)):
            print("a seed twice:", records); ok = False
        if any(r["arm"] != row["arm_" + side] for r in records):
            print("wrong arm:", records); ok = False
        n = int(row["n_" + side])
        if n != len(records):
            print(f"{row['metric']} at {row['resolution']} side {side}: n {n}, {len(records)} records"); ok = False
            continue
        if n == 0:
            continue
        got = summary([float(r["value"]) for r in records])
        if not (same(got[1], number(row["mean_" + side])) and same(got[2], number(row["sd_" + side]))):
            print(f"{row['metric']} at {row['resolution']} side {side}: {got} vs {row}"); ok = False
if runs:
    print("records of no comparison row:", dict(runs)); ok = False

cells = defaultdict(list)
for r in csv.DictReader(open("table_runs.csv")):
    cells[(r["metric"], r["axis_value"], r["label"])].append(float(r["value"]))
table = list(csv.DictReader(open("table.csv")))
assert len(table) >= 4, table
for row in table:
    values = cells.pop((row["metric"], row["value"], row["label"]), [])
    n, mean, sd = summary(values) if values else (0, math.nan, math.nan)
    if n != int(row["n"]) or not same(mean, number(row["mean"])) or not same(sd, number(row["sd"])):
        print("table cell", row, "from", values); ok = False
if cells:
    print("records of no table cell:", dict(cells)); ok = False
# JSON lists the same runs as CSV.
from_json = sorted((r["metric"], str(r["resolution"]), r["group_a"], r["group_b"], side, str(run["seed"]),
                    str(run["run_id"]), run["value"])
                   for r in json.load(open("compare_runs.json"))["rows"] for side in "ab" for run in r[side]["runs"])
from_csv = sorted((r["metric"], r["resolution"], r["group_a"], r["group_b"], r["side"], r["seed"], r["run_id"],
                   float(r["value"])) for r in csv.DictReader(open("compare_runs.csv")))
if from_json != from_csv:
    print("compare: json and csv list different runs"); ok = False
from_json = sorted((t["metric"], cell[t["by"]], row["label"], str(run["seed"]), str(run["run_id"]), run["value"])
                   for t in json.load(open("table_runs.json"))["tables"] for row in t["rows"]
                   for cell in row["cells"] for run in cell["runs"])
from_csv = sorted((r["metric"], r["axis_value"], r["label"], r["seed"], r["run_id"], float(r["value"]))
                  for r in csv.DictReader(open("table_runs.csv")))
if from_json != from_csv:
    print("table: json and csv list different runs"); ok = False
print("per-seed records:", sum(1 for _ in open("compare_runs.csv")) - 1, "compare,",
      sum(1 for _ in open("table_runs.csv")) - 1, "table")
sys.exit(0 if ok else 1)
PY

expect_exit 2 err.txt -- "$REPORT" --db runs.db --compare baseline wide --per-seed
expect_in err.txt "--per-seed lists the runs behind the statistics: use it with --format csv or json"
expect_exit 2 err.txt -- "$REPORT" --db runs.db --per-seed --format csv
expect_in err.txt "belong to --compare"
echo "report_csv_per_seed: ok"
