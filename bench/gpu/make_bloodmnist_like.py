#!/usr/bin/env python3
"""Writes BloodMNIST-shaped .npz files for the GPU benchmark, where the real ones cannot be
downloaded: bloodmnist_64.npz and bloodmnist_128.npz (bloodmnist.npz at 28) in OUT_DIR, with
the arrays the `medmnist` dataset plugin reads, in the published files' dtypes and shapes
(train/val/test_images (N, S, S, 3) uint8, train/val/test_labels (N, 1) uint8), the
published split sizes and class balance, labels shuffled. The images are random blocks of
colour (a 16 x 16 grid per image), cheap to make: nothing learns from them, a benchmark only
needs their shapes. Uses numpy; without it (a PyTorch install may lack it) torch draws the
arrays and the .npy members are written by hand in np.savez's format.

Usage: make_bloodmnist_like.py OUT_DIR [--sides 64,128] [--seed 0]"""
import argparse
import ctypes
import sys
import time
import zipfile
from pathlib import Path

# BloodMNIST's images per class (8 classes) in each split, as published (MedMNIST v2).
CLASS_COUNTS = {
    "train": [852, 2181, 1085, 2026, 849, 993, 2330, 1643],
    "val": [122, 312, 155, 290, 122, 143, 333, 235],
    "test": [244, 624, 311, 579, 243, 284, 666, 470],
}
SPLIT_SIZES = {"train": 11959, "val": 1712, "test": 3421}
PUBLISHED_SIDES = (28, 64, 128, 224)
CHANNELS, GRID = 3, 16
assert all(sum(CLASS_COUNTS[s]) == n for s, n in SPLIT_SIZES.items())


def file_name(side):
    # The plugin's names (plugins/datasets/medmnist/flags.cpp): no suffix at 28.
    return "bloodmnist.npz" if side == 28 else f"bloodmnist_{side}.npz"


def numpy_arrays(np, side, seed):
    rng = np.random.default_rng(seed)
    block = -(-side // GRID)  # 28 is no multiple of 16: larger blocks, cut to the side
    arrays = {}
    for split, counts in CLASS_COUNTS.items():
        n = sum(counts)
        coarse = rng.integers(0, 256, (n, GRID, GRID, CHANNELS), dtype=np.uint8)
        images = np.ascontiguousarray(coarse.repeat(block, axis=1).repeat(block, axis=2)[:, :side, :side])
        labels = np.repeat(np.arange(len(counts), dtype=np.uint8), counts)
        arrays[split + "_images"] = images
        arrays[split + "_labels"] = rng.permutation(labels).reshape(n, 1)
    return arrays


def write_numpy(np, path, side, seed):
    # np.savez, not savez_compressed: stored members read at disk speed on the GPU machine
    # (deflating 0.84 GB at 128 px takes the plugin seconds per cell; this file is made there).
    np.savez(path, **numpy_arrays(np, side, seed))


def npy_bytes(descr, shape, data):
    """A version 1.0 .npy member, byte for byte as numpy writes it."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (descr, tuple(shape))
    padding = 64 - (10 + len(header) + 1) % 64
    header = (header + " " * padding + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + data


def write_torch(path, side, seed):
    import torch  # only without numpy

    generator = torch.Generator().manual_seed(seed)
    block = -(-side // GRID)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for split, counts in CLASS_COUNTS.items():
            n = sum(counts)
            coarse = torch.randint(0, 256, (n, GRID, GRID, CHANNELS), dtype=torch.uint8, generator=generator)
            images = coarse.repeat_interleave(block, 1).repeat_interleave(block, 2)[:, :side, :side].contiguous()
            labels = torch.repeat_interleave(torch.arange(len(counts), dtype=torch.uint8), torch.tensor(counts))
            labels = labels[torch.randperm(n, generator=generator)].reshape(n, 1).contiguous()
            for name, array in ((split + "_images", images), (split + "_labels", labels)):
                with archive.open(name + ".npy", "w", force_zip64=True) as member:
                    # The tensor's bytes without numpy (.numpy() needs it): it is contiguous uint8.
                    member.write(npy_bytes("|u1", array.shape, ctypes.string_at(array.data_ptr(), array.numel())))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--sides", default="64,128", help="image sides, comma-separated (default 64,128)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        sides = [int(s) for s in args.sides.split(",")]
    except ValueError:
        parser.error(f"--sides is {args.sides!r}; expected sides such as 64,128")
    for side in sides:
        if side not in PUBLISHED_SIDES:
            parser.error(f"--sides has {side}; the medmnist plugin reads the published sides "
                         f"{', '.join(map(str, PUBLISHED_SIDES))}")
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        import numpy as np
    except ImportError:
        np = None
        try:
            import torch  # noqa: F401  (write_torch's, checked before any file is written)
        except ImportError:
            sys.exit(f"make_bloodmnist_like.py: {sys.executable} has neither numpy nor torch; run it with a "
                     f"python3 that has one of them")
    for side in sides:
        start = time.monotonic()
        path = out / file_name(side)
        if np is not None:
            write_numpy(np, path, side, args.seed + side)
        else:
            write_torch(path, side, args.seed + side)
        print(f"{path}: {path.stat().st_size / 1e6:.0f} MB in {time.monotonic() - start:.1f} s"
              f"{'' if np is not None else ' (numpy missing: written with torch)'}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
