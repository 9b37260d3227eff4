# Helpers for the integration scripts: a temp folder, assertions that print context.
# Each script is run by CTest as: bash SCRIPT RUNNER REPORT PLUGIN_DIR SOURCE_DIR
set -euo pipefail
RUNNER=$1 REPORT=$2 PLUGIN_DIR=$3 SOURCE_DIR=$4
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }
# skip WHY: this machine cannot run the check; CTest reports SKIPPED (SKIP_RETURN_CODE 77).
skip() { echo "SKIPPED: $*" >&2; exit 77; }

# expect_exit CODE LOG -- COMMAND...: runs COMMAND, output to LOG, checks the exit status.
expect_exit() {
  local expected=$1 log=$2; shift 3
  local status=0
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -ne "$expected" ]; then
    cat "$log" >&2
    fail "expected exit $expected, got $status: $*"
  fi
}

# expect_in FILE TEXT: FILE contains TEXT (fixed string).
expect_in() {
  grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "'$2' not found in $1"; }
}

sql() { sqlite3 -batch -noheader "$1" "$2"; }

# wait_for_text LOG TEXT [SECONDS]: waits (default 60 s) until LOG contains TEXT; fails,
# showing LOG, if it never does. For a runner started in the background.
wait_for_text() {
  local tries=$((${3:-60} * 10))
  for _ in $(seq 1 "$tries"); do grep -qF -- "$2" "$1" && return 0; sleep 0.1; done
  cat "$1" >&2
  fail "'$2' did not appear in $1 within ${3:-60} s"
}

# A tiny learnable grid on the synthetic data set: trains in about a second.
write_synthetic_experiment() {
  cat >"$1" <<YAML
name: synthetic-grid
dataset: {plugin: synthetic, classes: 4, channels: 3, size: 16, train: 128, val: 32, test: 32}
arms:
  baseline: {model: baseline_cnn}
  narrow: {model: baseline_cnn, options: {filters: [8, 16], dropout: [0.1, 0.1], dense: 32}}
resolutions: [16]
seeds: [0, 1]
train: {batch_size: 32, max_epochs: 2, threads: 1}
YAML
}

# A one-cell grid that trains for minutes (50 epochs, no early stopping): for tests that
# stop or inspect a runner while a cell is training.
write_long_experiment() {
  cat >"$1" <<YAML
dataset: {plugin: synthetic, classes: 4, size: 32, train: 2048, val: 64, test: 64}
arms: {baseline: {model: baseline_cnn}}
resolutions: [32]
seeds: [0]
train: {batch_size: 16, max_epochs: 50, early_stopping: {patience: 0}, threads: 1}
YAML
}

# The bash half of the completion tests (report_completion.sh, runner_completion.sh), for
# the command $COMPLETED (runner or report) whose script is $COMPLETION_DIR/$COMPLETED.bash.
# bash_complete LINE: the completions its _$COMPLETED function gives with the cursor at the
# end of LINE (COMP_WORDS split as bash does, at blanks and at '='), one a line, sorted.
bash_complete() {
  PATH="$BIN_DIR:$PATH" bash --norc --noprofile -c '
    source "$1/$3.bash"
    COMP_LINE=$2
    COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<<"${COMP_LINE//=/ = }"
    [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    "_$3" "$3" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sort
  ' bash "$COMPLETION_DIR" "$1" "$COMPLETED"
}

# expect_bash LINE EXPECTED...: bash completes LINE to exactly EXPECTED (any order).
expect_bash() {
  local line=$1 actual expected
  shift
  actual=$(bash_complete "$line")
  expected=$(printf '%s\n' "$@" | sort)
  [[ $actual == "$expected" ]] || fail "bash: '$line' completed to [${actual//$'\n'/ }], expected [${expected//$'\n'/ }]"
}

# The zsh half of the completion tests (report_completion.sh, runner_completion.sh).
# zsh_complete LINE: what zsh's completion system offers when TAB is pressed at the end of
# LINE, typed into an interactive `zsh -f` (driven through zsh/zpty) with compinit,
# $COMPLETION_DIR on fpath and $BIN_DIR on path. compadd is wrapped to print what it adds,
# and still add it: _files offers every file when its patterns added none.
zsh_complete() {
  [[ -f $WORK/complete.zsh ]] || cat >"$WORK/complete.zsh" <<'ZSH'
zmodload zsh/zpty || exit 77
zpty shell zsh -f -i
zpty -w shell "PS1='' RPROMPT=''; fpath=(${(q)1} \$fpath); path=(${(q)2} \$path)"
zpty -w shell 'autoload -Uz compinit; compinit -u -D'
zpty -w shell 'compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a matched; builtin compadd -O matched "$@"; local m
  for m in $matched; do print -r -- "${(U):-hit}:$m"; done
  builtin compadd "$@"
}'
zpty -w shell 'finish() { print -r -- ${(U):-completion-end}; exit }; comppostfuncs=(finish)'
zpty -w -n shell "$3"$'\t'
# Upper case only in what the shell prints, never in the definitions it echoes.
while zpty -r shell line; do
  line=${line//$'\r'/}
  line=${line%$'\n'}
  [[ $line == *COMPLETION-END* ]] && break
  [[ $line == *HIT:* ]] && print -r -- ${line#*HIT:}
done
zpty -d shell
ZSH
  timeout 30 zsh -f "$WORK/complete.zsh" "$COMPLETION_DIR" "$BIN_DIR" "$1" | sort -u
}

# SHELL_offers LINE WORD... (bash_offers, zsh_offers): SHELL's completions of LINE include
# every WORD; SHELL_lacks LINE WORD...: none of them.
completions_include() {
  local shell=$1 line=$2 actual word
  shift 2
  actual=$("${shell}_complete" "$line")
  for word in "$@"; do
    grep -qxF -- "$word" <<<"$actual" || fail "$shell: '$line' does not offer '$word': [${actual//$'\n'/ }]"
  done
}
completions_exclude() {
  local shell=$1 line=$2 actual word
  shift 2
  actual=$("${shell}_complete" "$line")
  for word in "$@"; do
    grep -qxF -- "$word" <<<"$actual" && fail "$shell: '$line' offers '$word': [${actual//$'\n'/ }]"
  done
  return 0
}
bash_offers() { completions_include bash "$@"; }
bash_lacks() { completions_exclude bash "$@"; }
zsh_offers() { completions_include zsh "$@"; }
zsh_lacks() { completions_exclude zsh "$@"; }
