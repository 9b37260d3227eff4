# bench/gpu/extract_deb.py (bench/gpu/run's unpacker on a machine without dpkg) unpacks a
# package exactly as `dpkg-deb -x` does: files, modes, symbolic links (relative, absolute
# and dangling), an odd-sized member (ar pads it), and an xz- and a gzip-compressed data.tar.
source "$(dirname "$0")/lib.bash" "$@"
command -v dpkg-deb >/dev/null || skip "dpkg-deb is not installed"
EXTRACT="$SOURCE_DIR/bench/gpu/extract_deb.py"

mkdir -p package/DEBIAN package/usr/lib/x86_64-linux-gnu package/usr/bin package/usr/include/demo
cat >package/DEBIAN/control <<'CONTROL'
Package: ablate-demo
Version: 1.0
Architecture: amd64
Maintainer: Ablate tests <tests@example.invalid>
Description: a package for the unpacker's test
CONTROL
head -c 12345 /dev/urandom >package/usr/lib/x86_64-linux-gnu/libdemo.so.1.0.0  # an odd size
ln -s libdemo.so.1.0.0 package/usr/lib/x86_64-linux-gnu/libdemo.so.1
ln -s /usr/lib/x86_64-linux-gnu/libdemo.so.1 package/usr/lib/x86_64-linux-gnu/libdemo.so
ln -s ../lib/x86_64-linux-gnu/libmissing.so.9 package/usr/bin/dangling
printf '#!/bin/sh\necho demo\n' >package/usr/bin/demo && chmod 755 package/usr/bin/demo
echo '#define DEMO 1' >package/usr/include/demo/demo.h && chmod 644 package/usr/include/demo/demo.h

for compression in xz gzip; do
  dpkg-deb --root-owner-group -Z"$compression" --build package "demo-$compression.deb" >/dev/null
  mkdir "by-dpkg-$compression" "by-python-$compression"
  dpkg-deb -x "demo-$compression.deb" "by-dpkg-$compression"
  expect_exit 0 "extract-$compression.log" -- python3 "$EXTRACT" "demo-$compression.deb" "by-python-$compression"
  diff -r --no-dereference "by-dpkg-$compression" "by-python-$compression" >"diff-$compression.log" \
    || { cat "diff-$compression.log"; fail "extract_deb.py ($compression) differs from dpkg-deb -x"; }
  [ "$(stat -c %a "by-python-$compression/usr/bin/demo")" = 755 ] || fail "the program keeps its mode ($compression)"
  [ "$(readlink "by-python-$compression/usr/lib/x86_64-linux-gnu/libdemo.so")" = /usr/lib/x86_64-linux-gnu/libdemo.so.1 ] \
    || fail "an absolute link is kept as it is ($compression)"
  cmp package/usr/lib/x86_64-linux-gnu/libdemo.so.1.0.0 "by-python-$compression/usr/lib/x86_64-linux-gnu/libdemo.so.1.0.0" \
    || fail "the odd-sized file is whole ($compression)"
done

# Not a package: a clear error, not a traceback.
echo "not an archive" >broken.deb
expect_exit 1 broken.log -- python3 "$EXTRACT" broken.deb out
expect_in broken.log "not an ar archive"
if grep -q Traceback broken.log; then fail "a broken package gives a message, not a traceback"; fi
echo "ok"
