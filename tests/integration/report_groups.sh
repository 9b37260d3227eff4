#!/usr/bin/env bash
# Issue 16's cases, end to end with the real runner: report groups runs by configuration,
# never by arm name alone.
#  - The README's override example after a grid (train.max_epochs=1 "seeds=[0]"): the
#    1-epoch runs are their own group in table, --compare (every format) and html.
#  - report merge of two grids on 4-class and 8-class data: never pooled under one arm.
#  - A seed run twice with the same configuration: the latest finished run is kept, and
#    a warning says which run was left out.
#  - The pooled McNemar test is no headline column; it stands only beside its seed rows.
#  - --where on configuration keys, IN and LIKE; table --by a configuration key.
# usage: report_groups.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"

cat >grid.yaml <<'YAML'
name: groups
dataset: {plugin: synthetic, classes: 4, channels: 3, size: 16, train: 128, val: 32, test: 64}
arms:
  baseline: {model: baseline_cnn}
  narrow: {model: baseline_cnn, options: {filters: [8, 16], dropout: [0.1, 0.1], dense: 32}}
resolutions: [16]
seeds: [0, 1, 2]
train: {batch_size: 32, max_epochs: 2, threads: 1}
YAML
expect_exit 0 run.log -- "$RUNNER" grid.yaml --db runs.db
expect_exit 0 override.log -- "$RUNNER" grid.yaml --db runs.db train.max_epochs=1 "seeds=[0]"
expect_in override.log "2 cells: 2 finished now"

# json_field FILE PYTHON-EXPRESSION: evaluates the expression on the parsed document `d`.
json_field() { python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1"; }

# table: two rows for baseline, seed 0 counted once in each.
expect_exit 0 table.log -- "$REPORT" --db runs.db table
expect_in table.log "train.max_epochs"
expect_exit 0 table.json -- "$REPORT" --db runs.db table --format json
[[ $(json_field table.json "[(r['label'], r['cells'][0]['n']) for r in d['tables'][0]['rows']]") == \
  "[('baseline [train.max_epochs=1]', 1), ('baseline [train.max_epochs=2]', 3), ('narrow [train.max_epochs=1]', 1), ('narrow [train.max_epochs=2]', 3)]" ]] ||
  fail "table rows: $(json_field table.json "[(r['label'], r['cells'][0]['n']) for r in d['tables'][0]['rows']]")"
expect_exit 0 table.csv -- "$REPORT" --db runs.db table --format csv
expect_in table.csv "metric,axis,value,arm,label,train.max_epochs,n,mean,sd,best"
expect_in table.csv "baseline,baseline [train.max_epochs=1],1,1,"
expect_exit 0 table.markdown -- "$REPORT" --db runs.db table --format markdown
expect_in table.markdown "| arm | train.max_epochs |"
expect_exit 0 table.latex -- "$REPORT" --db runs.db table --format latex
expect_in table.latex 'arm & train.max\_epochs &'  # LaTeX escapes the underscore

# --compare: one row per configuration, every format.
expect_exit 0 compare.log -- "$REPORT" --db runs.db --compare baseline narrow
expect_in compare.log "configuration"
expect_in compare.log "train.max_epochs=1"
expect_in compare.log "train.max_epochs=2"
expect_exit 0 compare.json -- "$REPORT" --db runs.db --compare baseline narrow --format json
[[ $(json_field compare.json "[(r['group_a'], r['a']['n'], r['b']['n']) for r in d['rows']]") == \
  "[('train.max_epochs=1', 1, 1), ('train.max_epochs=2', 3, 3)]" ]] ||
  fail "compare rows: $(json_field compare.json "[(r['group_a'], r['a']['n'], r['b']['n']) for r in d['rows']]")"
expect_exit 0 compare.csv -- "$REPORT" --db runs.db --compare baseline narrow --format csv
expect_in compare.csv "test.accuracy,16,train.max_epochs=1,train.max_epochs=1,baseline,1,"
expect_exit 0 compare.markdown -- "$REPORT" --db runs.db --compare baseline narrow --format markdown
expect_in compare.markdown "| train.max_epochs=1 |"
expect_exit 0 compare.latex -- "$REPORT" --db runs.db --compare baseline narrow --format latex
expect_in compare.latex 'train.max\_epochs=1'
expect_exit 0 page.log -- "$REPORT" --db runs.db html -o page.html
expect_in page.html "train.max_epochs=1"
# The pictures too: learning curves, confusion matrices and the html charts are drawn
# per configuration.
expect_exit 0 curves.log -- "$REPORT" --db runs.db curves
expect_in curves.log "baseline [train.max_epochs=1] at 16 (1 run)"
expect_in curves.log "baseline [train.max_epochs=2] at 16 (3 runs)"
expect_exit 0 confusion.log -- "$REPORT" --db runs.db confusion
expect_in confusion.log "baseline [train.max_epochs=2] at 16: test confusion matrix, summed over 3 runs"
expect_in page.html "baseline [train.max_epochs=1] at 16"    # accuracy against cost
expect_in page.html "baseline [train.max_epochs=1] val"      # learning curve legend

# The pooled McNemar test is not a headline column: the first table has none, and the
# pooled counts stand only in the per-seed table, below its seed rows.
head -4 compare.log >headline.txt
if grep -q McNemar headline.txt; then cat headline.txt >&2; fail "McNemar is still a headline column"; fi
expect_in compare.log "pooled"
[[ $(json_field compare.json "sorted(d['rows'][1].keys() & {'mcnemar', 'mcnemar_pooled', 'mcnemar_per_seed'})") == \
  "['mcnemar_per_seed', 'mcnemar_pooled']" ]] || fail "JSON keeps a headline 'mcnemar'"
[[ $(json_field compare.json "'directions_disagree' in d['rows'][1]['mcnemar_pooled']") == True ]] ||
  fail "the pooled McNemar test does not say whether the seeds agree"
# Holm: two rows compared at once, so each p has its adjusted value.
[[ $(json_field compare.json "d['holm_family']") == 2 ]] || fail "holm_family: $(json_field compare.json "d['holm_family']")"

# --where on configuration keys, in and like; table --by a configuration key.
expect_exit 0 where.log -- "$REPORT" --db runs.db --where "train.max_epochs = 1" --format csv
[[ $(($(wc -l <where.log) - 1)) == 2 ]] || fail "train.max_epochs = 1 lists $(($(wc -l <where.log) - 1)) runs, expected 2"
expect_exit 0 where_in.log -- "$REPORT" --db runs.db --where "train.max_epochs in (1, 3) and arm like 'nar%'" --format csv
[[ $(($(wc -l <where_in.log) - 1)) == 1 ]] || fail "in and like: $(cat where_in.log)"
expect_exit 0 where_not.log -- "$REPORT" --db runs.db --where "dataset.classes not in (8) and model.dense = 32" --format csv
[[ $(($(wc -l <where_not.log) - 1)) == 4 ]] || fail "dataset.classes/model.dense: $(cat where_not.log)"
expect_exit 0 by.log -- "$REPORT" --db runs.db table --by train.max_epochs --format json
[[ $(json_field by.log "d['tables'][0]['columns']") == "['1', '2']" ]] || fail "--by train.max_epochs: $(cat by.log)"
before=$(cksum <runs.db)
expect_exit 2 inject.log -- "$REPORT" --db runs.db --where "train.max_epochs in (1); DROP TABLE runs"
expect_in inject.log "unexpected character"
expect_exit 2 unknown.log -- "$REPORT" --db runs.db --where "train.epochs = 5"
expect_in unknown.log "unknown name 'train.epochs'"
expect_in unknown.log "train.max_epochs"
expect_exit 2 by_unknown.log -- "$REPORT" --db runs.db table --by train.epochs
expect_in by_unknown.log "unknown --by 'train.epochs'"
[[ $(cksum <runs.db) == "$before" ]] || fail "report changed runs.db"

# Two grids on different data sets, merged: never pooled under one arm.
sed -e 's/classes: 4/classes: 8/' -e 's/name: groups/name: groups-8/' grid.yaml >grid8.yaml
expect_exit 0 run4.log -- "$RUNNER" grid.yaml --db four.db "seeds=[0, 1]"
expect_exit 0 run8.log -- "$RUNNER" grid8.yaml --db eight.db "seeds=[0, 1]"
expect_exit 0 merge.log -- "$REPORT" merge merged.db four.db eight.db
expect_exit 0 merged.json -- "$REPORT" --db merged.db --compare baseline narrow --format json
[[ $(json_field merged.json "[(r['group_a'], r['a']['n'], r['b']['n']) for r in d['rows']]") == \
  "[('dataset.options.classes=4', 2, 2), ('dataset.options.classes=8', 2, 2)]" ]] ||
  fail "merged compare rows: $(json_field merged.json "[(r['group_a'], r['a']['n'], r['b']['n']) for r in d['rows']]")"
expect_exit 0 merged_table.log -- "$REPORT" --db merged.db table
expect_in merged_table.log "dataset.options.classes"

# The same configuration and seed twice (as a store that mixes two builds could hold):
# the latest finished run counts, and the table says which run it left out.
sql four.db "INSERT INTO runs (config_hash, config_json, status, arm, model, dataset, resolution, seed,
               started_at, finished_at)
             SELECT config_hash || '-again', config_json, status, arm, model, dataset, resolution, seed,
                    started_at, '2999-01-01T00:00:00Z' FROM runs WHERE arm = 'baseline' AND seed = 0"
again=$(sql four.db "SELECT id FROM runs WHERE config_hash LIKE '%-again'")
first=$(sql four.db "SELECT id FROM runs WHERE arm = 'baseline' AND seed = 0 AND id != $again")
sql four.db "INSERT INTO metrics (run_id, split, name, value) VALUES ($again, 'test', 'accuracy', 0.125)"
expect_exit 0 twice.log -- "$REPORT" --db four.db table
expect_in twice.log "seed 0 has 2 finished runs of the same configuration: kept run $again (the latest finished), left out run(s) $first"
expect_exit 0 twice.json -- "$REPORT" --db four.db table --format json
[[ $(json_field twice.json "d['tables'][0]['rows'][0]['cells'][0]['n']") == 2 ]] || fail "seed 0 counted twice"
expect_exit 0 twice_compare.log -- "$REPORT" --db four.db --compare baseline narrow
expect_in twice_compare.log "kept run $again"
echo "report_groups: all checks passed"
