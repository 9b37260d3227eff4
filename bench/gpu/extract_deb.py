"""Unpacks a .deb's files into a folder, as `dpkg-deb -x DEB DIR` does, for bench/gpu/run on
a machine without dpkg. A .deb is an ar archive whose data.tar.{xz,gz,zst} member holds the
files; Debian 12's packages use xz, which Python's tarfile reads.

usage: python3 bench/gpu/extract_deb.py PACKAGE.deb DIR"""
import io
import sys
import tarfile


def ar_members(data):
    """(name, bytes) of each member of an ar archive (after its 8-byte magic)."""
    offset = 8
    while offset + 60 <= len(data):
        header = data[offset:offset + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        offset += 60
        yield name, data[offset:offset + size]
        offset += size + (size % 2)  # members are padded to an even offset


def main(deb, folder):
    with open(deb, "rb") as file:
        data = file.read()
    if not data.startswith(b"!<arch>\n"):
        sys.exit(f"{deb}: not a Debian package (not an ar archive)")
    for name, member in ar_members(data):
        if name.startswith("data.tar"):
            if name.endswith(".zst"):
                sys.exit(f"{deb}: {name} is zstd-compressed, which Python cannot read; install dpkg")
            with tarfile.open(fileobj=io.BytesIO(member)) as archive:
                # As dpkg-deb: the package's own symbolic links, as they are (Python 3.14's
                # default filter would refuse the absolute ones).
                if hasattr(tarfile, "fully_trusted_filter"):
                    archive.extractall(folder, filter="fully_trusted")
                else:
                    archive.extractall(folder)
            return
    sys.exit(f"{deb}: no data.tar member")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
