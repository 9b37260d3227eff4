# A Debian 13 root on a Debian 12 machine, so that tools/test also builds and tests Ablate
# against Debian 13's LibTorch 2.6. Sourced after setup.sh.
#
# The root is a plain `mmdebstrap --variant=apt trixie` (about 1.5 minutes); tools/test,
# run inside it, installs what Ablate needs there exactly as on a fresh Debian 13 machine.
# It is kept between runs (ABLATE_DEBIAN13_ROOT, default /var/cache/ablate/debian13) with
# its own ccache and build folder, so a second run rebuilds only what changed.

ABLATE_DEBIAN13_ROOT="${ABLATE_DEBIAN13_ROOT:-/var/cache/ablate/debian13}"
# Where the checkout appears inside the root, and the root's own build folder.
ABLATE_DEBIAN13_SOURCE=/ablate
ABLATE_DEBIAN13_BUILD=/var/tmp/ablate-build

# as_root COMMAND...: runs it as root (through sudo when not root), as apt-get is run.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_debian13_root: makes the root unless it is there. A root is made in a temporary
# folder and renamed when complete, so an interrupted run never leaves half a root.
ensure_debian13_root() {
  if [ -x "$ABLATE_DEBIAN13_ROOT/usr/bin/apt-get" ]; then
    log "reusing the Debian 13 root $ABLATE_DEBIAN13_ROOT"
    return
  fi
  install_dependencies mmdebstrap
  local partial="$ABLATE_DEBIAN13_ROOT.partial"
  log "making a Debian 13 root in $ABLATE_DEBIAN13_ROOT (mmdebstrap, about 1.5 minutes)"
  as_root rm -rf "$partial"
  as_root mkdir -p "$(dirname "$ABLATE_DEBIAN13_ROOT")"
  as_root mmdebstrap --quiet --variant=apt trixie "$partial"
  as_root mv "$partial" "$ABLATE_DEBIAN13_ROOT"
}

# in_debian13_root COMMAND: runs the shell command in the root, in the checkout (mounted
# at $ABLATE_DEBIAN13_SOURCE), with /proc, /sys and /dev of this machine. The mounts live
# in a private mount namespace: they vanish when the command ends, however it ends. The
# command gets a clean environment but for OPENBLAS_* and OMP_* (some machines set
# OPENBLAS_CORETYPE because OpenBLAS misdetects their processor: the tests and
# benchmarks must see what this machine's own runs see), TERM and CI.
in_debian13_root() {
  local passed=(HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  local name
  for name in $(compgen -e); do
    case "$name" in OPENBLAS_* | OMP_* | TERM | CI) passed+=("$name=${!name}") ;; esac
  done
  as_root cp /etc/resolv.conf "$ABLATE_DEBIAN13_ROOT/etc/resolv.conf"
  as_root unshare --mount --propagation private bash -euc '
    root=$1 checkout=$2 source=$3 command=$4
    shift 4
    mkdir -p "$root$source"
    mount --bind "$checkout" "$root$source"
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    exec chroot "$root" /usr/bin/env -i "$@" bash -euc "cd \"$source\" && $command"
  ' in_debian13_root "$ABLATE_DEBIAN13_ROOT" "$ABLATE_ROOT" "$ABLATE_DEBIAN13_SOURCE" "$1" "${passed[@]}"
}
