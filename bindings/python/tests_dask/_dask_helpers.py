"""Helpers shared by the Dask front-end tests."""

import os

import numpy as np


def cluster_kwargs(**extra):
    """LocalCluster arguments shared by every cluster of the suite: 2 worker
    processes, 1 thread each, loopback, no dashboard, and the library path
    passed explicitly to the workers' environment. (The scheduler still runs
    an HTTP server for /health; it gets a free loopback port instead of 8787,
    which another cluster on this machine may hold.)"""
    kw = dict(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
              dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
              env={"ENH_LEE_LIBRARY": os.environ["ENH_LEE_LIBRARY"]})
    kw.update(extra)
    return kw


def speckled(shape, looks=2.0, seed=0, mean=100.0):
    """A gamma-speckled intensity image with smooth structure, float32."""
    rng = np.random.default_rng(seed)
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    scene = mean * (1.0 + 0.5 * np.sin(yy / 7.0) * np.cos(xx / 5.0))
    scene[h // 3: h // 3 + 4, w // 2: w // 2 + 3] *= 40.0  # a bright target
    return (scene * rng.gamma(looks, 1.0 / looks, shape)).astype(np.float32)


def with_invalid(img, nodata=-1.0):
    """Adds NaN, +-inf and nodata pixels, some at the raster's edges."""
    img = img.copy()
    img[0, 0] = np.nan
    img[5, 7] = np.inf
    img[-1, 3] = -np.inf
    img[12:15, 20:23] = nodata
    img[-3:, -2:] = nodata
    return img


def same_bits(a, b):
    """Bit-for-bit equality (NaN positions and payloads included)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def synthetic(r0, r1, c0, c1):
    """Rows [r0, r1) and columns [c0, c1) of a deterministic, speckle-like
    float32 raster of any size: any window of it can be generated on its own,
    so a huge raster never exists in full anywhere."""
    yy = np.arange(r0, r1, dtype=np.float32)[:, None]
    xx = np.arange(c0, c1, dtype=np.float32)[None, :]
    scene = 100.0 + 50.0 * np.sin(yy * 0.37 + xx * 0.11) + 30.0 * np.cos(xx * 0.71 - yy * 0.05)
    # cheap multiplicative "speckle": a hash of the pixel position in [0.25, 1.75)
    h = (np.arange(r0, r1, dtype=np.uint32)[:, None] * np.uint32(2654435761)
         ^ np.arange(c0, c1, dtype=np.uint32)[None, :] * np.uint32(40503))
    h = (h ^ (h >> np.uint32(13))) * np.uint32(1274126177)
    speckle = 0.25 + 1.5 * ((h >> np.uint32(8)).astype(np.float32) / np.float32(1 << 24))
    return (scene * speckle).astype(np.float32)


def synthetic_block(block_info=None):
    """map_blocks function: the block of `synthetic` at its array location."""
    (r0, r1), (c0, c1) = block_info[None]["array-location"]
    return synthetic(r0, r1, c0, c1)


def block_digest(block):
    """A (1, 1) uint64 array: a hash of the block's bytes (to check a huge
    result block by block without gathering it)."""
    import hashlib

    d = hashlib.blake2b(np.ascontiguousarray(block).tobytes(), digest_size=8).digest()
    return np.frombuffer(d, dtype=np.uint64).reshape(1, 1).copy()
