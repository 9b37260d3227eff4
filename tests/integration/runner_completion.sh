#!/usr/bin/env bash
# Shell completion for runner (tools/completion): bash's completion function and zsh's
# completion system, each given a real command line, offer runner's subcommands, a
# subcommand's options, option values, experiment files, the model plugins found and the
# run ids of a real store (make_test_store); `cmake --install` puts both scripts where
# Debian's shells look.
source "$(dirname "$0")/lib.bash"

MAKE_TEST_STORE="$(dirname "$REPORT")/make_test_store"
[[ -x $MAKE_TEST_STORE ]] || fail "$MAKE_TEST_STORE is missing: build it first"
COMPLETION_DIR="$SOURCE_DIR/tools/completion"
COMPLETED=runner
BIN_DIR=$(dirname "$(realpath "$RUNNER")")
"$MAKE_TEST_STORE" runs.db
write_synthetic_experiment exp.yaml
write_synthetic_experiment other.yml
mkdir sub
touch sub/inner.yaml notes.txt

# --- bash ----------------------------------------------------------------------------
# First word: a subcommand, or an experiment file (the older `runner EXPERIMENT.yaml`).
expect_bash "runner " run plugins describe evaluate copy-store exp.yaml other.yml sub
expect_bash "runner d" describe
expect_bash "runner e" evaluate exp.yaml
expect_bash "runner __c"  # the hidden subcommand is not offered
expect_bash "runner sub/" sub/inner.yaml
expect_bash "runner run " exp.yaml other.yml sub
# Options of the subcommand on the line, not of the others; internal ones never.
bash_offers "runner run exp.yaml --" --db --jobs --dry-run --slurm --emit-slurm --plugins --help
bash_lacks "runner run exp.yaml --" --cell --run-id --attempt --progress-protocol --poll-seconds --resolution
expect_bash "runner run exp.yaml \"seeds=[0]\" --j" --jobs
expect_bash "runner exp.yaml --dry" --dry-run
bash_offers "runner describe --" --resolution --channels --classes --options --plugins
bash_lacks "runner describe --" --jobs --db
expect_bash "runner plugins --" --help --plugins
# Option values: fixed choices, files.
expect_bash "runner exp.yaml --wait-policy " auto spin passive
expect_bash "runner exp.yaml --wait-policy=sp" spin
expect_bash "runner exp.yaml --db " runs.db sub
expect_bash "runner exp.yaml --db=r" runs.db
expect_bash "runner copy-store runs.db " runs.db sub
# Names that only the runner knows: the model plugins it finds, the runs of --db.
expect_bash "runner describe unet" unet_encoder
bash_offers "runner describe " baseline_cnn resnet18 unet_encoder
bash_lacks "runner describe " synthetic classification
expect_bash "runner --describe res" resnet18
expect_bash "runner evaluate --db runs.db 1" 1 10 11 12 13 14
expect_bash "runner --db runs.db --evaluate 1" 1 10 11 12 13 14
expect_bash "runner evaluate --db missing.db "  # no store: nothing, and no error

# --- cmake --install -----------------------------------------------------------------
# Only the completion component: a plain `cmake --install` installs it with the rest, but
# needs every target built.
BUILD_DIR=$(dirname "$BIN_DIR")
[[ -f $BUILD_DIR/cmake_install.cmake ]] || fail "no cmake_install.cmake in $BUILD_DIR"
cmake --install "$BUILD_DIR" --prefix "$WORK/prefix" --component completion >install.log 2>&1 ||
  { cat install.log >&2; fail "cmake --install failed"; }
cmp -s "$WORK/prefix/share/bash-completion/completions/runner" "$COMPLETION_DIR/runner.bash" ||
  fail "cmake --install did not put runner.bash at share/bash-completion/completions/runner"
cmp -s "$WORK/prefix/share/zsh/vendor-completions/_runner" "$COMPLETION_DIR/_runner" ||
  fail "cmake --install did not put _runner at share/zsh/vendor-completions/_runner"

# --- zsh -----------------------------------------------------------------------------
# Last: where zsh is missing, everything above was checked and CTest says SKIPPED.
command -v zsh >/dev/null || skip "zsh is not installed: the bash half and the install passed, the zsh half is not checked"
zsh_offers "runner " run plugins describe evaluate copy-store exp.yaml other.yml
zsh_lacks "runner " __complete notes.txt runs.db
zsh_offers "runner run exp.yaml --" --db --jobs --dry-run
zsh_lacks "runner run exp.yaml --" --cell --resolution
zsh_offers "runner describe --" --resolution --options
zsh_lacks "runner describe --" --jobs
zsh_offers "runner exp.yaml --wait-policy " auto spin passive
zsh_offers "runner describe " baseline_cnn unet_encoder
zsh_offers "runner evaluate --db runs.db " 1 14
zsh_offers "runner exp.yaml --db " runs.db
zsh_lacks "runner exp.yaml --db " exp.yaml

echo "runner_completion: all checks passed"
