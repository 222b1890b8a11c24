"""examples/python/dask_geotiff.py (the README's worked example) runs, on its
own LocalCluster and on an existing cluster, and writes the whole-image
result bit for bit with the input's georeferencing."""

import os
import subprocess
import sys

import numpy as np
import pytest

import enh_lee
from _dask_helpers import same_bits, speckled, with_invalid

gdal = pytest.importorskip("osgeo.gdal")
osr = pytest.importorskip("osgeo.osr")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO_ROOT, "examples", "python", "dask_geotiff.py")
GT = (300000.0, 20.0, 0.0, 5100000.0, 0.0, -20.0)


@pytest.fixture(scope="module")
def geotiff(tmp_path_factory):
    """A 2-band float32 GeoTIFF (VV, VH) in UTM 32N with nodata -1."""
    gdal.UseExceptions()
    bands = [with_invalid(speckled((130, 97), seed=s)) for s in (21, 22)]
    path = str(tmp_path_factory.mktemp("geotiff") / "in.tif")
    ds = gdal.GetDriverByName("GTiff").Create(path, 97, 130, 2, gdal.GDT_Float32)
    ds.SetGeoTransform(GT)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32632)
    ds.SetProjection(srs.ExportToWkt())
    for i, (img, name) in enumerate(zip(bands, ("VV", "VH")), 1):
        b = ds.GetRasterBand(i)
        b.WriteArray(img)
        b.SetNoDataValue(-1.0)
        b.SetDescription(name)
    ds = None
    return path, bands


def _run(*args):
    r = subprocess.run([sys.executable, SCRIPT, *args], env=dict(os.environ),
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr


def _check(dst, bands, **params):
    out = gdal.Open(dst)
    assert out.RasterCount == 2 and (out.RasterYSize, out.RasterXSize) == (130, 97)
    assert out.GetGeoTransform() == GT
    srs = osr.SpatialReference(wkt=out.GetProjection())
    assert srs.GetAuthorityCode(None) == "32632"
    for i, (img, name) in enumerate(zip(bands, ("VV", "VH")), 1):
        b = out.GetRasterBand(i)
        assert b.DataType == gdal.GDT_Float32 and b.GetNoDataValue() == -1.0
        assert b.GetDescription() == name
        assert same_bits(b.ReadAsArray(), enh_lee.filter(img, nodata=-1.0, **params)), i
    assert out.GetMetadataItem("enh_lee").startswith(f"enh-lee {enh_lee.version()}: filter=enhanced_lee ")


def test_example_on_its_own_local_cluster(geotiff, tmp_path):
    src, bands = geotiff
    dst = str(tmp_path / "out.tif")
    _run(src, dst, "--window", "5", "--looks", "2", "--statistic", "residual",
         "--chunk", "32", "--workers", "2", "--memory-limit", "1GB")
    _check(dst, bands, window=5, looks=2.0, statistic="residual")


def test_example_on_an_existing_cluster(geotiff, tmp_path, cluster):
    src, bands = geotiff
    dst = str(tmp_path / "out.tif")
    _run(src, dst, "--window", "9", "--border", "mirror", "--chunk", "40",
         "--scheduler", cluster.scheduler_address)
    _check(dst, bands, window=9, border="mirror")
