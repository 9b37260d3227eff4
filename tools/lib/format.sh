#!/usr/bin/env bash
# C++ formatting: the check that tools/test runs, and the fix, tools/format. Both use
# clang-format with the repository's .clang-format on every C++ file git knows of
# (tracked, or untracked and not ignored: .cpp, .hpp, .h).
#
# The style is pinned to clang-format 14, what Debian 12's `clang-format` package installs.
# Other major versions lay some code out differently under the same .clang-format (Debian
# 13's clang-format 19 included), so they would flag correctly formatted files, or reformat
# the tree back and forth. With no clang-format 14 the check says SKIPPED and why, and
# tools/format refuses. ABLATE_CLANG_FORMAT=/path/to/clang-format picks the binary; it
# must still be version 14.
#
# Source it (tools/test calls check_format), or run it: `tools/lib/format.sh` checks.

ABLATE_FORMAT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ABLATE_CLANG_FORMAT_MAJOR=14

if ! declare -F log >/dev/null; then
  log() { printf '\033[1m==> %s %s\033[0m\n' "$(date +%T)" "$*" >&2; }
fi

# Sets ABLATE_CLANG_FORMAT_BIN to the clang-format 14 to use; where there is none, sets
# ABLATE_CLANG_FORMAT_PROBLEM to why and returns 1.
find_clang_format() {
  ABLATE_CLANG_FORMAT_BIN=
  ABLATE_CLANG_FORMAT_PROBLEM=
  local candidates=("clang-format-$ABLATE_CLANG_FORMAT_MAJOR" clang-format)
  if [ -n "${ABLATE_CLANG_FORMAT:-}" ]; then candidates=("$ABLATE_CLANG_FORMAT"); fi
  local seen=() candidate major
  for candidate in "${candidates[@]}"; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    major=$("$candidate" --version 2>/dev/null | sed -n 's/.*clang-format version \([0-9][0-9]*\).*/\1/p' | head -n 1)
    if [ "$major" = "$ABLATE_CLANG_FORMAT_MAJOR" ]; then
      ABLATE_CLANG_FORMAT_BIN=$candidate
      return 0
    fi
    seen+=("$candidate is version ${major:-unknown}")
  done
  if [ ${#seen[@]} -eq 0 ]; then
    ABLATE_CLANG_FORMAT_PROBLEM="no ${candidates[*]} found"
  else
    ABLATE_CLANG_FORMAT_PROBLEM=$(printf '%s; ' "${seen[@]}")
    ABLATE_CLANG_FORMAT_PROBLEM=${ABLATE_CLANG_FORMAT_PROBLEM%; }
  fi
  ABLATE_CLANG_FORMAT_PROBLEM+=": the style is pinned to clang-format $ABLATE_CLANG_FORMAT_MAJOR (Debian 12: apt-get install clang-format), since other versions lay out code differently; ABLATE_CLANG_FORMAT=PATH names one"
  return 1
}

# Prints the C++ files to format, NUL-separated, relative to the repository root.
format_files() {
  git -C "$ABLATE_FORMAT_ROOT" ls-files -z --cached --others --exclude-standard -- '*.cpp' '*.hpp' '*.h' |
    while IFS= read -r -d '' file; do
      # Listed but deleted in the work tree: nothing to format.
      [ -f "$ABLATE_FORMAT_ROOT/$file" ] && printf '%s\0' "$file"
    done
}

# check_format: 0 when every C++ file is formatted (or the check is skipped), 1 otherwise.
check_format() {
  if ! find_clang_format; then
    log "SKIPPED the C++ format check: $ABLATE_CLANG_FORMAT_PROBLEM"
    return 0
  fi
  if ! git -C "$ABLATE_FORMAT_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    log "SKIPPED the C++ format check: $ABLATE_FORMAT_ROOT is not a git checkout, so there is no list of its files"
    return 0
  fi
  local files=()
  mapfile -d '' files < <(format_files)
  log "checking the format of ${#files[@]} C++ files ($("$ABLATE_CLANG_FORMAT_BIN" --version | sed 's/^[^0-9]*//; s/ .*//'))"
  [ ${#files[@]} -gt 0 ] || return 0

  local output status=0
  output=$(cd "$ABLATE_FORMAT_ROOT" && "$ABLATE_CLANG_FORMAT_BIN" --style=file --dry-run --Werror --ferror-limit=1 \
    "${files[@]}" 2>&1) || status=$?
  [ "$status" -eq 0 ] && return 0

  local bad=()
  mapfile -t bad < <(printf '%s\n' "$output" | sed -n 's/^\(.*\):[0-9][0-9]*:[0-9][0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
  if [ ${#bad[@]} -eq 0 ]; then
    # Not a formatting difference: a broken .clang-format, an unreadable file...
    printf '%s\n' "$output" >&2
    log "FAILED the C++ format check: $ABLATE_CLANG_FORMAT_BIN exited with $status"
    return 1
  fi
  log "FAILED the C++ format check: ${#bad[@]} of ${#files[@]} files are not formatted:"
  printf '  %s\n' "${bad[@]}" >&2
  printf '%s\n' "--- what $ABLATE_CLANG_FORMAT_BIN would change in ${bad[0]} (first 40 lines):" >&2
  (cd "$ABLATE_FORMAT_ROOT" && "$ABLATE_CLANG_FORMAT_BIN" --style=file "${bad[0]}" | diff -u "${bad[0]}" - | head -n 40) >&2
  printf '%s\n' "Fix: tools/format (all files), or tools/format FILE..." \
    "Keep a hand-laid table as it is between '// clang-format off' and '// clang-format on' lines." >&2
  return 1
}

# format_in_place [FILE...]: formats the given files, or every C++ file, in place.
format_in_place() {
  if ! find_clang_format; then
    log "cannot format: $ABLATE_CLANG_FORMAT_PROBLEM"
    return 1
  fi
  local files=()
  if [ $# -gt 0 ]; then
    files=("$@")
  elif ! git -C "$ABLATE_FORMAT_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    log "cannot list the C++ files: $ABLATE_FORMAT_ROOT is not a git checkout; name the FILEs"
    return 1
  else
    mapfile -d '' files < <(format_files)
    local i
    for i in "${!files[@]}"; do files[i]="$ABLATE_FORMAT_ROOT/${files[i]}"; done
  fi
  [ ${#files[@]} -gt 0 ] || return 0
  log "formatting ${#files[@]} C++ files with $ABLATE_CLANG_FORMAT_BIN"
  "$ABLATE_CLANG_FORMAT_BIN" --style=file -i "${files[@]}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  check_format
fi
