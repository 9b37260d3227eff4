#!/usr/bin/env bash
# Shell completion for report (tools/completion): bash's completion function and zsh's
# completion system, each given a real command line, offer report's commands, a
# command's options, option values, and the arms, metrics and run ids of a real store
# (make_test_store); `cmake --install` puts both scripts where Debian's shells look.
source "$(dirname "$0")/lib.bash"

MAKE_TEST_STORE="$(dirname "$REPORT")/make_test_store"
[[ -x $MAKE_TEST_STORE ]] || fail "$MAKE_TEST_STORE is missing: build it first"
COMPLETION_DIR="$SOURCE_DIR/tools/completion"
COMPLETED=report
BIN_DIR=$(dirname "$(realpath "$REPORT")")
"$MAKE_TEST_STORE" runs.db
"$MAKE_TEST_STORE" other.db
# A store of its own arms, metrics and runs, to tell --db apart from the default store.
sql other.db "UPDATE runs SET arm = 'narrow' WHERE arm = 'wide';
              UPDATE metrics SET name = 'precision' WHERE name = 'f1_macro'"
mkdir stores && cp runs.db stores/shard.db

# --- bash ----------------------------------------------------------------------------
# Commands, from report's own list (`arms` and `metrics` came with this feature).
bash_offers "report " list compare table power show curves confusion html merge arms metrics \
  tag note archive unarchive rm
expect_bash "report ta" table tag
expect_bash "report tab" table
expect_bash "report co" compare confusion
expect_bash "report __c"  # the hidden command is not offered
# Options of the command on the line (table's, not list's), before or after it.
bash_offers "report table --" --by --metric --format --db --help --version --where
expect_bash "report table --st"  # --status belongs to the listing
expect_bash "report --db runs.db table --b" --by
bash_offers "report --" --compare --status --arm --bootstrap
# Option values: fixed choices ...
expect_bash "report table --format " table markdown csv json latex
expect_bash "report curves --format " table csv json
expect_bash "report --status f" finished failed
expect_bash "report table --format=c" csv
expect_bash "report curves --series val_" val_loss val_accuracy
bash_offers "report table --by " resolution dataset model
# ... and names read from the store: the default runs.db, or the one --db names.
expect_bash "report compare " baseline wide
expect_bash "report compare baseline w" wide
expect_bash "report --compare baseline " baseline wide
expect_bash "report power " baseline wide
expect_bash "report --arm " baseline wide
expect_bash "report html -o page.html --compare " baseline wide
expect_bash "report --db other.db compare " baseline narrow
expect_bash "report compare --db=other.db " baseline narrow
expect_bash "report compare --metric test.f" test.f1/0 test.f1/1 test.f1_macro
expect_bash "report --db other.db table --metric test.p" test.precision
expect_bash "report show 1" 1 10 11 12 13 14
bash_offers "report confusion " 3 12
bash_offers "report diff 3 " 4
expect_bash "report --db missing.db compare "  # no store: nothing, and no error
expect_bash "report --dataset " mnist
expect_bash "report curves --grid " golden
# Files: stores for --db (and merge), anything for -o.
expect_bash "report --db " other.db runs.db stores
expect_bash "report --db stores/" stores/shard.db
expect_bash "report --db=o" other.db
expect_bash "report merge all.db " other.db runs.db stores
touch page.html
bash_offers "report html -o " page.html runs.db

# --- cmake --install -----------------------------------------------------------------
# Only the completion component: a plain `cmake --install` installs it with the rest, but
# needs every target built.
BUILD_DIR=$(dirname "$BIN_DIR")
[[ -f $BUILD_DIR/cmake_install.cmake ]] || fail "no cmake_install.cmake in $BUILD_DIR"
cmake --install "$BUILD_DIR" --prefix "$WORK/prefix" --component completion >install.log 2>&1 ||
  { cat install.log >&2; fail "cmake --install failed"; }
cmp -s "$WORK/prefix/share/bash-completion/completions/report" "$COMPLETION_DIR/report.bash" ||
  fail "cmake --install did not put report.bash at share/bash-completion/completions/report"
cmp -s "$WORK/prefix/share/zsh/vendor-completions/_report" "$COMPLETION_DIR/_report" ||
  fail "cmake --install did not put _report at share/zsh/vendor-completions/_report"

# --- zsh -----------------------------------------------------------------------------
# Last: where zsh is missing, everything above was checked and CTest says SKIPPED.
command -v zsh >/dev/null || skip "zsh is not installed: the bash half and the install passed, the zsh half is not checked"
zsh_offers "report " list compare table power show curves confusion html merge arms metrics tag rm
zsh_lacks "report " __complete
zsh_offers "report table --" --by --metric --format --db
zsh_lacks "report table --" --status --compare
zsh_offers "report table --format " markdown latex
zsh_offers "report compare " baseline wide
zsh_offers "report --db other.db compare baseline " narrow
zsh_lacks "report --db other.db compare baseline " wide
zsh_offers "report compare --metric test." test.accuracy test.f1/0 test.f1_macro
zsh_lacks "report compare --metric test." val.accuracy
zsh_offers "report show " 1 14
zsh_offers "report --db " runs.db other.db
zsh_lacks "report --db " page.html
zsh_offers "report table --format=j" --format=json

echo "report_completion: all checks passed"
