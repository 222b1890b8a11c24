#!/usr/bin/python3
"""The Lee family in memory against the window, in one run (not part of CI;
prints markdown): the point rules (Enhanced Lee, Lee, Kuan, Gamma-MAP) at
3x3, 7x7 and 31x31, and Refined Lee (both modes) and Lee Sigma 7x7 against
Enhanced Lee 7x7. SIZE x SIZE float32, 3-look speckle, 2 threads, best of
REPEAT.

    ENH_LEE_LIBRARY=target/release/libenh_lee.so \\
        /usr/bin/python3 bench/family_windows.py [--size 10000] [--repeat 3]
"""

import argparse
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python", "tests"))

import enh_lee  # noqa: E402
from _reference import speckled  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    a = speckled((args.size, args.size), 3, seed=1).astype(np.float32)
    o = np.empty_like(a)

    def best(**params):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            enh_lee.filter(a, out=o, threads=args.threads, looks=3, **params)
            times.append(time.perf_counter() - t)
        return min(times)

    print(f"{args.size}x{args.size} float32, {args.threads} threads, best of {args.repeat}\n")
    print("| filter | 3x3 | 7x7 | 31x31 | 31x31 / 3x3 |\n|---|---:|---:|---:|---:|")
    for f in ["enhanced_lee", "lee", "kuan", "gamma_map"]:
        t = [best(filter=f, window=w) for w in (3, 7, 31)]
        print(f"| {f} | {t[0]:.3f} s | {t[1]:.3f} s | {t[2]:.3f} s | {t[2] / t[0]:.2f}x |")
    e = best()
    threshold = enh_lee.point_threshold(a)
    print()
    for name, params in [
        ("refined_lee", dict(filter="refined_lee")),
        ("refined_lee compat=gee", dict(filter="refined_lee", compat="gee")),
        ("lee_sigma 7x7 (threshold given)",
         dict(filter="lee_sigma", window=7, point_threshold=threshold)),
    ]:
        t = best(**params)
        print(f"{name}: {t:.3f} s = {t / e:.1f}x enhanced_lee 7x7 ({e:.3f} s)")


if __name__ == "__main__":
    main()
