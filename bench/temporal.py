#!/usr/bin/python3
"""Quegan's multi-temporal filter (issue 33), in memory, in one run: the
library's `temporal="quegan"` stack against T single-date calls of the
library on the same stack (the same inner filter, all threads) and against
the numpy/scipy code a user writes (uniform_filter Lee per date, then the
mean of the ratios). Not part of CI: it prints a markdown table.

    /usr/bin/python3 bench/temporal.py [--shapes 10x5000x5000,50x2000x2000]
                                       [--repeat 2] [--filter lee]

Times: wall clock, best of REPEAT; the numpy code runs once (it is the
slow baseline) and on the first shape only when --numpy-all is not given.
"""

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
os.environ.setdefault("ENH_LEE_LIBRARY", os.path.join(ROOT, "target", "release", "libenh_lee.so"))

import enh_lee  # noqa: E402

LOOKS = 4.0


def numpy_quegan(stack, window):
    """The code a user writes: Lee per date with scipy's uniform_filter,
    then J_k = F_k * mean(I / F) (no nodata)."""
    from scipy.ndimage import uniform_filter

    cu2 = 1.0 / LOOKS
    filtered = np.empty_like(stack)
    for k, img in enumerate(stack):
        m = uniform_filter(img, window)
        v = uniform_filter(img * img, window) - m * m
        ci2 = v / np.maximum(m * m, 1e-30)
        w = np.clip(1 - cu2 / np.maximum(ci2, 1e-30), 0, 1)
        filtered[k] = m + w * (img - m)
    ratio = np.mean(stack / filtered, axis=0)
    return filtered * ratio[None]


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", default="10x5000x5000,50x2000x2000")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--filter", default="lee")
    ap.add_argument("--window", type=int, default=7)
    ap.add_argument("--numpy-all", action="store_true")
    args = ap.parse_args()
    params = dict(filter=args.filter, window=args.window, looks=LOOKS)
    print(f"Quegan, inner filter {args.filter} {args.window}x{args.window}, looks {LOOKS}, "
          f"{os.cpu_count()} cores, best of {args.repeat}\n")
    print("| dates x rows x cols | T single-date calls | quegan | x single dates | numpy/scipy "
          "| numpy / quegan |")
    print("|---|---:|---:|---:|---:|---:|")
    for n, shape in enumerate(args.shapes.split(",")):
        t, h, w = (int(v) for v in shape.split("x"))
        rng = np.random.default_rng(1)
        stack = (rng.gamma(LOOKS, 1 / LOOKS, (t, h, w)) * 10).astype(np.float32)
        out = np.empty_like(stack)
        singles = best(lambda: [enh_lee.filter(stack[k], out=out[k], **params)
                                for k in range(t)], args.repeat)
        quegan = best(lambda: enh_lee.filter(stack, out=out, temporal="quegan", **params),
                      args.repeat)
        cell, ratio = "-", "-"
        if args.numpy_all or n == 0:
            start = time.perf_counter()
            numpy_quegan(stack, args.window)
            ref = time.perf_counter() - start
            cell, ratio = f"{ref:.2f} s", f"{ref / quegan:.1f}x"
        print(f"| {t} x {h} x {w} | {singles:.2f} s | {quegan:.2f} s | "
              f"{quegan / singles:.2f}x | {cell} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
