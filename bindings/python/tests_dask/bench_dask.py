#!/usr/bin/env python3
"""Throughput of enh_lee.dask on a local cluster vs one enh_lee.filter call.

    bench_dask.py [--size 20000] [--chunk 2000] [--workers 2] [--window 7]
                  [--statistic window] [--memory-limit 4GB]

Not a test (pytest does not collect it). The raster is the deterministic
`synthetic` one of _dask_helpers: generated in memory, strip by strip, for
the single-process call, and lazily, chunk by chunk, on the workers. Both
results are compared block by block through hashes (nothing is gathered).
Prints wall times, Mpixel/s and peak RSS (VmHWM) of each process.
Run with ENH_LEE_LIBRARY and PYTHONPATH set as run-dask-tests.sh sets them.
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import enh_lee  # noqa: E402
from _dask_helpers import block_digest, synthetic, synthetic_block  # noqa: E402


def peak_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)


def single(n, chunk, params, threads_list):
    img = np.empty((n, n), dtype=np.float32)
    t = time.perf_counter()
    for r in range(0, n, 1000):
        img[r:r + 1000] = synthetic(r, min(n, r + 1000), 0, n)
    gen = time.perf_counter() - t
    print(f"single: generated {n}x{n} in {gen:.1f} s", flush=True)
    out = np.empty_like(img)
    res = {}
    for threads in threads_list:
        t = time.perf_counter()
        enh_lee.filter(img, threads=threads, out=out, **params)
        dt = time.perf_counter() - t
        res[threads] = dt
        print(f"single: enh_lee.filter threads={threads}: {dt:.2f} s, "
              f"{n * n / dt / 1e6:.1f} Mpixel/s", flush=True)
    print(f"single: peak RSS {peak_rss() / 1e6:.0f} MB (input + output "
          f"{2 * img.nbytes / 1e6:.0f} MB)", flush=True)
    nb = -(-n // chunk)
    digests = np.empty((nb, nb), dtype=np.uint64)
    for i in range(nb):
        for j in range(nb):
            digests[i, j] = block_digest(out[i * chunk:(i + 1) * chunk,
                                             j * chunk:(j + 1) * chunk])[0, 0]
    return digests


def cluster(n, chunk, params, workers, memory_limit):
    import dask.array as da
    from distributed import Client, LocalCluster

    import enh_lee.dask as eld

    kw = dict(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
              dashboard_address=None, memory_limit=memory_limit,
              scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    with LocalCluster(**kw) as c, Client(c) as client:
        x = da.map_blocks(synthetic_block,
                          chunks=tuple(tuple(min(chunk, n - o) for o in range(0, n, chunk))
                                       for _ in range(2)),
                          dtype=np.float32, meta=np.empty((0, 0), np.float32))
        hashed = lambda a: a.map_blocks(block_digest, chunks=(1, 1), dtype=np.uint64)  # noqa
        # 1. end to end, lazily generated input (nothing persisted): the
        #    out-of-core case; per-worker peak memory is taken from this run.
        client.run(reset_peak)
        t = time.perf_counter()
        client.compute(hashed(x), sync=True)
        gen = time.perf_counter() - t
        client.run(reset_peak)
        t = time.perf_counter()
        digests = client.compute(hashed(eld.filter(x, **params)), sync=True)
        total = time.perf_counter() - t
        peaks = client.run(peak_rss)
        print(f"dask lazy: generate + hash {gen:.2f} s; generate + filter + hash {total:.2f} s "
              f"-> {n * n / total / 1e6:.1f} Mpixel/s end to end "
              f"({len(x.chunks[0]) ** 2} chunks of {chunk}x{chunk}, {workers} workers x 1 "
              f"thread, threads=1 per task)", flush=True)
        for addr, p in sorted(peaks.items()):
            print(f"dask lazy: worker {addr} peak RSS {p / 1e6:.0f} MB", flush=True)
        # 2. the filter alone: input persisted in the workers' memory first.
        xp = x.persist()
        client.compute(hashed(xp), sync=True)
        t = time.perf_counter()
        again = client.compute(hashed(eld.filter(xp, **params)), sync=True)
        dt = time.perf_counter() - t
        t = time.perf_counter()
        client.compute(hashed(xp), sync=True)
        h = time.perf_counter() - t
        print(f"dask persisted input: filter + hash {dt:.2f} s (hash alone {h:.2f} s) -> "
              f"{n * n / dt / 1e6:.1f} Mpixel/s", flush=True)
        assert np.array_equal(digests, again)
        del xp
    return digests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=20000)
    ap.add_argument("--chunk", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--window", type=int, default=7)
    ap.add_argument("--statistic", default="window")
    ap.add_argument("--memory-limit", default="4GB")
    args = ap.parse_args()
    params = dict(window=args.window, statistic=args.statistic, looks=2.0)
    print(f"{args.size}x{args.size} float32 ({args.size ** 2 * 4 / 1e9:.2f} GB), {params}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    ref = single(args.size, args.chunk, params, threads_list=(0, 1))
    got = cluster(args.size, args.chunk, params, args.workers, args.memory_limit)
    print("results identical:", bool(np.array_equal(ref, got)), flush=True)
    print(f"load average now {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
