"""Checks that the Python peers' models have the C++ plugins' parameter counts."""
import sys

from models import build, trainable_parameters

EXPECTED = {("baseline", 64): 1_143_432, ("baseline", 128): 4_289_160, ("encoder", 64): 1_207_144,
            ("encoder", 128): 1_207_144, ("se", 64): 1_218_534, ("se", 28): 1_218_534}

failures = 0
for (model, resolution), expected in EXPECTED.items():
    got = trainable_parameters(build(model, 3, resolution, 8))
    ok = got == expected
    failures += not ok
    print(f"{model:<8} {resolution:>3}x{resolution:<3} {got:>10,} {'ok' if ok else f'expected {expected:,}'}")
sys.exit(1 if failures else 0)
