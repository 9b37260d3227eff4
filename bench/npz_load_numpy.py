# The numpy side of bench/npz_load.sh: np.load of the same file, every array
# materialised and kept, as a Python training script would.
# Usage: /usr/bin/python3 bench/npz_load_numpy.py FILE.npz
import sys
import time

import numpy as np

start = time.perf_counter()
with np.load(sys.argv[1]) as npz:
    arrays = {name: npz[name] for name in npz.files}
seconds = time.perf_counter() - start
counts = "/".join(str(len(arrays[s + "_images"])) for s in ("train", "val", "test"))
image_bytes = sum(arrays[s + "_images"].nbytes for s in ("train", "val", "test"))
print(f"numpy load: {seconds:.3f} s for {counts} images, {image_bytes} image bytes")
