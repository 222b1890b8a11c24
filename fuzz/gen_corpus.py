#!/usr/bin/env python3
"""Writes the seed corpus of the `capi` fuzz target to corpus/capi/.

Deterministic: the same files on every run. Each seed starts with the bytes
that pick the scenario and the faults (see src/lib.rs, `run`, `small`,
`decode_fault`); the rest is pseudo-random, which the harness decodes into
parameters, sizes, layouts and pixels. libFuzzer takes it from there.

    python3 fuzz/gen_corpus.py
"""
import hashlib
import pathlib
import random

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "corpus" / "capi"

# First byte: scenario (src/lib.rs `run`: byte % 16).
WHOLE, REGION, LONG, HUGE, QUERIES = 0, 6, 11, 12, 14
NO_FAULT = 255  # decode_fault: >= threshold means none
FAULTS = 24


def seed(rng, head, length=96):
    return bytes(head) + bytes(rng.randrange(256) for _ in range(length))


def main():
    rng = random.Random(20240611)
    seeds = []
    # Valid whole-image and region calls: no fault, several random tails.
    for _ in range(8):
        seeds.append(seed(rng, [WHOLE, NO_FAULT, NO_FAULT]))
    for _ in range(6):
        seeds.append(seed(rng, [REGION, NO_FAULT, NO_FAULT]))
    # Region of a giant raster (byte after the parameters: giant % 4 == 0).
    for _ in range(2):
        s = bytearray(seed(rng, [REGION, NO_FAULT, NO_FAULT]))
        s[3 + 12] = 0  # params take 12 bytes; then the giant selector
        seeds.append(bytes(s))
    # Every fault once on a whole-image call, a few on region calls.
    for f in range(FAULTS):
        seeds.append(seed(rng, [WHOLE, f, NO_FAULT]))
    for f in (12, 14, 20, 21, 22, 23):
        seeds.append(seed(rng, [REGION, f, NO_FAULT]))
    # Two faults at once.
    seeds.append(seed(rng, [WHOLE, 3, 14]))
    seeds.append(seed(rng, [REGION, 21, 18]))
    # Long thin images, hostile sizes, queries.
    for _ in range(4):
        seeds.append(seed(rng, [LONG], 64))
    for f in (NO_FAULT, NO_FAULT, 0, 7, 18, 23):
        seeds.append(seed(rng, [HUGE, f], 64))
    for f in (NO_FAULT, 0, 1, 2, 5):
        seeds.append(seed(rng, [QUERIES, 0, 0, 0, 0, f], 48))

    OUT.mkdir(parents=True, exist_ok=True)
    # regress-* files are inputs of past findings, kept by hand.
    for old in OUT.glob("seed-*"):
        old.unlink()
    for i, data in enumerate(seeds):
        name = f"seed-{i:03d}-{hashlib.sha1(data).hexdigest()[:12]}"
        (OUT / name).write_bytes(data)
    print(f"wrote {len(seeds)} seeds to {OUT}")


if __name__ == "__main__":
    main()
