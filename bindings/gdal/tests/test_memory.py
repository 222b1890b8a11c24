"""Memory is bounded by GDAL's block cache, not by the raster: gdal_translate
of a large Float32 GeoTIFF (20000 x 20000, 1.6 GB, by default) through
ENHLEE with GDAL_CACHEMAX=64 peaks under 300 MB resident, at full
resolution and decimated. ENHLEE_MEMTEST_SIZE=N changes the size (0 skips)."""

import os
import re
import subprocess

import numpy as np
import pytest

import enh_lee
from conftest import gdal

SIZE = int(os.environ.get("ENHLEE_MEMTEST_SIZE", "20000"))
LIMIT_MB = 300
PARAMS = dict(window=7, looks=4.0)


@pytest.fixture(scope="module")
def big_tif(tmp_path_factory):
    if SIZE == 0:
        pytest.skip("ENHLEE_MEMTEST_SIZE=0")
    d = tmp_path_factory.mktemp("big")
    path = str(d / "big.tif")
    rng = np.random.default_rng(0)
    rows = 500
    speckle = rng.gamma(4.0, 0.25, (rows, SIZE)).astype(np.float32)
    ds = gdal.GetDriverByName("GTiff").Create(path, SIZE, SIZE, 1, gdal.GDT_Float32,
                                              options=["BIGTIFF=YES"])
    ds.SetGeoTransform((0, 1, 0, 0, 0, -1))
    band = ds.GetRasterBand(1)
    for k, y in enumerate(range(0, SIZE, rows)):
        h = min(rows, SIZE - y)
        # Different reflectivity per strip, an edge in the middle, speckle
        # rolled so that strips differ.
        refl = np.where(np.arange(SIZE) < SIZE // 2, 50.0 + k, 200.0 - k).astype(np.float32)
        band.WriteArray(np.roll(speckle[:h], 997 * k, axis=1) * refl, 0, y)
    ds = None
    yield path
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))


def _run_measured(args):
    env = dict(os.environ, GDAL_CACHEMAX="64")
    p = subprocess.run(["/usr/bin/time", "-v"] + args, capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", p.stderr).group(1)
    print(f"\n{' '.join(args)}: max RSS {rss_kb / 1024:.0f} MB, {wall}")
    return rss_kb / 1024


def _oo():
    return [a for k, v in PARAMS.items() for a in ("-oo", f"{k.upper()}={v}")]


def test_full_resolution_translate_stays_under_300_mb(big_tif, tmp_path):
    out = str(tmp_path / "filtered.tif")
    rss = _run_measured(["gdal_translate", "-q"] + _oo() + ["ENHLEE:" + big_tif, out])
    try:
        assert rss < LIMIT_MB
        # Spot checks against the library on windows of the source: the
        # corners, the middle (the edge), a seam-prone odd spot.
        src_ds, dst_ds = gdal.Open(big_tif), gdal.Open(out)   # alive while bands are used
        src, dst = src_ds.GetRasterBand(1), dst_ds.GetRasterBand(1)
        n = SIZE
        for region in [(0, 0, 300, 200), (n - 257, n - 311, 257, 311),
                       (n // 2 - 100, n // 2 - 50, 200, 100), (12345 % n, 7777 % n, 64, 513)]:
            x, y, w, h = region
            w, h = min(w, n - x), min(h, n - y)
            region = (x, y, w, h)
            sx, sy, sw, sh = enh_lee.source_window((n, n), region, **PARAMS)
            expect = enh_lee.filter_region(src.ReadAsArray(sx, sy, sw, sh), (n, n), region,
                                           **PARAMS)
            np.testing.assert_array_equal(dst.ReadAsArray(x, y, w, h), expect)
        src_ds = dst_ds = src = dst = None
    finally:
        os.remove(out)


def test_decimated_translate_stays_under_300_mb(big_tif, tmp_path):
    """-outsize computes every block at full resolution through the block cache."""
    out = str(tmp_path / "small.tif")
    rss = _run_measured(["gdal_translate", "-q", "-outsize", "2%", "2%"] + _oo()
                        + ["ENHLEE:" + big_tif, out])
    assert rss < LIMIT_MB
    small = gdal.Open(out).ReadAsArray()
    assert small.shape == (SIZE // 50, SIZE // 50) and np.isfinite(small).all()
