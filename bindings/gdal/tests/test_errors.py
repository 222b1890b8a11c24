"""Bad input fails cleanly at Open with the library's message: from Python
(RuntimeError), and from the gdal_translate program (non-zero exit, no
crash, no output file). Never a silently unfiltered result."""

import os
import subprocess

import numpy as np
import pytest

import enh_lee
from conftest import gdal, speckled, translate, write_tif

msg = enh_lee.status_message
INVALID_WINDOW, INVALID_LOOKS, INVALID_DAMPING, INVALID_COEFFICIENTS = 6, 7, 8, 9
INVALID_SIGNAL, INVALID_STATISTIC, INVALID_BORDER, INVALID_THREADS = 10, 11, 12, 14

BAD_OPTIONS = [
    # (open options, text the error must contain)
    (["WINDOW=6"], msg(INVALID_WINDOW)),
    (["WINDOW=1"], msg(INVALID_WINDOW)),
    (["WINDOW=-3"], msg(INVALID_WINDOW)),
    (["WINDOW=7.5"], msg(INVALID_WINDOW)),
    (["WINDOW=seven"], msg(INVALID_WINDOW)),
    (["WINDOW=99999999999"], msg(INVALID_WINDOW)),
    (["LOOKS=0"], msg(INVALID_LOOKS)),
    (["LOOKS=-2"], msg(INVALID_LOOKS)),
    (["LOOKS=nan"], msg(INVALID_LOOKS)),
    (["LOOKS=inf"], msg(INVALID_LOOKS)),
    (["LOOKS=4,4"], msg(INVALID_LOOKS)),
    (["LOOKS=automatic"], msg(INVALID_LOOKS)),   # "auto" (or empty) estimates them
    (["DAMPING=-1"], msg(INVALID_DAMPING)),
    (["DAMPING=x"], msg(INVALID_DAMPING)),
    (["CU=0.5", "CMAX=0.5"], msg(INVALID_COEFFICIENTS)),
    (["CU=-0.1"], msg(INVALID_COEFFICIENTS)),
    (["CU=nan"], msg(INVALID_COEFFICIENTS)),
    (["CMAX=0.1", "LOOKS=1"], msg(INVALID_COEFFICIENTS)),   # below the derived Cu = 1
    (["SIGNAL=power"], msg(INVALID_SIGNAL)),
    (["STATISTIC=median"], msg(INVALID_STATISTIC)),
    (["BORDER=wrap"], msg(INVALID_BORDER)),
    (["THREADS=2000"], msg(INVALID_THREADS)),
    (["THREADS=-1"], msg(INVALID_THREADS)),
    (["WINDW=7"], "unknown open option WINDW"),
    (["NODATA=abc"], "NODATA=abc"),
    (["BLOCKXSIZE=0"], "BLOCKXSIZE=0"),
]


def _ids(case):
    return "_".join(case) if isinstance(case, list) else None


@pytest.mark.parametrize("options,text", BAD_OPTIONS, ids=[_ids(c[0]) for c in BAD_OPTIONS])
def test_bad_open_options_fail_with_the_library_message(scene_tif, options, text):
    with pytest.raises(RuntimeError) as e:
        gdal.OpenEx("ENHLEE:" + scene_tif, open_options=options)
    assert text in str(e.value)
    assert str(e.value).startswith("ENHLEE: ")


@pytest.mark.parametrize("options,text", [BAD_OPTIONS[0], BAD_OPTIONS[6], BAD_OPTIONS[23]])
def test_gdal_translate_fails_cleanly(tmp_path, scene_tif, options, text):
    out = tmp_path / "out.tif"
    p = translate("ENHLEE:" + scene_tif, out, [o.split("=", 1) for o in options], check=False)
    assert p.returncode == 1, p.stderr          # an error exit, not a signal
    assert text in p.stderr
    assert not out.exists()


@pytest.mark.parametrize("name", ["ENHLEE:/nonexistent/in.tif", "ENHLEE:", "enhlee:nope.tif"])
def test_missing_source_fails(tmp_path, name):
    with pytest.raises(RuntimeError) as e:
        gdal.Open(name)
    assert "ENHLEE" in str(e.value) or "No such file" in str(e.value)
    p = translate(name, tmp_path / "o.tif", check=False)
    assert p.returncode == 1 and "ENHLEE:" in p.stderr
    assert not (tmp_path / "o.tif").exists()


def test_source_that_is_not_a_raster(tmp_path):
    txt = tmp_path / "notes.txt"
    txt.write_text("not a raster\n")
    with pytest.raises(RuntimeError, match="cannot open source raster"):
        gdal.Open(f"ENHLEE:{txt}")


def test_update_access_is_refused(scene_tif):
    with pytest.raises(RuntimeError, match="read-only"):
        gdal.OpenEx("ENHLEE:" + scene_tif, gdal.OF_RASTER | gdal.OF_UPDATE)
    ds = gdal.Open("ENHLEE:" + scene_tif)
    with pytest.raises(RuntimeError):
        ds.GetRasterBand(1).WriteArray(np.zeros((5, 5), np.float32))


def test_read_error_of_the_source_is_reported(tmp_path):
    """A source that fails while reading (a truncated GeoTIFF): the read
    fails, it never returns unfiltered or partial data as success."""
    img = speckled((200, 200), 2.0)
    src = write_tif(tmp_path / "t.tif", img)
    size = os.path.getsize(src)
    with open(src, "r+b") as f:
        f.truncate(size // 2)
    ds = gdal.Open("ENHLEE:" + src)
    with pytest.raises(RuntimeError):
        ds.ReadAsArray()
    p = subprocess.run(["gdal_translate", "-q", "ENHLEE:" + src, str(tmp_path / "o.tif")],
                       capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
