# Shared by tools/quickstart and tools/test: install Debian packages and build Ablate.
# Safe to re-run: installs only what is missing, rebuilds only what changed (ccache).

ABLATE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ABLATE_BUILD_DIR="${ABLATE_BUILD_DIR:-$ABLATE_ROOT/build}"

# Everything Ablate needs from Debian 12 (LibTorch 1.13) or 13 (LibTorch 2.6): the two
# releases name these packages alike (checked in a Debian 13 root, tools/lib/debian13_root.sh).
# libopenblas0-pthread matters: without it LibTorch's matrix products use the reference
# BLAS and run ~14x slower; the runner links tcmalloc (libgoogle-perftools-dev) for speed
# and memory (docs/performance.md).
ABLATE_PACKAGES=(
  build-essential cmake ninja-build ccache git pkg-config
  libtorch-dev libopenblas0-pthread libgoogle-perftools-dev
  libboost-dev libboost-program-options-dev libboost-filesystem-dev
  libyaml-cpp-dev libsqlitecpp-dev libsqlite3-dev sqlite3 libfmt-dev nlohmann-json3-dev
  libssl-dev zlib1g-dev libzip-dev libcurl4-openssl-dev libgtest-dev libcli11-dev
  dataset-fashion-mnist
)

# Only the test suite needs these: headless Chromium renders `report html` pages, numpy
# writes the benchmark's data files, and clang-format checks the C++ format (Debian 12's
# is clang-format 14, the version .clang-format is tuned for; Debian 13's, 19, is skipped);
# slurm-wlm and munge run the single-node Slurm that tests/integration/slurm.sh starts;
# python3-scipy is the reference report's statistics are checked against
# (tests/integration/report_stats_scipy.sh); python3-jsonschema checks `report --format
# json` against docs/report.schema.json; zsh runs the zsh completion's test.
ABLATE_TEST_PACKAGES=(chromium python3-numpy clang-format slurm-wlm munge python3-scipy python3-jsonschema zsh texlive-latex-base)

# A step of the set-up, with the time of day: the log then shows where the minutes went.
log() { printf '\033[1m==> %s %s\033[0m\n' "$(date +%T)" "$*" >&2; }

# The Debian release ("12", "13"), or what this system calls itself when it is not Debian.
debian_release() {
  # shellcheck disable=SC1091
  (. /etc/os-release && if [ "${ID:-}" = debian ]; then echo "${VERSION_ID:-unstable}"; else echo "${PRETTY_NAME:-unknown}"; fi)
}

# Says (once) which LibTorch this release brings, and warns where Ablate is not tested.
check_release() {
  [ -z "${ABLATE_RELEASE_CHECKED:-}" ] || return 0
  ABLATE_RELEASE_CHECKED=1
  case "$(debian_release)" in
    12) log "Debian 12: LibTorch 1.13 (libtorch-dev)" ;;
    13) log "Debian 13: LibTorch 2.6 (libtorch-dev)" ;;
    *)  log "warning: Ablate is tested on Debian 12 and 13; this is $(debian_release): the package names may differ" ;;
  esac
}

# install_dependencies [EXTRA_PACKAGE...]
install_dependencies() {
  check_release
  local missing=()
  local package
  for package in "${ABLATE_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all $((${#ABLATE_PACKAGES[@]} + $#)) Debian packages are installed"
    return
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  log "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# configure_and_build [TARGET...]: Release build in $ABLATE_BUILD_DIR.
configure_and_build() {
  log "configuring $ABLATE_BUILD_DIR"
  cmake -S "$ABLATE_ROOT" -B "$ABLATE_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  local targets=()
  if [ $# -gt 0 ]; then targets=(--target "$@"); fi
  log "building ${*:-everything} ($(nproc) cores; LibTorch files take ~20 s each the first time)"
  cmake --build "$ABLATE_BUILD_DIR" -j "$(nproc)" "${targets[@]}"
}
