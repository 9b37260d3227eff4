# bash completion for Ablate's `runner`: subcommands, options, their values, experiment
# files, model plugin names (describe) and the run ids of the store --db names (evaluate).
#
# The candidates come from the binary: `runner __complete -- WORD...` (the words after
# `runner` up to the cursor) prints "VALUE<TAB>DESCRIPTION" lines, and ":experiments",
# ":stores", ":files" or ":dirs" for file names, which the shell lists itself
# (tools/runner/cli_complete.hpp). So a subcommand or option added to runner completes
# without a change here.
#
# Installed as share/bash-completion/completions/runner (loaded on first use); or, from a
# checkout: source tools/completion/runner.bash

_runner() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  ((COMP_CWORD > 0)) || return 0
  # bash splits words at '=' and ':' (COMP_WORDBREAKS): put `--db=x` and `seeds=[0]` back
  # together, as runner will see them; a piece with no blank before it in COMP_LINE joins
  # the word before.
  local -a words=()
  local line=${COMP_LINE:0:COMP_POINT} position=0 i piece gap
  for ((i = 0; i <= COMP_CWORD; i++)); do
    piece=${COMP_WORDS[i]}
    gap=0
    while [[ ${line:position:1} == [[:blank:]] ]]; do
      gap=1
      ((position++))
    done
    if ((i > 1 && !gap)); then
      words[-1]+=$piece
    else
      words+=("$piece")
    fi
    ((position += ${#piece}))
  done
  # words[0] is `runner` as typed; the rest go to __complete, the last at the cursor.
  local word=${words[-1]}
  # Candidates are whole words (--db=x.db); bash replaces only `cur`, the part after the
  # last '=' or ':', so each loses what precedes it.
  local strip=$((${#word} - ${#cur}))
  local -a candidates=()
  local value prefix base file
  while IFS=$'\t' read -r value _; do
    case $value in
      :experiments | :stores | :files | :dirs)
        prefix="" base=$word
        if [[ $word == --*=* ]]; then
          prefix=${word%%=*}= base=${word#*=}
        fi
        compopt -o filenames 2>/dev/null
        while IFS= read -r file; do
          candidates+=("$prefix$file")
        done < <(case $value in
          :experiments) compgen -d -- "$base"; compgen -f -X '!*.yaml' -- "$base"; compgen -f -X '!*.yml' -- "$base" ;;
          :stores) compgen -d -- "$base"; compgen -f -X '!*.db' -- "$base" ;;
          :files) compgen -f -- "$base" ;;
          :dirs) compgen -d -- "$base" ;;
        esac)
        ;;
      *) candidates+=("$value") ;;
    esac
  done < <("${words[0]}" __complete -- "${words[@]:1}" 2>/dev/null)
  COMPREPLY=()
  for value in "${candidates[@]}"; do
    COMPREPLY+=("${value:strip}")
  done
  return 0
}
complete -F _runner runner
