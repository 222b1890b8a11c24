"""examples/python/filter_geotiff.py: strip-wise GDAL filtering equals filtering the whole image."""

import os
import subprocess
import sys

import numpy as np
import pytest

import enh_lee
from _reference import speckled

gdal = pytest.importorskip("osgeo.gdal")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO_ROOT, "examples", "python", "filter_geotiff.py")


@pytest.mark.parametrize("statistic,strip", [("window", 7), ("residual", 3), ("residual", 1000)])
def test_strips_equal_the_whole_image(tmp_path, statistic, strip):
    gdal.UseExceptions()
    img = speckled((130, 97), 2.0, seed=31)
    img[40:44, 10:20] = -1.0
    src = str(tmp_path / "in.tif")
    ds = gdal.GetDriverByName("GTiff").Create(src, 97, 130, 1, gdal.GDT_Float32)
    ds.GetRasterBand(1).WriteArray(img)
    ds.GetRasterBand(1).SetNoDataValue(-1.0)
    ds = None
    dst = str(tmp_path / "out.tif")
    subprocess.run([sys.executable, SCRIPT, src, dst, "--window", "5", "--looks", "2",
                    "--statistic", statistic, "--strip", str(strip)], check=True)
    got = gdal.Open(dst).ReadAsArray()
    np.testing.assert_array_equal(
        got, enh_lee.filter(img, window=5, looks=2.0, statistic=statistic, nodata=-1.0))
