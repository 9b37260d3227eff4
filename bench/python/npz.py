"""Reads the leading rows of arrays in a MedMNIST-style .npz without numpy: the GPU machine's
PyTorch may come without it. A .npz is a zip of .npy members (stored by np.savez, deflated
by np.savez_compressed; zipfile reads both); a .npy is a magic string, a header dict and
the C-order bytes."""
import ast
import struct
import zipfile

MAGIC = b"\x93NUMPY"
# numpy's descr strings for the dtypes a MedMNIST file holds (uint8 images, integer labels)
# and their item sizes.
ITEM_SIZES = {"|u1": 1, "|i1": 1, "<i2": 2, "<i4": 4, "<i8": 8}


def _header(stream, where):
    if stream.read(len(MAGIC)) != MAGIC:
        raise ValueError(f"{where} is not a .npy array (no \\x93NUMPY magic)")
    major = stream.read(2)[0]
    size_format = "<H" if major == 1 else "<I"
    length = struct.unpack(size_format, stream.read(struct.calcsize(size_format)))[0]
    header = ast.literal_eval(stream.read(length).decode("latin1"))
    if header["descr"] not in ITEM_SIZES:
        raise ValueError(f"{where} has dtype {header['descr']!r}; expected one of {', '.join(ITEM_SIZES)}")
    if header["fortran_order"]:
        raise ValueError(f"{where} is in Fortran order; expected C order")
    return header["descr"], tuple(header["shape"])


def shapes(path):
    """{array name: (descr, shape)} for every member of the .npz at `path`."""
    out = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            with archive.open(name) as stream:
                out[name.removesuffix(".npy")] = _header(stream, f"{path}:{name}")
    return out


def read_rows(path, name, count=None):
    """(descr, shape, bytearray) of the first `count` rows (all when None) of array `name`."""
    with zipfile.ZipFile(path) as archive:
        try:
            stream = archive.open(name + ".npy")
        except KeyError:
            raise ValueError(f"{path} has no array {name!r}; it has {', '.join(archive.namelist())}") from None
        with stream:
            descr, shape = _header(stream, f"{path}:{name}.npy")
            rows = shape[0] if count is None else min(count, shape[0])
            row_bytes = ITEM_SIZES[descr]
            for side in shape[1:]:
                row_bytes *= side
            # One read and one copy: zipfile's readinto into a bytearray is several times slower.
            data = bytearray(stream.read(rows * row_bytes))
    return descr, (rows,) + shape[1:], data
