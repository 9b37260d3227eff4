# Writes a BloodMNIST-128-sized .npz for bench/npz_load.sh: 11,959/1,712/3,421 images of
# 128x128x3 uint8 (0.84 GB raw) and uint8 (N, 1) labels, with np.savez_compressed like
# the published file. Pure noise would not compress at all: random 8x8 blocks with small
# noise on 70% of the pixels compress to about the ratio of the real file (569 MB of
# 840 MB), so inflate does real work. Usage: /usr/bin/python3 bench/npz_make.py OUT.npz
import sys

import numpy as np

SPLITS = {"train": 11959, "val": 1712, "test": 3421}
SIDE, CHANNELS, CLASSES, BLOCK = 128, 3, 8, 8
NOISE, NOISY_FRACTION = 4, 0.7


def images(rng, count):
    out = np.empty((count, SIDE, SIDE, CHANNELS), dtype=np.uint8)
    step = 1024  # keeps the float temporaries small
    for start in range(0, count, step):
        n = min(step, count - start)
        coarse = rng.integers(0, 240, (n, SIDE // BLOCK, SIDE // BLOCK, CHANNELS), dtype=np.uint8)
        smooth = coarse.repeat(BLOCK, axis=1).repeat(BLOCK, axis=2)
        noisy = (rng.random(smooth.shape) < NOISY_FRACTION).astype(np.uint8)
        out[start:start + n] = smooth + rng.integers(0, NOISE, smooth.shape, dtype=np.uint8) * noisy
    return out


def main(path):
    rng = np.random.default_rng(0)
    arrays = {}
    for split, count in SPLITS.items():
        arrays[split + "_images"] = images(rng, count)
        arrays[split + "_labels"] = rng.integers(0, CLASSES, (count, 1), dtype=np.uint8)
    np.savez_compressed(path, **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
