"""The algorithm through PyQGIS: processing.run("enhlee:enhancedlee", ...)
in a QgsApplication with Processing, the plugin loaded from the installed
ZIP by QGIS's own plugin loader."""

import html
import os

import numpy as np
import pytest

from conftest import (EPSG, GEOTRANSFORM, PLUGIN_DIR, assert_bits_equal, read_raster, speckle,
                      write_raster)

ALG = "enhlee:enhancedlee"


@pytest.fixture(scope="module")
def processing(plugin):
    import processing as p

    return p


@pytest.fixture(scope="module")
def multiband(tmp_path_factory, plugin):
    """3 Float32 bands, nodata -1, NaN and inf pixels, EPSG:32633."""
    d = tmp_path_factory.mktemp("mb")
    bands = speckle((3, 61, 47), seed=7)
    bands[0, 10:13, 5:9] = -1.0
    bands[1, 0, 0] = np.nan
    bands[2, 30, 20] = np.inf
    return write_raster(d / "mb.tif", list(bands), nodata=-1.0), bands


def run(processing, params, feedback=None):
    from qgis.core import QgsProcessingContext

    return processing.run(ALG, params, context=QgsProcessingContext(), feedback=feedback)


# --------------------------------------------------------------------------
# Registration


def test_provider_and_algorithm(plugin, plugin_binding):
    from qgis.core import QgsApplication, QgsProcessingParameterDefinition as D

    reg = QgsApplication.processingRegistry()
    prov = reg.providerById("enhlee")
    assert prov is not None and prov.name() == "Enhanced Lee (enh-lee)"
    alg = reg.algorithmById(ALG)
    assert alg is not None
    assert alg.displayName() == "Speckle filter (Enhanced Lee family)"
    assert (alg.group(), alg.groupId()) == ("SAR", "sar")
    help_ = alg.shortHelpString()
    for word in ("Lopes", "Touzi", "Nezry", "1990", "Adaptive speckle filters and scene "
                 "heterogeneity", "28(6)", "intensity", "amplitude", "ENL", "NoData"):
        assert word in help_, word
    # The help's list of filters is the library's, each with its source
    # (it named 6 of 7 when it was typed by hand).
    first = help_.split("chosen by FILTER:", 1)[1].split(". In each window", 1)[0]
    for name in plugin_binding.FILTERS:
        assert name + " (" in first, name
    # Every parameter of the library, with its description and default.
    for spec in plugin_binding.PARAMETERS:
        assert f"<b>{spec.name.upper()}</b>: {html.escape(spec.description)}" in help_, spec.name
        assert alg.parameterDefinition(spec.name.upper()) is not None, spec.name
    advanced = {p.name() for p in alg.parameterDefinitions() if p.flags() & D.FlagAdvanced}
    assert advanced == {p.name.upper() for p in plugin_binding.PARAMETERS if p.advanced}
    assert advanced >= {"STATISTIC", "BORDER", "CU", "CMAX", "NODATA", "THREADS"}
    hidden = {p.name() for p in alg.parameterDefinitions() if p.flags() & D.FlagHidden}
    assert hidden == {"STRIP_ROWS"}
    w = alg.parameterDefinition("WINDOW")
    window = next(p for p in plugin_binding.PARAMETERS if p.name == "window")
    assert (w.defaultValue(), w.minimum(), w.maximum()) == (7, 3, window.maximum)
    f = alg.parameterDefinition("FILTER")
    family = ["enhanced_lee", "lee", "kuan", "gamma_map", "frost", "refined_lee", "lee_sigma"]
    assert f.options()[:7] == family and f.options() == list(plugin_binding.FILTERS)
    assert f.defaultValue() == 0
    assert "(enhanced_lee, frost only)" in alg.parameterDefinition("DAMPING").description()
    assert "frost" not in alg.parameterDefinition("LOOKS").description()
    assert alg.parameterDefinition("LOOKS").defaultValue() == 1
    assert alg.parameterDefinition("DAMPING").defaultValue() == 1
    assert alg.parameterDefinition("SIGNAL").options() == ["intensity", "amplitude"]
    assert alg.parameterDefinition("BORDER").options() == ["reflect", "mirror", "nearest",
                                                            "shrink"]
    assert alg.parameterDefinition("BANDS").allowMultiple()
    # The plugin runs on its bundled copy of the binding and library.
    assert plugin_binding.__name__ == "enhlee.enh_lee"
    assert plugin_binding.library_path == os.path.join(PLUGIN_DIR, "enh_lee", "libenh_lee.so")


def test_plugin_lifecycle(plugin):
    """initProcessing adds the provider once (initGui calls it again),
    unload removes it; QGIS's loader can start the plugin again."""
    from qgis.core import QgsApplication

    import enhlee

    reg = QgsApplication.processingRegistry()
    plugin.unload()
    assert reg.providerById("enhlee") is None and reg.algorithmById(ALG) is None
    other = enhlee.classFactory(None)
    other.initProcessing()
    other.initGui()
    assert reg.providerById("enhlee") is not None
    assert [p.id() for p in reg.providers()].count("enhlee") == 1
    other.unload()
    other.unload()
    assert reg.providerById("enhlee") is None
    plugin.initProcessing()
    assert reg.algorithmById(ALG) is not None


# --------------------------------------------------------------------------
# Results: bit for bit the whole-image enh_lee.filter


@pytest.mark.parametrize("strip", [2, 1, 5, 0])
def test_multiband_small_strips(processing, multiband, ref, tmp_path, strip):
    """Strips smaller than the halo (8 rows: window 9, residual) give the
    whole-image result for every band."""
    src, bands = multiband
    out = tmp_path / "out.tif"
    res = run(processing, {"INPUT": src, "WINDOW": 9, "LOOKS": 3, "STATISTIC": 1,
                           "STRIP_ROWS": strip, "OUTPUT": str(out)})
    assert res["OUTPUT"] == str(out)
    got, info = read_raster(out)
    assert got.shape == bands.shape
    for b in range(3):
        assert_bits_equal(got[b], ref.filter(bands[b], window=9, looks=3, statistic="residual",
                                             nodata=-1.0))
    assert info["geotransform"] == GEOTRANSFORM and info["epsg"] == str(EPSG)
    assert info["nodata"] == [-1.0] * 3 and info["dtypes"] == ["Float32"] * 3
    assert os.listdir(tmp_path) == ["out.tif"]  # no temporary file left


def test_strip_rows_from_environment(processing, multiband, ref, tmp_path, monkeypatch):
    from qgis.core import QgsProcessingFeedback

    class Log(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.info, self.progress = [], []
            self.progressChanged.connect(self.progress.append)

        def pushInfo(self, text):  # noqa: N802
            self.info.append(text)

    src, bands = multiband
    monkeypatch.setenv("ENHLEE_STRIP_ROWS", "3")
    fb = Log()
    out = tmp_path / "env.tif"
    run(processing, {"INPUT": src, "WINDOW": 5, "BANDS": [2], "OUTPUT": str(out)}, fb)
    assert any("strips of 3 rows" in line for line in fb.info), fb.info
    # Progress per strip: 61 rows / 3 = 21 strips of one band.
    steps = [p for p in fb.progress if 0 < p < 100]
    assert len(steps) >= 20 and steps == sorted(steps)
    got, _ = read_raster(out)
    assert_bits_equal(got[0], ref.filter(bands[1], window=5, nodata=-1.0))


@pytest.mark.parametrize("bands_param, picked", [
    ([3, 1], [2, 0]), ([2], [1]), ("3,2", [2, 1]), ([], [0, 1, 2]), (None, [0, 1, 2]),
    (0, [0, 1, 2]), ("0", [0, 1, 2]),
])
def test_band_selection(processing, multiband, ref, tmp_path, bands_param, picked):
    src, bands = multiband
    out = tmp_path / "sel.tif"
    params = {"INPUT": src, "WINDOW": 3, "OUTPUT": str(out)}
    if bands_param is not None:
        params["BANDS"] = bands_param
    run(processing, params)
    got, _ = read_raster(out)
    assert got.shape[0] == len(picked)
    for i, b in enumerate(picked):
        assert_bits_equal(got[i], ref.filter(bands[b], window=3, nodata=-1.0))


@pytest.mark.parametrize("extra, kwargs", [
    ({"SIGNAL": 1}, dict(signal="amplitude")),
    ({"SIGNAL": "amplitude", "BORDER": "mirror"}, dict(signal="amplitude", border="mirror")),
    ({"BORDER": 3, "DAMPING": 0}, dict(border="shrink", damping=0.0)),
    ({"BORDER": 2, "DAMPING": 2.5, "THREADS": 1}, dict(border="nearest", damping=2.5, threads=1)),
    # The classic numpy code: cu = sqrt(1/L), cmax = sqrt(1 + 2L), residual.
    ({"LOOKS": 4, "CU": 0.5, "CMAX": 3.0, "STATISTIC": "residual"},
     dict(looks=4.0, cu=0.5, cmax=3.0, statistic="residual")),
    ({"LOOKS": 4.4, "WINDOW": 101}, dict(looks=4.4, window=101)),
    ({"FILTER": 1, "LOOKS": 3}, dict(filter="lee", looks=3.0)),
    ({"FILTER": "kuan", "SIGNAL": "amplitude"}, dict(filter="kuan", signal="amplitude")),
    ({"FILTER": "gamma_map", "LOOKS": 2, "CMAX": 1.2}, dict(filter="gamma_map", looks=2.0,
                                                            cmax=1.2)),
    ({"FILTER": "frost", "DAMPING": 2}, dict(filter="frost", damping=2.0)),
    ({"FILTER": "refined_lee"}, dict(filter="refined_lee")),
    ({"FILTER": "frost", "WINDOW": 3, "DAMPING": 2, "COMPAT": "snap"},
     dict(filter="frost", window=3, damping=2.0, compat="snap")),
    ({"FILTER": "lee", "COMPAT": 1}, dict(filter="lee", compat="snap")),
    ({"FILTER": "refined_lee", "COMPAT": "gee"}, dict(filter="refined_lee", compat="gee")),
    # Lee Sigma: the threshold from two passes over the strips.
    ({"FILTER": "lee_sigma", "LOOKS": 2, "SIGMA": 0.8, "STRIP_ROWS": 5},
     dict(filter="lee_sigma", looks=2.0, sigma=0.8)),
    ({"FILTER": "lee_sigma", "TARGET_WINDOW": 5, "POINT_THRESHOLD": 3.5},
     dict(filter="lee_sigma", target_window=5, point_threshold=3.5)),
])
def test_parameters_reach_the_library(processing, multiband, ref, tmp_path, extra, kwargs):
    src, bands = multiband
    out = tmp_path / "p.tif"
    run(processing, dict({"INPUT": src, "BANDS": [1], "OUTPUT": str(out)}, **extra))
    got, _ = read_raster(out)
    kw = dict(window=7, nodata=-1.0)
    kw.update(kwargs)
    assert_bits_equal(got[0], ref.filter(bands[0], **kw))
    if kwargs.get("filter") == "lee_sigma":
        # The threshold used is in the plan's provenance line; one the plan
        # computed is in the band's metadata too, as text that reads back
        # exactly.
        from osgeo import gdal

        ds = gdal.Open(str(out))
        text = ds.GetRasterBand(1).GetMetadataItem("ENHLEE_POINT_THRESHOLD")
        provenance = ds.GetMetadataItem("ENHLEE")
        if "point_threshold" in kwargs:
            assert text is None and " point_threshold=3.5 " in provenance + " "
        else:
            assert float(text) == ref.point_threshold(bands[0], nodata=-1.0)
            assert f" point_threshold={text} (estimated)" in provenance


def test_nodata_override_and_integer_input(processing, ref, tmp_path):
    """An Int16 raster without nodata; NODATA=0 makes zeros invalid and
    becomes the output's nodata."""
    a = np.clip(speckle((40, 33), seed=3), 0, 32000).astype(np.int16)
    a[3:6, 3:6] = 0
    src = write_raster(tmp_path / "i16.tif", [a])
    out = tmp_path / "o.tif"
    run(processing, {"INPUT": src, "NODATA": 0, "WINDOW": 5, "OUTPUT": str(out)})
    got, info = read_raster(out)
    assert info["dtypes"] == ["Float32"] and info["nodata"] == [0.0]
    assert_bits_equal(got[0], ref.filter(a.astype(np.float32), window=5, nodata=0.0))
    out2 = tmp_path / "o2.tif"
    run(processing, {"INPUT": src, "WINDOW": 5, "OUTPUT": str(out2)})
    got2, info2 = read_raster(out2)
    assert info2["nodata"] == [None]
    assert_bits_equal(got2[0], ref.filter(a.astype(np.float32), window=5))


def test_no_georeferencing_and_one_pixel_rows(processing, ref, tmp_path):
    a = speckle((1, 50), seed=4)
    src = write_raster(tmp_path / "row.tif", [a], geo=False)
    out = tmp_path / "row_out.tif"
    run(processing, {"INPUT": src, "WINDOW": 7, "OUTPUT": str(out)})
    got, info = read_raster(out)
    assert info["epsg"] is None
    assert_bits_equal(got[0], ref.filter(a, window=7))


def test_overwrites_existing_output(processing, multiband, ref, tmp_path):
    src, bands = multiband
    out = tmp_path / "o.tif"
    out.write_bytes(b"old")
    (tmp_path / "o.tif.aux.xml").write_text("<PAMDataset/>")
    run(processing, {"INPUT": src, "BANDS": [1], "WINDOW": 3, "OUTPUT": str(out)})
    got, _ = read_raster(out)
    assert_bits_equal(got[0], ref.filter(bands[0], window=3, nodata=-1.0))
    assert sorted(os.listdir(tmp_path)) == ["o.tif"]


def test_temporary_output(processing, multiband):
    src, _ = multiband
    res = run(processing, {"INPUT": src, "WINDOW": 3, "OUTPUT": "TEMPORARY_OUTPUT"})
    assert res["OUTPUT"].endswith(".tif") and os.path.exists(res["OUTPUT"])


# --------------------------------------------------------------------------
# Cancel


def test_cancel_leaves_no_output(processing, multiband, tmp_path):
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    class CancelAfterFirstProgress(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.updates = 0
            self.progressChanged.connect(self._on_progress)

        def _on_progress(self, value):
            if 0 < value < 100:
                self.updates += 1
                self.cancel()

    src, _ = multiband
    fb = CancelAfterFirstProgress()
    out = tmp_path / "never.tif"
    with pytest.raises(QgsProcessingException):
        run(processing, {"INPUT": src, "WINDOW": 9, "STRIP_ROWS": 2, "OUTPUT": str(out)}, fb)
    assert fb.updates == 1  # stopped within one strip: no further progress
    assert os.listdir(tmp_path) == []

    # A cancelled run leaves an existing destination as it was.
    out.write_bytes(b"previous result")
    fb = CancelAfterFirstProgress()
    with pytest.raises(QgsProcessingException):
        run(processing, {"INPUT": src, "WINDOW": 9, "STRIP_ROWS": 2, "OUTPUT": str(out)}, fb)
    assert out.read_bytes() == b"previous result"
    assert os.listdir(tmp_path) == ["never.tif"]


# --------------------------------------------------------------------------
# Bad parameters: a Processing error with a clear message, never a crash

BAD = [
    ({"WINDOW": 8}, "window must be an odd integer >= 3 (a filter may take fewer: its own rule says which) (window=8)"),
    ({"WINDOW": 1}, "window must be an odd integer >= 3 (a filter may take fewer: its own rule says which) (window=1)"),
    ({"FILTER": "wiener"},
     "FILTER must be one of enhanced_lee, lee, kuan, gamma_map, frost, refined_lee, lee_sigma, boxcar, median, idan, got"),
    ({"FILTER": 99}, "FILTER must be one of enhanced_lee, lee, kuan, gamma_map, frost, refined_lee, lee_sigma, boxcar, median, idan"),
    ({"WINDOW": "seven"}, "WINDOW must be an integer"),
    ({"WINDOW": 7.5}, "WINDOW must be an integer"),
    ({"LOOKS": 0}, "looks must be a finite number > 0"),
    ({"LOOKS": -2}, "looks must be a finite number > 0"),
    ({"DAMPING": -1}, "damping must be a finite number >= 0"),
    ({"CU": 1.5, "CMAX": 1.0}, "cu and cmax must be finite with 0 <= cu < cmax"),
    ({"CU": 1.0, "CMAX": 1.0}, "cu and cmax must be finite with 0 <= cu < cmax"),
    ({"CU": 5.0}, "cu and cmax must be finite with 0 <= cu < cmax"),   # above derived cmax
    ({"CU": "abc"}, "CU must be a number"),
    ({"BANDS": [4]}, "band 4 does not exist: the input raster has 3 band(s)"),
    ({"BANDS": [1, -1]}, "band -1 does not exist"),
    ({"BANDS": "x"}, "BANDS must be band numbers"),
    ({"SIGNAL": "power"}, "SIGNAL must be one of intensity, amplitude"),
    ({"SIGNAL": 2}, "SIGNAL must be one of intensity, amplitude"),
    ({"BORDER": "wrap"}, "BORDER must be one of reflect, mirror, nearest, shrink"),
    ({"STATISTIC": 5}, "STATISTIC must be one of window, residual"),
    ({"THREADS": 5000}, "threads must be 0 (all cores) or a positive count of at most 1024"),
    ({"STRIP_ROWS": -1}, "rows per strip must be >= 0"),
]


@pytest.mark.parametrize("bad, message", BAD, ids=[str(b) for b, _ in BAD])
def test_bad_parameter_is_a_processing_error(processing, multiband, tmp_path, bad, message):
    from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingException

    src, _ = multiband
    out = tmp_path / "bad.tif"
    params = dict({"INPUT": src, "OUTPUT": str(out)}, **bad)
    with pytest.raises(QgsProcessingException):
        run(processing, params)
    assert os.listdir(tmp_path) == []
    # The message says what is wrong (checkParameterValues, before running)...
    alg = QgsApplication.processingRegistry().createAlgorithmById(ALG)
    ok, msg = alg.checkParameterValues(params, QgsProcessingContext())
    assert not ok and message in msg, msg
    # ... and processAlgorithm itself refuses too (callers that skip the check).
    if "STRIP_ROWS" not in bad:
        from qgis.core import QgsProcessingFeedback

        with pytest.raises(QgsProcessingException, match=_re(message)):
            alg.run(params, QgsProcessingContext(), QgsProcessingFeedback(), catchExceptions=False)
        assert os.listdir(tmp_path) == []


def _re(text):
    import re

    return re.escape(text)


def test_bad_input_and_output(processing, multiband, tmp_path):
    from qgis.core import QgsProcessingException

    src, _ = multiband
    with pytest.raises(QgsProcessingException):
        run(processing, {"INPUT": str(tmp_path / "missing.tif"), "OUTPUT": str(tmp_path / "o.tif")})
    with pytest.raises(QgsProcessingException):
        run(processing, {"INPUT": src, "OUTPUT": str(tmp_path / "o.png")})
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------
# Automatic strips


def test_automatic_strip_rows(plugin):
    from enhlee.algorithm import STRIP_TARGET_BYTES, TILE, strip_rows

    assert strip_rows(10000, 10000, 3) == 256                 # 16 MiB -> 419 -> tile multiple
    assert strip_rows(4096, 5000, 3) == STRIP_TARGET_BYTES // (4 * 4096) == 1024
    assert strip_rows(100, 50, 3) == 50                       # never more than the raster
    assert strip_rows(200000, 10000, 3) == 20                 # wide: fewer rows, not tile-aligned
    assert strip_rows(200000, 10000, 100) == 512              # >= 4 halos, tile multiple
    assert strip_rows(200000, 10000, 50) == 200
    assert strip_rows(10000, 10000, 3, requested=2) == 2
    assert strip_rows(10, 5, 3, requested=99) == 5
    assert strip_rows(3000, 9000, 3) % TILE == 0


def test_cache_flushed_per_tile_row(plugin):
    from enhlee.algorithm import TILE, flush_due

    for rows in (1, 2, 20, 100, 255, 256, 300, 1000):
        ys = range(0, 5000, rows)
        due = [y for y in ys if flush_due(y, min(rows, 5000 - y), 5000)]
        assert due[-1] == ys[-1]                      # the last strip
        last = 0
        for y in ys:                                   # never more than a tile row + a strip
            end = min(y + rows, 5000)
            assert end - last <= TILE + rows
            if y in due:
                last = end
        assert len(due) >= min(len(ys), 5000 // TILE)


def test_automatic_strips_on_a_larger_raster(processing, ref, tmp_path):
    """4096 x 1300: two automatic strips (1024 + 276 rows), the seam checked."""
    a = speckle((1300, 4096), seed=11)
    src = write_raster(tmp_path / "wide.tif", [a])
    out = tmp_path / "wide_out.tif"
    run(processing, {"INPUT": src, "WINDOW": 11, "LOOKS": 4.4, "STATISTIC": 1,
                     "OUTPUT": str(out)})
    got, _ = read_raster(out)
    assert_bits_equal(got[0], ref.filter(a, window=11, looks=4.4, statistic="residual"))


# --------------------------------------------------------------------------
# Sentinel-1 rasters as they come


def test_uint16_dual_pol_with_zero_borders(processing, ref, tmp_path):
    """Two UInt16 amplitude bands (VV, VH) with zero-valued borders and a
    nodata of 0, in strips of 7 rows: each band as the library filters it."""
    from osgeo import gdal

    bands = []
    for seed, level in ((1, 400.0), (2, 60.0)):
        a = np.round(np.sqrt(speckle((70, 61), seed=seed) * level)).clip(1, 65535)
        a = a.astype(np.uint16)
        a[:, :9] = 0
        a[-5:, :] = 0
        bands.append(a)
    src = write_raster(tmp_path / "grd.tif", bands, dtype=gdal.GDT_UInt16, nodata=0)
    out = tmp_path / "o.tif"
    run(processing, {"INPUT": src, "WINDOW": 7, "LOOKS": 4.4, "SIGNAL": "amplitude",
                     "STRIP_ROWS": 7, "OUTPUT": str(out)})
    got, info = read_raster(out)
    assert info["nodata"] == [0.0, 0.0]
    for g, a in zip(got, bands):
        assert_bits_equal(g, ref.filter(a.astype(np.float32), window=7, looks=4.4,
                                        signal="amplitude", nodata=0.0))


@pytest.mark.parametrize("signal", ["intensity", "amplitude"])
def test_complex_band_filters_its_intensity_or_amplitude(processing, ref, tmp_path, signal):
    from osgeo import gdal

    rng = np.random.default_rng(5)
    z = (rng.standard_normal((50, 44)) + 1j * rng.standard_normal((50, 44))) * 30
    z = (np.round(z.real) + 1j * np.round(z.imag)).astype(np.complex64)
    src = write_raster(tmp_path / "slc.tif", [z], dtype=gdal.GDT_CInt16)
    out = tmp_path / "o.tif"
    run(processing, {"INPUT": src, "WINDOW": 5, "SIGNAL": signal, "FILTER": "lee_sigma",
                     "STRIP_ROWS": 9, "OUTPUT": str(out)})
    got, info = read_raster(out)
    assert info["dtypes"] == ["Float32"]
    assert_bits_equal(got[0], ref.filter(z, window=5, signal=signal, filter="lee_sigma"))
    ds = gdal.Open(str(out))
    assert ds.GetRasterBand(1).GetMetadataItem("ENHLEE_COMPLEX_AS") == signal


def test_offset_is_refused_and_scale_kept(processing, ref, tmp_path):
    from osgeo import gdal
    from qgis.core import QgsProcessingException

    a = np.clip(speckle((30, 40), seed=6), 1, 60000).astype(np.uint16)
    src = write_raster(tmp_path / "scaled.tif", [a], dtype=gdal.GDT_UInt16)
    ds = gdal.Open(src, gdal.GA_Update)
    ds.GetRasterBand(1).SetOffset(-3.0)
    ds = None
    out = tmp_path / "o.tif"
    with pytest.raises(QgsProcessingException, match="not proportional to the physical"):
        run(processing, {"INPUT": src, "OUTPUT": str(out)})
    assert not out.exists()
    ds = gdal.Open(src, gdal.GA_Update)
    ds.GetRasterBand(1).SetOffset(0.0)
    ds.GetRasterBand(1).SetScale(0.25)
    ds = None
    run(processing, {"INPUT": src, "OUTPUT": str(out)})
    got, _ = read_raster(out)
    assert_bits_equal(got[0], ref.filter(a.astype(np.float32)))
    ds = gdal.Open(str(out))
    assert ds.GetRasterBand(1).GetScale() == 0.25


@pytest.mark.parametrize("looks", ["auto", None])
def test_looks_auto_is_each_bands_estimate(processing, ref, tmp_path, looks):
    """LOOKS=auto (or cleared): each band's looks estimated over the whole
    band in strips, as the library estimates them in memory, and written to
    the band's metadata."""
    from osgeo import gdal

    bands = []
    for seed in (3, 4):
        a = np.round(speckle((90, 70), seed=seed) * 50).clip(1, 65535).astype(np.uint16)
        a[:, :5] = 0
        bands.append(a)
    src = write_raster(tmp_path / "grd.tif", bands, dtype=gdal.GDT_UInt16, nodata=0)
    out = tmp_path / "o.tif"
    run(processing, {"INPUT": src, "WINDOW": 5, "LOOKS": looks, "STRIP_ROWS": 7,
                     "OUTPUT": str(out)})
    got, _ = read_raster(out)
    ds = gdal.Open(str(out))
    for i, (g, a) in enumerate(zip(got, bands), 1):
        f32 = a.astype(np.float32)
        estimate = ref.estimate_looks(f32, nodata=0.0)
        assert float(ds.GetRasterBand(i).GetMetadataItem("ENHLEE_LOOKS")) == estimate
        assert_bits_equal(g, ref.filter(f32, window=5, looks=estimate, nodata=0.0))


def test_quality_report_in_the_metadata_and_the_log(processing, ref, tmp_path):
    from osgeo import gdal
    from qgis.core import QgsProcessingFeedback

    class Log(QgsProcessingFeedback):
        lines = []

        def pushInfo(self, text):  # noqa: N802
            self.lines.append(text)

    bands = [speckle((100, 70), seed=s) for s in (5, 6)]
    src = write_raster(tmp_path / "in.tif", bands)
    out = tmp_path / "o.tif"
    log = Log()
    run(processing, {"INPUT": src, "WINDOW": 5, "LOOKS": 4, "REPORT": True, "STRIP_ROWS": 7,
                     "OUTPUT": str(out)}, feedback=log)
    got, _ = read_raster(out)
    ds = gdal.Open(str(out))
    for i, (g, a) in enumerate(zip(got, bands), 1):
        assert_bits_equal(g, ref.filter(a, window=5, looks=4.0))
        want = ref.quality_report(a, g)
        md = ds.GetRasterBand(i).GetMetadata()
        for name, value in want.items():
            assert float(md["ENHLEE_REPORT_" + name.upper()]) == value, name
    assert sum("quality report" in line for line in log.lines) == 2


@pytest.mark.parametrize("extra, kwargs", [
    ({"LOOKS": "auto"}, dict(looks="auto")),
    ({"FILTER": "lee_sigma"}, dict(filter="lee_sigma")),
    ({}, {}),
])
def test_every_band_through_one_plan(processing, multiband, ref, plugin_binding, tmp_path,
                                     monkeypatch, extra, kwargs):
    """A 3-band raster: one plan over the bands (its whole-raster values
    counted over strips of every band), one filter call per strip for all
    bands, bit for bit each band's own whole-raster filter; the plan's
    provenance line in the metadata."""
    from osgeo import gdal

    src, bands = multiband
    calls = []
    real = plugin_binding.Plan.filter_region

    def spy(self, buf, region, **kw):
        calls.append(buf.shape)
        return real(self, buf, region, **kw)

    monkeypatch.setattr(plugin_binding.Plan, "filter_region", spy)
    out = tmp_path / "planes.tif"
    run(processing, dict({"INPUT": src, "BANDS": [1, 2, 3], "OUTPUT": str(out),
                          "STRIP_ROWS": 16}, **extra))
    got, _ = read_raster(out)
    for b in range(3):
        assert_bits_equal(got[b], ref.filter(bands[b], window=7, nodata=-1.0, **kwargs))
    assert len(calls) == -(-bands.shape[1] // 16) and all(s[0] == 3 for s in calls)
    provenance = gdal.Open(str(out)).GetMetadataItem("ENHLEE")
    assert provenance.startswith(f"enh-lee {ref.version()}: filter=")
    assert ("(estimated)" in provenance) == bool(extra)


def test_a_stack_of_dates_through_quegan(processing, multiband, ref, tmp_path):
    """TEMPORAL=quegan (the library's parameter, listed by the provider from
    its vocabulary): the bands as dates of one scene, bit for bit the
    library's stack in memory."""
    src, bands = multiband
    out = tmp_path / "quegan.tif"
    run(processing, {"INPUT": src, "BANDS": [1, 2, 3], "OUTPUT": str(out), "STRIP_ROWS": 16,
                     "TEMPORAL": "quegan"})
    got, _ = read_raster(out)
    want = ref.filter(np.ascontiguousarray(bands, dtype=np.float32), window=7, nodata=-1.0,
                      temporal="quegan")
    for b in range(3):
        assert_bits_equal(got[b], want[b])


def test_looks_takes_auto_as_text_and_nodata_says_one_thing(processing):
    """LOOKS is text (a number or auto: the library reads both), not a
    number field; NODATA's title and help agree on what empty means."""
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById(ALG)
    looks = alg.parameterDefinition("LOOKS")
    assert looks.type() == "string", looks.type()
    nodata = alg.parameterDefinition("NODATA")
    assert "each band's own" in nodata.description()
    if hasattr(nodata, "help"):
        assert "each band's own" in nodata.help()
