"""A time series through GDAL (issue 33): dates stacked with
`gdalbuildvrt -separate`, opened with TEMPORAL=quegan, give every date
filtered by Quegan's filter in one pass, bit for bit the library's stack in
memory, through block reads and gdal_translate alike."""

import subprocess

import numpy as np
import pytest

import enh_lee
from conftest import gdal, read_f32, speckled, translate, write_tif

H, W = 97, 123


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """Four dates of one scene as single-band GeoTIFFs, a zero border on
    the second (its nodata), stacked by gdalbuildvrt -separate."""
    d = tmp_path_factory.mktemp("series")
    dates = [speckled((H, W), 4.0, seed=60 + t) * (1 + 0.1 * t) for t in range(4)]
    dates[1][:, :6] = 0.0
    files = [write_tif(d / f"date{t}.tif", dates[t], nodata=0.0) for t in range(4)]
    vrt = str(d / "stack.vrt")
    subprocess.run(["gdalbuildvrt", "-q", "-separate", vrt] + files, check=True)
    return vrt, np.stack(dates).astype(np.float32)


@pytest.mark.parametrize("params", [{"filter": "lee", "looks": 4},
                                    {"filter": "lee_sigma", "looks": 4},
                                    {"filter": "enhanced_lee", "looks": "auto"}])
def test_a_stack_of_dates_is_the_library_stack(tmp_path, series, params):
    vrt, stack = series
    want = enh_lee.filter(stack, temporal="quegan", nodata=0.0, **params)
    opts = [f"{k.upper()}={v}" for k, v in params.items()] + ["TEMPORAL=quegan"]
    ds = gdal.OpenEx("ENHLEE:" + vrt, open_options=opts + ["BLOCKXSIZE=32", "BLOCKYSIZE=16"])
    assert ds.RasterCount == 4
    for t in range(4):
        got = ds.GetRasterBand(t + 1).ReadAsArray()
        assert np.array_equal(got.view(np.uint32), want[t].view(np.uint32)), f"date {t}"
    out = tmp_path / "quegan.tif"
    translate("ENHLEE:" + vrt, out, dict(params, temporal="quegan"))
    for t in range(4):
        assert np.array_equal(read_f32(out, t + 1).view(np.uint32), want[t].view(np.uint32))
    assert "temporal=quegan" in gdal.Open(str(out)).GetMetadataItem("ENHLEE_PROVENANCE")


def test_one_date_is_refused(series, tmp_path):
    vrt, _ = series
    one = str(tmp_path / "one.vrt")
    gdal.Translate(one, vrt, format="VRT", bandList=[1])
    p = translate("ENHLEE:" + one, tmp_path / "x.tif", {"temporal": "quegan"}, check=False)
    assert p.returncode != 0 and "quegan" in p.stderr


def _readme_block(language, marker):
    import os
    import re
    readme = os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md")
    text = open(readme).read()
    (block,) = [b for b in re.findall(rf"^```{language}\n(.*?)^```", text, re.S | re.M)
                if marker in b]
    return block


def test_the_readme_time_series_route(tmp_path):
    """README.md's time series, as written: three dates, gdalbuildvrt
    -separate, gdal_translate with TEMPORAL=quegan; and its xarray code
    when rioxarray is there."""
    dates = [speckled((H, W), 4.0, seed=70 + t) for t in range(3)]
    for t, d in enumerate(dates):
        write_tif(tmp_path / f"date{t + 1}.tif", d)
    block = _readme_block("sh", "gdalbuildvrt -separate")
    for line in block.strip().splitlines():
        subprocess.run(line, shell=True, cwd=tmp_path, check=True)
    want = enh_lee.filter(np.stack(dates).astype(np.float32), temporal="quegan",
                          filter="lee_sigma", looks=4)
    for t in range(3):
        got = read_f32(tmp_path / "stack_quegan.tif", t + 1)
        assert np.array_equal(got.view(np.uint32), want[t].view(np.uint32))
    pytest.importorskip("rioxarray")
    pytest.importorskip("dask")
    code = _readme_block("python", 'temporal="quegan"')
    import sys
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)
    for t in range(3):
        got = read_f32(tmp_path / "stack_quegan_xr.tif", t + 1)
        assert np.array_equal(got.view(np.uint32), want[t].view(np.uint32))
