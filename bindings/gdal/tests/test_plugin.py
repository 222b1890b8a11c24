"""The plugin as GDAL's programs see it: registration, documentation of the
open options, progress, what the shared object exports and needs."""

import ctypes
import os
import subprocess

import numpy as np

import enh_lee
from conftest import PLUGIN_DIR, gdal, read_f32

PLUGIN = os.path.join(os.environ.get("GDAL_DRIVER_PATH", PLUGIN_DIR).split(":")[0],
                      "gdal_ENHLEE.so")
# Every parameter of the library is an open option, plus the driver's own.
OPTIONS = [p.name.upper() for p in enh_lee.PARAMETERS] + ["BLOCKXSIZE", "BLOCKYSIZE"]


def test_gdalinfo_format_lists_the_open_options():
    out = subprocess.run(["gdalinfo", "--format", "ENHLEE"], capture_output=True,
                         text=True, check=True).stdout
    assert "Short Name: ENHLEE" in out
    assert "Connection prefix: ENHLEE:" in out
    for name in OPTIONS:
        line = next(l for l in out.splitlines() if f'name="{name}"' in l)
        assert 'description="' in line, line
    assert 'name="WINDOW" type="int" default="7"' in out
    # An optional number takes words too (LOOKS=auto, CU=none): a string.
    assert 'name="LOOKS" type="string" default="1"' in out
    assert 'name="DAMPING" type="float" default="1"' in out
    assert "<Value>amplitude</Value>" in out and "<Value>residual</Value>" in out
    assert "<Value>shrink</Value>" in out
    for f in enh_lee.FILTERS:
        assert f"<Value>{f}</Value>" in out
    assert 'name="FILTER" type="string-select" default="enhanced_lee"' in out
    # A parameter of some filters only says which.
    damping = next(l for l in out.splitlines() if 'name="DAMPING"' in l)
    assert "Used by: enhanced_lee" in damping


def test_registration_is_idempotent():
    n = gdal.GetDriverCount()
    gdal.AllRegister()
    gdal.AllRegister()
    assert gdal.GetDriverCount() == n
    # GDALRegister_ENHLEE called directly, again: still one driver.
    ctypes.CDLL(PLUGIN).GDALRegister_ENHLEE()
    assert gdal.GetDriverCount() == n
    names = [gdal.GetDriver(i).ShortName for i in range(gdal.GetDriverCount())]
    assert names.count("ENHLEE") == 1


def test_plugin_exports_only_its_entry_point_and_is_self_contained():
    lines = subprocess.run(["nm", "-D", "--defined-only", PLUGIN], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    exported = [line.split()[-1] for line in lines if line.strip()]
    assert exported == ["GDALRegister_ENHLEE"], exported
    needed = subprocess.run(["objdump", "-p", PLUGIN], capture_output=True, text=True,
                            check=True).stdout
    assert "libenh_lee" not in needed       # libenh_lee.a is linked in


def test_gdal_translate_shows_progress_and_prints_nothing_else_wrong(tmp_path, scene_tif, scene):
    p = subprocess.run(["gdal_translate", "-oo", "WINDOW=7", "-oo", "LOOKS=4.4",
                        "ENHLEE:" + scene_tif, str(tmp_path / "o.tif")],
                       capture_output=True, text=True, check=True)
    assert "100 - done." in p.stdout
    assert "ERROR" not in p.stderr and "Warning" not in p.stderr, p.stderr
    np.testing.assert_array_equal(read_f32(tmp_path / "o.tif"),
                                  enh_lee.filter(scene, window=7, looks=4.4))


def test_gdalinfo_of_the_filtered_view(scene_tif):
    out = subprocess.run(["gdalinfo", "-oo", "WINDOW=5", "-mdd", "ENHLEE", "ENHLEE:" + scene_tif],
                         capture_output=True, text=True, check=True).stdout
    assert "Driver: ENHLEE/" in out
    assert "Size is 301, 257" in out
    assert "Type=Float32" in out
    assert "WINDOW=5" in out and f"LIBRARY_VERSION={enh_lee.version()}" in out
    # The driver's own overview (the band itself, for gdal_translate -ovr),
    # starred by gdalinfo as one that RasterIO does not use.
    assert "Overviews: 301x257*" in out
