#!/usr/bin/env bash
# Fuzzing: the libFuzzer targets in fuzz/ (experiment files, .npz archives, IDX files),
# built with clang in their own build folder and run for a bounded time each. tools/test
# runs them for ABLATE_FUZZ_SECONDS (default 20) per target; tools/fuzz for as long as
# you like. Each target's corpus grows in $ABLATE_FUZZ_BUILD_DIR/corpus/TARGET across
# runs, seeded from the repository (experiments/*.yaml, the MedMNIST test fixtures and
# fuzz/corpus/idx); a crash leaves its input in $ABLATE_FUZZ_BUILD_DIR/crashes/.
#
# Source it after tools/lib/setup.sh (for log and ABLATE_ROOT).

ABLATE_FUZZ_BUILD_DIR="${ABLATE_FUZZ_BUILD_DIR:-$ABLATE_ROOT/build-fuzz}"
# clang with its runtime libraries (libFuzzer, the sanitizers); the fuzz targets need no
# LibTorch.
ABLATE_FUZZ_PACKAGES=(clang libclang-rt-dev)
ABLATE_FUZZ_TARGETS=(experiment npz idx)

# fuzz_seeds TARGET DIR: copies the repository's seed inputs for TARGET into DIR.
fuzz_seeds() {
  case "$1" in
    experiment) cp "$ABLATE_ROOT"/experiments/*.yaml "$2"/ ;;
    npz) cp "$ABLATE_ROOT"/tests/fixtures/medmnist/*.npz "$2"/ ;;
    idx) cp "$ABLATE_ROOT"/fuzz/corpus/idx/* "$2"/ ;;
  esac
}

# run_fuzzers SECONDS: builds the targets and runs each for SECONDS; returns 1 when one
# finds a crash (its report and the input that caused it are printed), 0 otherwise.
# Without clang++ it says SKIPPED and returns 0.
run_fuzzers() {
  local seconds=$1
  if ! command -v clang++ >/dev/null 2>&1; then
    log "SKIPPED fuzzing: clang++ is not installed (apt-get install ${ABLATE_FUZZ_PACKAGES[*]})"
    return 0
  fi
  log "building the fuzz targets with clang in $ABLATE_FUZZ_BUILD_DIR"
  cmake -S "$ABLATE_ROOT/fuzz" -B "$ABLATE_FUZZ_BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
  cmake --build "$ABLATE_FUZZ_BUILD_DIR" -j "$(nproc)" >/dev/null || return 1
  local target corpus log_file status=0
  mkdir -p "$ABLATE_FUZZ_BUILD_DIR/crashes"
  for target in "${ABLATE_FUZZ_TARGETS[@]}"; do
    corpus="$ABLATE_FUZZ_BUILD_DIR/corpus/$target"
    log_file="$ABLATE_FUZZ_BUILD_DIR/$target.log"
    mkdir -p "$corpus"
    fuzz_seeds "$target" "$corpus"
    # -timeout: one input may take 10 s at most (a hang is a finding); -rss_limit_mb: a
    # blow-up in memory is one too.
    if "$ABLATE_FUZZ_BUILD_DIR/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$ABLATE_FUZZ_BUILD_DIR/crashes/$target-" "$corpus" >"$log_file" 2>&1; then
      log "fuzzing $target: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log_file" | tail -1), no crash" \
        "($(find "$corpus" -type f | wc -l) inputs in the corpus)"
    else
      tail -n 60 "$log_file" >&2
      log "FAILED fuzzing $target: see above; the input is in $ABLATE_FUZZ_BUILD_DIR/crashes/ and the log in $log_file"
      status=1
    fi
  done
  return "$status"
}
