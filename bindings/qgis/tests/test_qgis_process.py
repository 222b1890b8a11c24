"""The installed plugin through the command-line tool qgis_process (3.22)."""

import os

import numpy as np
import pytest

from conftest import (EPSG, GEOTRANSFORM, PLUGIN_DIR, assert_bits_equal, qgis_process,
                      read_raster, speckle, write_raster)


@pytest.fixture(scope="module")
def single_band(tmp_path_factory, installed_plugin):
    d = tmp_path_factory.mktemp("qp")
    a = speckle((173, 211), seed=1)
    a[5:9, 10:20] = -9999.0          # nodata block
    a[40, 40] = np.nan               # NaN: always invalid
    return d, write_raster(d / "in.tif", [a], nodata=-9999.0), a


def test_plugins_lists_it_enabled(installed_plugin):
    res = qgis_process("plugins")
    assert res.returncode == 0, res.stderr
    assert "* enhlee" in res.stdout.splitlines(), res.stdout


def test_list_shows_the_algorithm(installed_plugin):
    res = qgis_process("list")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    i = lines.index("Enhanced Lee (enh-lee)")
    assert lines[i + 1].split("\t")[1:] == ["enhlee:enhancedlee",
                                              "Speckle filter (Enhanced Lee family)"]


def test_help(installed_plugin):
    res = qgis_process("help", "enhlee:enhancedlee")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for name in ("INPUT", "BANDS", "FILTER", "WINDOW", "LOOKS", "DAMPING", "SIGNAL", "STATISTIC",
                 "BORDER", "CU", "CMAX", "NODATA", "THREADS", "OUTPUT"):
        assert f"\n{name}: " in out, name
    assert "STRIP_ROWS" not in out  # hidden
    assert "Lopes" in out and "28(6)" in out


def test_run_matches_enh_lee_filter(single_band, ref):
    d, src, a = single_band
    out = d / "out.tif"
    res = qgis_process("run", "enhlee:enhancedlee", "--", f"INPUT={src}", "WINDOW=7", "LOOKS=4",
                       f"OUTPUT={out}")
    assert res.returncode == 0, res.stdout + res.stderr
    # It ran with the library inside the plugin folder, not another one.
    assert os.path.join(PLUGIN_DIR, "enh_lee", "libenh_lee.so") in res.stdout
    got, info = read_raster(out)
    assert_bits_equal(got[0], ref.filter(a, window=7, looks=4, nodata=-9999.0))
    assert info["driver"] == "GTiff" and info["dtypes"] == ["Float32"]
    assert info["geotransform"] == GEOTRANSFORM
    assert info["epsg"] == str(EPSG)
    assert info["nodata"] == [-9999.0]
    assert sorted(os.listdir(d)) == sorted(["in.tif", "in.tif.aux.xml", "out.tif"]) or \
        sorted(os.listdir(d)) == sorted(["in.tif", "out.tif"])


def test_run_every_option_small_strips(single_band, ref):
    """Names or numbers for enums, every advanced parameter, strips of 2
    rows (ENHLEE_STRIP_ROWS) under a halo of 8."""
    d, src, a = single_band
    out = d / "out_opts.tif"
    res = qgis_process("run", "enhlee:enhancedlee", "--", f"INPUT={src}", "WINDOW=9",
                       "LOOKS=2.5", "DAMPING=0.7", "SIGNAL=amplitude", "STATISTIC=1",
                       "BORDER=nearest", "CU=0.3", "CMAX=1.9", "NODATA=-9999", "THREADS=1",
                       f"OUTPUT={out}", env={"ENHLEE_STRIP_ROWS": "2"})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "strips of 2 rows" in res.stdout
    got, _ = read_raster(out)
    want = ref.filter(a, window=9, looks=2.5, damping=0.7, signal="amplitude",
                      statistic="residual", border="nearest", cu=0.3, cmax=1.9, nodata=-9999.0)
    assert_bits_equal(got[0], want)


@pytest.mark.parametrize("args, message", [
    (["WINDOW=8"], "window must be an odd integer >= 3 (a filter may take fewer: its own rule says which) (window=8)"),
    (["FILTER=frosty"], "FILTER must be one of enhanced_lee, lee, kuan, gamma_map, frost, refined_lee, lee_sigma, boxcar, median, idan"),
    (["LOOKS=0"], "looks must be a finite number > 0"),
    (["CU=2", "CMAX=1"], "cu and cmax must be finite with 0 <= cu < cmax"),
    (["BANDS=2"], "band 2 does not exist"),
])
def test_run_bad_parameter_fails_cleanly(single_band, args, message):
    d, src, _ = single_band
    out = d / "bad.tif"
    res = qgis_process("run", "enhlee:enhancedlee", "--", f"INPUT={src}", *args, f"OUTPUT={out}")
    assert res.returncode != 0
    assert message in res.stderr, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    assert not out.exists()
    assert not [n for n in os.listdir(d) if ".part" in n]


SLOW_VRT = """<VRTDataset rasterXSize="{w}" rasterYSize="{h}">
  <VRTRasterBand dataType="Float32" band="1" subClass="VRTDerivedRasterBand"
                 blockXSize="{w}" blockYSize="1">
    <PixelFunctionType>slow_copy</PixelFunctionType>
    <PixelFunctionLanguage>Python</PixelFunctionLanguage>
    <PixelFunctionCode><![CDATA[
import os
import time
def slow_copy(in_ar, out_ar, xoff, yoff, xsize, ysize, raster_xsize, raster_ysize,
              buf_radius, gt, **kwargs):
    # Once the algorithm's output file exists (its strips are running),
    # wait for the test's gate file: the run cannot end before the test
    # has sent its signal.
    while os.listdir({outdir!r}) and not os.path.exists({gate!r}):
        time.sleep(0.01)
    time.sleep(0.002)
    out_ar[:] = in_ar[0]
]]></PixelFunctionCode>
    <SimpleSource><SourceFilename relativeToVRT="1">{src}</SourceFilename>
      <SourceBand>1</SourceBand></SimpleSource>
  </VRTRasterBand>
</VRTDataset>
"""


def test_ctrl_c_cancels_and_leaves_nothing(tmp_path, installed_plugin):
    """SIGINT (Ctrl-C) cancels qgis_process's run (it looks for the signal
    every 2 s of progress): exit status 1, no output, no temporary file.
    The input is a VRT whose Python pixel function, once the output file
    exists, holds its rows until the test has sent the signal (a gate file,
    not a timing guess), then takes 2 ms a row, so that about 4 s of
    progress follow the signal."""
    import signal
    import subprocess
    import time

    from conftest import QGIS_PROCESS

    h, w = 2000, 300
    write_raster(tmp_path / "tall.tif", [speckle((h, w), seed=5)])
    vrt = tmp_path / "slow.vrt"
    gate = tmp_path / "signal-sent"
    outdir = tmp_path / "out"
    outdir.mkdir()
    vrt.write_text(SLOW_VRT.format(w=w, h=h, src="tall.tif", gate=str(gate),
                                   outdir=str(outdir)))
    env = dict(os.environ, ENHLEE_STRIP_ROWS="1", GDAL_VRT_ENABLE_PYTHON="YES")
    env.pop("ENH_LEE_LIBRARY", None)
    p = subprocess.Popen([QGIS_PROCESS, "run", "enhlee:enhancedlee", "--", f"INPUT={vrt}",
                          "WINDOW=5", f"OUTPUT={outdir / 'o.tif'}"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while not os.listdir(outdir):           # the temporary file: strips are running
            if p.poll() is not None or time.monotonic() > deadline:
                p.kill()
                pytest.fail("qgis_process never started its strips: " + p.communicate()[0])
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        gate.touch()
        out = p.communicate(timeout=120)[0]
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 1, out
    assert "Canceled: no output written" in out, out
    assert "Traceback" not in out, out
    assert os.listdir(outdir) == []


def test_missing_library_is_a_processing_error(single_band, installed_plugin):
    """A library that cannot load (here ENH_LEE_LIBRARY, which overrides the
    bundled one, names no file) does not stop QGIS from loading the plugin;
    running the algorithm fails with the binding's message."""
    d, src, _ = single_band
    env = {"ENH_LEE_LIBRARY": str(d / "no-such-libenh_lee.so")}
    res = qgis_process("list", env=env)
    assert res.returncode == 0 and "enhlee:enhancedlee" in res.stdout, res.stderr
    out = d / "nolib.tif"
    res = qgis_process("run", "enhlee:enhancedlee", "--", f"INPUT={src}", f"OUTPUT={out}",
                       env=env)
    assert res.returncode == 1
    assert "cannot load the enh_lee binding" in res.stderr and "ENH_LEE_LIBRARY" in res.stderr
    assert not out.exists()
