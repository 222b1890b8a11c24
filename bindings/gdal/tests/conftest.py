"""Shared fixtures of the GDAL plugin tests (bindings/gdal/run-tests.sh).

The plugin is found through GDAL_DRIVER_PATH (run-tests.sh points it at
bindings/gdal/build); the whole-image reference is the Python binding's
enh_lee.filter (PYTHONPATH=bindings/python, ENH_LEE_LIBRARY)."""

import os
import subprocess

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PLUGIN_DIR = os.path.join(REPO_ROOT, "bindings", "gdal", "build")

os.environ.setdefault("GDAL_DRIVER_PATH", PLUGIN_DIR)
_lib = os.path.join(REPO_ROOT, "target", "release", "libenh_lee.so")
if "ENH_LEE_LIBRARY" not in os.environ and os.path.exists(_lib):
    os.environ["ENH_LEE_LIBRARY"] = _lib

from osgeo import gdal, osr  # noqa: E402

import enh_lee  # noqa: E402

gdal.UseExceptions()
gdal.AllRegister()  # GDAL_DRIVER_PATH is read when the plugins are loaded


@pytest.fixture(scope="session", autouse=True)
def _plugin_loaded():
    if gdal.GetDriverByName("ENHLEE") is None:
        pytest.exit(
            f"ENHLEE driver not loaded: is gdal_ENHLEE.so in GDAL_DRIVER_PATH="
            f"{os.environ.get('GDAL_DRIVER_PATH')}? (bindings/gdal/run-tests.sh builds it)",
            returncode=2,
        )


def speckled(shape, looks, seed=0):
    """A SAR-like intensity scene: fields of different reflectivity, a
    straight edge, a bright point target, multiplicative gamma speckle."""
    rng = np.random.default_rng(seed)
    h, w = shape
    y, x = np.mgrid[0:h, 0:w]
    refl = np.full(shape, 40.0)
    refl[:, w // 2:] = 160.0                        # a straight vertical edge
    refl[(y - h // 3) ** 2 + (x - w // 4) ** 2 < (min(h, w) // 6) ** 2] = 400.0
    refl[h - h // 4:, :] = 10.0                      # dark field (water)
    refl[h // 2, (3 * w) // 4] = 1e6                 # a corner reflector
    speckle = rng.gamma(looks, 1.0 / looks, shape)
    return (refl * speckle).astype(np.float32)


def srs_wkt(epsg=32633):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    return s.ExportToWkt()


GT = (500000.0, 10.0, 0.0, 4500000.0, 0.0, -10.0)


def write_tif(path, bands, dtype=gdal.GDT_Float32, options=(), nodata=None, gt=GT,
              wkt="default"):
    """A GeoTIFF of the 2-D arrays in `bands` (GTiff creation options)."""
    bands = [bands] if isinstance(bands, np.ndarray) and bands.ndim == 2 else list(bands)
    h, w = bands[0].shape
    ds = gdal.GetDriverByName("GTiff").Create(str(path), w, h, len(bands), dtype,
                                              options=list(options))
    if gt is not None:
        ds.SetGeoTransform(gt)
    if wkt:
        ds.SetProjection(srs_wkt() if wkt == "default" else wkt)
    for i, a in enumerate(bands, 1):
        b = ds.GetRasterBand(i)
        if nodata is not None:
            b.SetNoDataValue(nodata)
        b.WriteArray(a)
    ds = None
    return str(path)


def read_f32(path, band=1):
    """The band as RasterIO gives it to the driver: Float32."""
    ds = gdal.Open(str(path))
    return ds.GetRasterBand(band).ReadAsArray(buf_type=gdal.GDT_Float32)


def open_options(params):
    """Driver open options from filter() keywords."""
    return [f"{k.upper()}={'NONE' if v is None else v}" for k, v in params.items()]


def translate(src, dst, params=(), extra=(), env=None, check=True):
    """Runs the gdal_translate program (not the Python API): what users run."""
    cmd = ["gdal_translate", "-q"]
    for o in open_options(dict(params)):
        cmd += ["-oo", o]
    cmd += list(extra) + [str(src), str(dst)]
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, env=full_env)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return p


def mem_copy(array, gt=GT):
    """A MEM dataset holding `array` (Float32), for GDAL-side decimation."""
    h, w = array.shape
    ds = gdal.GetDriverByName("MEM").Create("", w, h, 1, gdal.GDT_Float32)
    ds.SetGeoTransform(gt)
    ds.GetRasterBand(1).WriteArray(array)
    return ds


@pytest.fixture(scope="session")
def scene():
    """The standard 301 x 257 test scene (odd sizes: partial blocks)."""
    return speckled((257, 301), 4.0, seed=7)


@pytest.fixture(scope="session")
def scene_tif(tmp_path_factory, scene):
    return write_tif(tmp_path_factory.mktemp("scene") / "scene.tif", scene)
