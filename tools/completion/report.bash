# bash completion for Ablate's `report`: commands, options, their values, and the arms,
# metrics and run ids of the store --db names (default runs.db).
#
# The candidates come from the binary: `report __complete -- WORD...` (the words after
# `report` up to the cursor) prints "VALUE<TAB>DESCRIPTION" lines, or ":files" /
# ":stores" for file names (tools/report/cli_complete.hpp). So a command or option added
# to report completes without a change here.
#
# Installed as share/bash-completion/completions/report (loaded on first use); or, from a
# checkout: source tools/completion/report.bash

_report() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  ((COMP_CWORD > 0)) || return 0
  # bash splits words at '=' and ':' (COMP_WORDBREAKS): put `--db=x` back together, as
  # report will see it; a piece with no blank before it in COMP_LINE joins the word before.
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
  # words[0] is `report` as typed; the rest go to __complete, the last at the cursor.
  local word=${words[-1]}
  # Candidates are whole words (--format=csv); bash replaces only `cur`, the part after
  # the last '=' or ':', so each loses what precedes it.
  local strip=$((${#word} - ${#cur}))
  local -a candidates=()
  local value prefix base file
  while IFS=$'\t' read -r value _; do
    case $value in
      :files | :stores)
        prefix="" base=$word
        if [[ $word == --*=* ]]; then
          prefix=${word%%=*}= base=${word#*=}
        fi
        compopt -o filenames 2>/dev/null
        while IFS= read -r file; do
          candidates+=("$prefix$file")
        done < <(if [[ $value == :files ]]; then
          compgen -f -- "$base"
        else
          compgen -d -- "$base"
          compgen -f -X '!*.db' -- "$base"
        fi)
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
complete -F _report report
