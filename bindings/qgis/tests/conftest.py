"""Fixtures of the QGIS plugin tests: a throw-away QGIS profile with the
plugin installed from its ZIP, the reference binding, rasters, and a PyQGIS
application with Processing and the plugin loaded as QGIS loads it.

run-tests.sh sets the environment (HOME, XDG_RUNTIME_DIR, ENHLEE_TEST_ZIP,
ENHLEE_TEST_REFERENCE_LIBRARY); run on its own, pytest makes a temporary
HOME and builds the ZIP itself.
"""

import importlib
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
QGIS_DIR = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(QGIS_DIR))
QGIS_PROCESS = os.environ.get("QGIS_PROCESS", "/usr/bin/qgis_process.bin")
QGIS_PLUGINS_SYSTEM = "/usr/share/qgis/python/plugins"

# --------------------------------------------------------------------------
# Environment: must be in place before Qt or QGIS is imported.

if not os.environ.get("ENHLEE_TEST_HOME"):
    _tmp = tempfile.mkdtemp(prefix="enhlee-qgis-tests-")
    os.environ["ENHLEE_TEST_HOME"] = os.path.join(_tmp, "home")
    os.environ["XDG_RUNTIME_DIR"] = os.path.join(_tmp, "run")
    os.makedirs(os.environ["ENHLEE_TEST_HOME"])
    os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700)
os.environ["HOME"] = os.environ["ENHLEE_TEST_HOME"]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The plugin must use the library it bundles, and automatic strips unless
# a test says otherwise.
os.environ.pop("ENH_LEE_LIBRARY", None)
os.environ.pop("ENHLEE_STRIP_ROWS", None)

PROFILE = os.path.join(os.environ["HOME"], ".local", "share", "QGIS", "QGIS3", "profiles",
                       "default")
PLUGINS_DIR = os.path.join(PROFILE, "python", "plugins")
PLUGIN_DIR = os.path.join(PLUGINS_DIR, "enhlee")


def _zip_path():
    z = os.environ.get("ENHLEE_TEST_ZIP")
    if not z:
        out = subprocess.run([os.path.join(QGIS_DIR, "build-zip.sh")], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        z = out.strip().splitlines()[-1]
        os.environ["ENHLEE_TEST_ZIP"] = z
    return z


def _reference_library():
    lib = os.environ.get("ENHLEE_TEST_REFERENCE_LIBRARY") or os.path.join(
        ROOT, "target", "release", "libenh_lee.so")
    assert os.path.exists(lib), f"{lib} missing: run cargo build --release"
    return lib


# --------------------------------------------------------------------------
# The plugin, installed like QGIS's "Install from ZIP" does


@pytest.fixture(scope="session")
def plugin_zip():
    return _zip_path()


@pytest.fixture(scope="session")
def installed_plugin(plugin_zip):
    """Unpacks the ZIP into the profile's plugins folder with the code of
    QGIS's plugin manager (pyplugin_installer.unzip), then enables it with
    `qgis_process.bin plugins enable enhlee`. Returns the plugin folder."""
    sys.path.insert(0, "/usr/share/qgis/python")
    try:
        from pyplugin_installer.unzip import unzip
    finally:
        sys.path.pop(0)
    os.makedirs(PLUGINS_DIR, exist_ok=True)
    shutil.rmtree(PLUGIN_DIR, ignore_errors=True)
    unzip(plugin_zip, PLUGINS_DIR)
    res = qgis_process("plugins", "enable", "enhlee")
    assert res.returncode == 0, res.stdout + res.stderr
    return PLUGIN_DIR


def qgis_process(*args, env=None, timeout=300):
    """Runs qgis_process.bin (Debian's qgis_process wrapper adds an option
    3.22 does not know) and returns the CompletedProcess (text)."""
    e = dict(os.environ)
    e.pop("ENH_LEE_LIBRARY", None)
    if env:
        e.update(env)
    return subprocess.run([QGIS_PROCESS, *args], env=e, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout)


# --------------------------------------------------------------------------
# The reference: the repository's binding on the freshly built library


@pytest.fixture(scope="session")
def ref():
    """bindings/python's enh_lee on target/release/libenh_lee.so, imported
    as the top-level module `enh_lee` (the plugin's copy is `enhlee.enh_lee`
    and loads the library bundled in the plugin)."""
    sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
    os.environ["ENH_LEE_LIBRARY"] = _reference_library()
    try:
        mod = importlib.import_module("enh_lee")
    finally:
        os.environ.pop("ENH_LEE_LIBRARY", None)
        sys.path.pop(0)
    assert mod.library_path == _reference_library()
    return mod


# --------------------------------------------------------------------------
# PyQGIS with Processing and the plugin


@pytest.fixture(scope="session")
def qgis_app(installed_plugin):
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    if QGIS_PLUGINS_SYSTEM not in sys.path:
        sys.path.append(QGIS_PLUGINS_SYSTEM)
    from processing.core.Processing import Processing

    Processing.initialize()
    yield app
    # No exitQgis(): tearing QGIS down at interpreter exit is not what is
    # tested here, and PyQt's destruction order makes it crash-prone.


@pytest.fixture(scope="session")
def plugin(qgis_app, installed_plugin):
    """The plugin loaded by QGIS's own code (qgis.utils), as QGIS and
    qgis_process do for a plugin with hasProcessingProvider=yes."""
    import qgis.utils

    if PLUGINS_DIR not in sys.path:
        sys.path.insert(0, PLUGINS_DIR)
    qgis.utils.plugin_paths = [PLUGINS_DIR]
    qgis.utils.updateAvailablePlugins()
    assert qgis.utils.pluginMetadata("enhlee", "hasProcessingProvider") == "yes"
    assert qgis.utils.loadPlugin("enhlee")
    assert qgis.utils.startProcessingPlugin("enhlee")
    return qgis.utils.plugins["enhlee"]


@pytest.fixture(scope="session")
def plugin_binding(plugin):
    """The enh_lee module the plugin uses (its vendored copy)."""
    import enhlee.binding

    return enhlee.binding.load()


# --------------------------------------------------------------------------
# Rasters

EPSG = 32633
GEOTRANSFORM = (500000.0, 10.0, 0.0, 4500000.0, 0.0, -10.0)


def speckle(shape, looks=4, seed=0, scale=100.0):
    """Gamma speckle over a scene with edges and a bright point target."""
    rng = np.random.default_rng(seed)
    h, w = shape[-2:]
    scene = np.full(shape, scale, np.float64)
    scene[..., : h // 2, :] *= 3
    scene[..., :, w // 3: w // 3 + 5] *= 10
    scene[..., h // 4, w // 4] *= 1000
    return (scene * rng.gamma(looks, 1.0 / looks, shape)).astype(np.float32)


def write_raster(path, bands, dtype=None, nodata=None, geo=True, epsg=EPSG):
    """Writes a GeoTIFF with one band per array of `bands` (each 2-D)."""
    from osgeo import gdal, gdal_array, osr

    bands = [np.asarray(b) for b in bands]
    h, w = bands[0].shape
    gtype = dtype if dtype is not None else gdal_array.NumericTypeCodeToGDALTypeCode(
        bands[0].dtype)
    ds = gdal.GetDriverByName("GTiff").Create(str(path), w, h, len(bands), gtype)
    if geo:
        ds.SetGeoTransform(GEOTRANSFORM)
        sr = osr.SpatialReference()
        sr.ImportFromEPSG(epsg)
        ds.SetProjection(sr.ExportToWkt())
    for i, a in enumerate(bands, start=1):
        band = ds.GetRasterBand(i)
        if nodata is not None:
            band.SetNoDataValue(nodata)
        band.WriteArray(a)
    ds = None
    return str(path)


def read_raster(path):
    """(array (bands, rows, cols) float32, dataset info dict)."""
    from osgeo import gdal

    ds = gdal.Open(str(path))
    assert ds is not None, path
    arr = np.stack([ds.GetRasterBand(i + 1).ReadAsArray() for i in range(ds.RasterCount)])
    info = dict(
        geotransform=ds.GetGeoTransform(can_return_null=True),
        epsg=(ds.GetSpatialRef().GetAuthorityCode(None) if ds.GetSpatialRef() else None),
        nodata=[ds.GetRasterBand(i + 1).GetNoDataValue() for i in range(ds.RasterCount)],
        dtypes=[gdal.GetDataTypeName(ds.GetRasterBand(i + 1).DataType)
                for i in range(ds.RasterCount)],
        driver=ds.GetDriver().ShortName,
        metadata=ds.GetMetadata(),
    )
    ds = None
    return arr, info


def assert_bits_equal(got, want):
    got = np.ascontiguousarray(got, np.float32)
    want = np.ascontiguousarray(want, np.float32)
    assert got.shape == want.shape
    diff = got.view(np.uint32) != want.view(np.uint32)
    assert not diff.any(), (
        f"{int(diff.sum())} of {diff.size} pixels differ, first at "
        f"{tuple(int(i) for i in np.argwhere(diff)[0])}: {got[diff][:3]} vs {want[diff][:3]}")
