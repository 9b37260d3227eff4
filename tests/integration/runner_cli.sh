# runner's command line: subcommands and the older spellings they replace, help and
# version, suggestions for typos, and the store each experiment gets by default.
source "$(dirname "$0")/lib.bash" "$@"
mkdir experiments
write_synthetic_experiment experiments/synthetic.yaml

# Help: the subcommands, a subcommand's own options, and the exit status.
expect_exit 0 help.log -- "$RUNNER" --help
for word in "usage: runner EXPERIMENT.yaml" "Subcommands:" "run " "plugins " "describe " "evaluate " "copy-store " \
  "--dry-run" "--jobs" "default: EXPERIMENT.db next to the experiment file" "exit status:"; do
  expect_in help.log "$word"
done
! grep -qwE -- "--cell|--run-id|--attempt|--progress-protocol|--poll-seconds|__complete" help.log ||
  fail "runner --help shows the runner's internal options"
expect_exit 0 describe_help.log -- "$RUNNER" describe --help
expect_in describe_help.log "usage: runner describe MODEL"
expect_in describe_help.log "--resolution"
! grep -qF -- "--jobs" describe_help.log || fail "describe --help lists the grid's options"
expect_exit 0 run_help.log -- "$RUNNER" run --help
expect_in run_help.log "--emit-slurm"
expect_exit 0 version.log -- "$RUNNER" --version
grep -qE '^runner [0-9]+\.[0-9]+\.[0-9]+.* \(LibTorch [0-9.]+, plugin ABI [0-9]+\)$' version.log ||
  { cat version.log; fail "--version"; }

# Old and new spellings do the same.
expect_exit 0 old.log -- "$RUNNER" experiments/synthetic.yaml "seeds=[0]" --dry-run --db a.db
expect_exit 0 new.log -- "$RUNNER" run experiments/synthetic.yaml "seeds=[0]" --dry-run --db a.db
diff old.log new.log || fail "runner EXPERIMENT and runner run EXPERIMENT differ"
expect_in new.log "2 cells, store a.db"
expect_exit 0 old.log -- "$RUNNER" --list-plugins
expect_exit 0 new.log -- "$RUNNER" plugins
diff old.log new.log || fail "--list-plugins and plugins differ"
expect_in new.log "baseline_cnn"
expect_exit 0 old.log -- "$RUNNER" --describe baseline_cnn --resolution 16 --classes 4
expect_exit 0 new.log -- "$RUNNER" describe baseline_cnn --resolution 16 --classes 4
diff old.log new.log || fail "--describe and describe differ"
expect_in new.log "Total params"
expect_exit 0 run.log -- "$RUNNER" experiments/synthetic.yaml "seeds=[0]" "arms={a: {model: baseline_cnn}}" \
  train.max_epochs=1 --db trained.db
expect_exit 0 old.log -- "$RUNNER" --evaluate 1 --db trained.db
expect_exit 0 new.log -- "$RUNNER" evaluate 1 --db trained.db
expect_in new.log "every stored metric reproduced"
expect_exit 0 old.log -- "$RUNNER" --copy-store trained.db copy1.db
expect_exit 0 new.log -- "$RUNNER" copy-store trained.db copy2.db
[ "$(sql copy1.db "SELECT count(*) FROM runs")" = 1 ] && [ "$(sql copy2.db "SELECT count(*) FROM runs")" = 1 ] ||
  fail "both spellings of copy-store copy the run"

# Bad usage: exit 2, what is wrong, and the nearest name.
expect_exit 2 out.log -- "$RUNNER" experiments/synthetic.yaml --jbos 2
expect_in out.log "runner: error: unknown option '--jbos' (did you mean '--jobs'?)"
expect_exit 2 out.log -- "$RUNNER" experiments/synthetic.yaml --cel 3
! grep -qF "'--cell'" out.log || fail "an internal option was suggested"
expect_exit 2 out.log -- "$RUNNER" plugin
expect_in out.log "runner: error: no experiment file 'plugin' (did you mean 'plugins'?)"
expect_exit 2 out.log -- "$RUNNER" synthetic.yml
expect_in out.log "runner: error: no experiment file 'synthetic.yml' (did you mean 'experiments/synthetic.yaml'?)"
expect_exit 2 out.log -- "$RUNNER" experiments/synthetc.yaml
expect_in out.log "no experiment file 'experiments/synthetc.yaml' (did you mean 'experiments/synthetic.yaml'?)"
expect_exit 2 out.log -- "$RUNNER" describ baseline_cnn
expect_in out.log "runner: error: no experiment file 'describ' (did you mean 'describe'?)"
expect_exit 2 out.log -- "$RUNNER" describe unet_encodr
expect_in out.log "unknown model plugin 'unet_encodr' (did you mean 'unet_encoder'?); available: baseline_cnn"
sed 's/model: baseline_cnn}$/model: baseline_cn}/' experiments/synthetic.yaml > typo.yaml
expect_exit 2 out.log -- "$RUNNER" typo.yaml --dry-run --db typo.db
expect_in out.log "runner: error: typo.yaml:4:21: unknown model plugin 'baseline_cn' (did you mean 'baseline_cnn'?)"
expect_exit 2 out.log -- "$RUNNER" experiments/synthetic.yaml "arms={a: {model: resnet19}}" --dry-run --db typo.db
expect_in out.log "runner: error: override 1 'arms={a: {model: resnet19}}': unknown model plugin 'resnet19' (did you mean 'resnet18'?)"
expect_exit 2 out.log -- "$RUNNER" experiments/synthetic.yaml "metrics=[classification, acuracy]" --dry-run --db typo.db
expect_in out.log "runner: error: override 1 'metrics=[classification, acuracy]': unknown metric plugin 'acuracy'"
sed 's/plugin: synthetic/plugin: synthetik/' experiments/synthetic.yaml > typo.yaml
expect_exit 2 out.log -- "$RUNNER" typo.yaml --dry-run --db typo.db
expect_in out.log "runner: error: typo.yaml:2:19: unknown dataset plugin 'synthetik' (did you mean 'synthetic'?)"
expect_exit 2 out.log -- "$RUNNER" evaluate 1
expect_in out.log "--db"
expect_exit 2 out.log -- "$RUNNER" copy-store only-one.db
expect_exit 2 out.log -- "$RUNNER"
expect_in out.log "no experiment file given"

# Each experiment has its own store by default: EXPERIMENT.db next to the file.
expect_exit 0 own.log -- "$RUNNER" experiments/synthetic.yaml "seeds=[0]" --dry-run
expect_in own.log "store experiments/synthetic.db"
! grep -qF "note:" own.log || fail "a note without earlier runs"

# Runs in runs.db, the default before: a note says where they are, once, until the
# experiment's own store exists.
write_synthetic_experiment experiments/other.yaml
sed -i 's/^name: .*/name: other-grid/' experiments/other.yaml
expect_exit 0 old.log -- "$RUNNER" experiments/other.yaml "seeds=[1]" train.max_epochs=1 --db experiments/runs.db
rm -f experiments/synthetic.db
expect_exit 0 none.log -- "$RUNNER" experiments/synthetic.yaml "seeds=[0]" --dry-run
! grep -qF "note:" none.log || fail "runs.db holds no run of grid 'synthetic-grid', but a note said so"
rm -f experiments/synthetic.db
expect_exit 0 old.log -- "$RUNNER" experiments/synthetic.yaml "seeds=[0]" train.max_epochs=1 --db experiments/runs.db
expect_exit 0 note.log -- "$RUNNER" experiments/synthetic.yaml "seeds=[0]" train.max_epochs=1 --dry-run
expect_in note.log "runner: note: experiments/runs.db holds 2 earlier run(s) of grid 'synthetic-grid'; this run uses the experiment's own store experiments/synthetic.db (pass --db experiments/runs.db to go on with the earlier runs)"
expect_in note.log "0 done, 2 to run"
expect_exit 0 again.log -- "$RUNNER" experiments/synthetic.yaml "seeds=[0]" train.max_epochs=1 --dry-run
! grep -qF "note:" again.log || fail "the note is repeated once the experiment's own store exists"
expect_exit 0 earlier.log -- "$RUNNER" experiments/synthetic.yaml "seeds=[0]" train.max_epochs=1 --dry-run \
  --db experiments/runs.db
expect_in earlier.log "2 done, 0 to run"
echo "ok"
