"""Helpers shared by the Dask front-end tests."""

import os

import numpy as np


def cluster_kwargs(**extra):
    """LocalCluster arguments shared by every cluster of the suite: 2 worker
    processes, 1 thread each, loopback, no dashboard, and the library path
    passed explicitly to the workers' environment."""
    kw = dict(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
              dashboard_address=None, env={"ENH_LEE_LIBRARY": os.environ["ENH_LEE_LIBRARY"]})
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
