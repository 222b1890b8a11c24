"""Out of core: a lazily generated raster several times larger than a
worker's memory limit is filtered on a cluster of small workers, with no
worker exceeding its limit or being restarted, and without the result (or the
input) ever being gathered in the client."""

import os

import dask.array as da
import numpy as np
import pytest
from distributed import Client, LocalCluster

import enh_lee
import enh_lee.dask as eld
from _dask_helpers import block_digest, cluster_kwargs, synthetic, synthetic_block

LIMIT = 200_000_000          # bytes per worker ("200MB")
SHAPE = (8000, 20000)        # float32: 640 MB = 3.2 x LIMIT, more than the 2 workers have
CHUNKS = (500, 1000)         # 2 MB blocks
PARAMS = dict(window=7, looks=2.0, statistic="residual")  # halo 6


def _peak_rss():
    """This process's peak resident set size in bytes: VmHWM, the high-water
    mark of its current address space. (Not getrusage's ru_maxrss: Linux
    carries that over from the parent through fork+exec, so a worker spawned
    by a big pytest process would start with the parent's peak.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _worker_state():
    import psutil

    return os.getpid(), _peak_rss(), psutil.Process().memory_info().rss


@pytest.fixture(scope="module")
def small_client():
    with LocalCluster(**cluster_kwargs(memory_limit=LIMIT)) as cluster, \
            Client(cluster) as client:
        yield client


def test_raster_larger_than_the_workers(small_client):
    client = small_client
    nbytes = SHAPE[0] * SHAPE[1] * 4
    assert nbytes > 3 * LIMIT
    before = client.run(_worker_state)
    assert len(before) == 2
    for pid, peak, rss in before.values():
        assert peak < LIMIT  # a worker's baseline is ~110 MB
    client_peak = _peak_rss()

    x = da.map_blocks(synthetic_block, chunks=tuple((c,) * (n // c) for c, n in
                                                    zip(CHUNKS, SHAPE)),
                      dtype=np.float32, meta=np.empty((0, 0), np.float32))
    assert x.shape == SHAPE and x.nbytes == nbytes
    y = eld.filter(x, **PARAMS)
    # One hash per output block: the workers keep the pixels to themselves.
    digests = y.map_blocks(block_digest, chunks=(1, 1), dtype=np.uint64)
    future = client.compute(digests)
    got = future.result(timeout=150)
    assert got.shape == (SHAPE[0] // CHUNKS[0], SHAPE[1] // CHUNKS[1])

    after = client.run(_worker_state)
    assert set(after) == set(before), "a worker was lost"
    for addr, (pid, peak, rss) in after.items():
        assert pid == before[addr][0], f"worker {addr} was restarted"
        assert peak < LIMIT, f"worker {addr} peaked at {peak / 1e6:.0f} MB"
        print(f"worker {addr}: peak RSS {peak / 1e6:.0f} MB (limit {LIMIT / 1e6:.0f} MB)")
    # The client never held the raster.
    grown = _peak_rss() - client_peak
    assert grown < 100_000_000, f"the client grew by {grown / 1e6:.0f} MB"

    # Check blocks at every corner, edge and a few inside, bit for bit, against
    # filter_region of the same source window generated locally.
    H, W = SHAPE
    nby, nbx = got.shape
    picks = {(0, 0), (0, nbx - 1), (nby - 1, 0), (nby - 1, nbx - 1), (0, 7), (nby - 1, 11),
             (3, 0), (4, nbx - 1), (1, 1), (7, 9), (12, 17), (5, 4)}
    for i, j in sorted(picks):
        region = (j * CHUNKS[1], i * CHUNKS[0], CHUNKS[1], CHUNKS[0])
        sx, sy, sw, sh = enh_lee.source_window((H, W), region, **PARAMS)
        ref = enh_lee.filter_region(synthetic(sy, sy + sh, sx, sx + sw), (H, W), region,
                                    **PARAMS)
        assert got[i, j] == block_digest(ref)[0, 0], (i, j)
