"""Hostile inputs through the ENHLEE driver (issue 38): each case runs in a
subprocess with bounded time (a timeout) and memory (an address-space limit,
prlimit --as), and is either refused at open with a clear message naming
the option, or works; none crashes (a signal), none blows up memory, none
waits without end."""

import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import enh_lee
from conftest import gdal, speckled, write_tif

# Address-space limit of every case: far below what the unbounded cases
# took (2.1 to 24 GB), above what a working case needs (GDAL, the library's
# threads and their stacks included). Under it GDAL's default GDAL_CACHEMAX
# is 5% of the limit: cases that depend on the budget set it.
AS_LIMIT = 3 * 1024 ** 3
TIMEOUT = 120


def run_bounded(args, env=None, limit=AS_LIMIT):
    """Runs args under prlimit --as=limit and /usr/bin/time -v; returns
    (returncode, stdout, stderr, peak RSS in MB). A signal (crash, OOM kill)
    or the timeout fails the test."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run(["/usr/bin/time", "-v", "prlimit", f"--as={limit}", "--"] + list(args),
                       capture_output=True, text=True, env=full_env, timeout=TIMEOUT)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    status = re.search(r"Command terminated by signal (\d+)", p.stderr)
    assert status is None and p.returncode >= 0 and p.returncode < 128, \
        f"{args[:3]}... crashed (rc {p.returncode}):\n{p.stderr[-3000:]}"
    err = p.stderr[:p.stderr.rfind("\tCommand being timed")] if m else p.stderr
    return p.returncode, p.stdout, err, int(m.group(1)) / 1024 if m else 0.0


def run_python(code, env=None, limit=AS_LIMIT):
    return run_bounded([sys.executable, "-c", textwrap.dedent(code)], env, limit)


def _vrt(path, size, src, height=None):
    """A size x size (or x height) VRT whose top-left corner is `src` (the
    rest zeros): a huge raster that costs nothing to create."""
    h, w = gdal.Open(src).RasterYSize, gdal.Open(src).RasterXSize
    path.write_text(f"""<VRTDataset rasterXSize="{size}" rasterYSize="{height or size}">
 <VRTRasterBand dataType="Float32" band="1"><SimpleSource>
  <SourceFilename relativeToVRT="0">{src}</SourceFilename><SourceBand>1</SourceBand>
  <SrcRect xOff="0" yOff="0" xSize="{w}" ySize="{h}"/>
  <DstRect xOff="0" yOff="0" xSize="{w}" ySize="{h}"/>
 </SimpleSource></VRTRasterBand></VRTDataset>""")
    return str(path)


@pytest.fixture(scope="module")
def s700(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    return write_tif(d / "s700.tif", speckled((600, 700), 4.0, seed=11))


@pytest.fixture(scope="module")
def big_vrt(tmp_path_factory, s700):
    return _vrt(tmp_path_factory.mktemp("big") / "big.vrt", 40000, s700)


@pytest.fixture(scope="module")
def huge_vrt(tmp_path_factory, s700):
    return _vrt(tmp_path_factory.mktemp("huge") / "huge.vrt", 2000000, s700)


# --------------------------------------------------------------------------
# One handle, several threads


def test_one_handle_read_from_several_threads(s700):
    """Four threads read random windows (small ones through the block
    cache, large ones filtered directly, with the read-ahead) and whole
    two-band swaths of ONE handle: every read equals the single-threaded
    read, bit for bit; no memory corruption."""
    two = write_tif(os.path.dirname(s700) + "/two.tif",
                    [speckled((600, 700), 4.0, seed=s) for s in (1, 2)],
                    options=["INTERLEAVE=PIXEL"])
    rc, out, err, _ = run_python(f"""
        import threading, numpy as np
        from osgeo import gdal
        gdal.UseExceptions()
        ds = gdal.OpenEx("ENHLEE:{two}", open_options=["WINDOW=5", "LOOKS=4",
                                                     "BLOCKXSIZE=32", "BLOCKYSIZE=32"])
        ref = ds.ReadAsArray()                       # single-threaded
        rng = np.random.default_rng(5)
        jobs = []
        for t in range(4):
            windows = []
            for _ in range(60):
                w, h = int(rng.integers(1, 701)), int(rng.integers(1, 601))
                x, y = int(rng.integers(0, 700 - w + 1)), int(rng.integers(0, 600 - h + 1))
                windows.append((x, y, w, h, int(rng.integers(0, 3))))
            jobs.append(windows)
        bad = []
        def work(windows):
            for x, y, w, h, b in windows:
                if b == 0:
                    got, exp = ds.ReadAsArray(x, y, w, h), ref[:, y:y + h, x:x + w]
                else:
                    got = ds.GetRasterBand(b).ReadAsArray(x, y, w, h)
                    exp = ref[b - 1, y:y + h, x:x + w]
                if not np.array_equal(got, exp):
                    bad.append((x, y, w, h, b))
        threads = [threading.Thread(target=work, args=(j,)) for j in jobs]
        for t in threads: t.start()
        for t in threads: t.join()
        print("mismatches", len(bad), bad[:3])
        raise SystemExit(1 if bad else 0)
        """)
    assert rc == 0, out + err


# --------------------------------------------------------------------------
# gdal_translate -ovr


@pytest.mark.parametrize("level", ["0", "3"])
def test_ovr_copies_the_full_resolution_result(tmp_path, s700, level):
    """GDAL 3.6.2's -ovr crashes on a dataset without overviews; ENHLEE's
    one overview level is the filtered band itself, with a warning."""
    out = tmp_path / "o.tif"
    rc, _, err, _ = run_bounded(["gdal_translate", "-q", "-ovr", level, "-oo", "LOOKS=4",
                                 "ENHLEE:" + s700, str(out)])
    assert rc == 0, err
    assert "full-resolution filtered raster" in err
    img = gdal.Open(s700).ReadAsArray()
    np.testing.assert_array_equal(gdal.Open(str(out)).ReadAsArray(),
                                  enh_lee.filter(img, looks=4.0))


# --------------------------------------------------------------------------
# Memory from options: refused at open, or bounded


@pytest.mark.parametrize("size,cachemax", [(65536, None), (16384, "64")])
def test_huge_blocks_are_refused_at_open(tmp_path, big_vrt, size, cachemax):
    out = tmp_path / "o.tif"
    rc, _, err, rss = run_bounded(
        ["gdal_translate", "-q", "-oo", f"BLOCKXSIZE={size}", "-oo", f"BLOCKYSIZE={size}",
         "-srcwin", "0", "0", "3", "3", "ENHLEE:" + big_vrt, str(out)],
        env={"GDAL_CACHEMAX": cachemax or "512"})
    assert rc == 1
    assert f"BLOCKXSIZE={size}" in err and "GDAL_CACHEMAX" in err, err
    assert not out.exists()
    assert rss < 300


def test_block_within_the_budget_works(tmp_path, s700):
    out = tmp_path / "o.tif"
    rc, _, err, rss = run_bounded(
        ["gdal_translate", "-q", "-oo", "BLOCKXSIZE=700", "-oo", "BLOCKYSIZE=600",
         "-oo", "LOOKS=4", "-srcwin", "0", "0", "3", "3", "ENHLEE:" + s700, str(out)],
        env={"GDAL_CACHEMAX": "64"})
    assert rc == 0, err
    img = gdal.Open(s700).ReadAsArray()
    np.testing.assert_array_equal(gdal.Open(str(out)).ReadAsArray(),
                                  enh_lee.filter(img, looks=4.0)[:3, :3])


@pytest.mark.parametrize("window", ["1403", "4001", "20001", "2147483649"])
def test_impossible_window_is_refused_at_open(s700, window):
    """Larger than twice the raster's larger side plus one (1401 here):
    refused at open, naming WINDOW and the limit (not a checksum of -1,
    not an address-space overflow, not gigabytes of scratch)."""
    rc, out, err, rss = run_bounded(["gdalinfo", "-checksum", "-oo", f"WINDOW={window}",
                                     "ENHLEE:" + s700])
    assert rc == 1 and "Checksum" not in out
    assert f"WINDOW={window} is too large for this 700x600 raster: at most 1401" in err, err
    assert "overflows" not in err
    assert rss < 300


def test_largest_window_works_with_bounded_memory(s700):
    rc, out, err, _ = run_bounded(["gdalinfo", "-checksum", "-oo", "WINDOW=1401",
                                   "ENHLEE:" + s700], env={"GDAL_CACHEMAX": "1024"})
    assert rc == 0 and "Checksum=" in out and "Checksum=-1" not in out, err


def test_window_over_the_memory_budget_is_refused_at_open(s700):
    """The scratch of a 1401 window does not fit 8 MB: refused at open,
    naming WINDOW and GDAL_CACHEMAX, not a failure at the first read."""
    rc, out, err, _ = run_bounded(["gdalinfo", "-checksum", "-oo", "WINDOW=1401",
                                   "ENHLEE:" + s700], env={"GDAL_CACHEMAX": "8"})
    assert rc == 1 and "Checksum" not in out
    assert "WINDOW=1401" in err and "GDAL_CACHEMAX" in err, err


def test_every_read_after_a_successful_open_works_under_a_small_cache(s700):
    """With GDAL_CACHEMAX=16, an open that succeeds never fails a read for
    memory: large reads that do not fit fall back to blocks."""
    rc, out, err, _ = run_python(f"""
        import numpy as np
        from osgeo import gdal
        gdal.UseExceptions()
        ds = gdal.OpenEx("ENHLEE:{s700}", open_options=["WINDOW=101", "LOOKS=4"])
        a = ds.ReadAsArray()
        b = ds.ReadAsArray(100, 100, 300, 200)
        raise SystemExit(0 if np.array_equal(a[100:300, 100:400], b) else 1)
        """, env={"GDAL_CACHEMAX": "16"})
    assert rc == 0, out + err


# --------------------------------------------------------------------------
# Booleans, values that cannot be measured, long values


@pytest.mark.parametrize("value", ["abc", "maybe", "2", "yess"])
def test_report_must_be_a_boolean(s700, value):
    rc, _, err, _ = run_bounded(["gdalinfo", "-oo", f"REPORT={value}", "ENHLEE:" + s700])
    assert rc == 1
    assert f"REPORT={value} must be YES or NO" in err, err


@pytest.mark.parametrize("value,report", [("", False), ("no", False), ("OFF", False),
                                          ("yes", True), ("1", True), ("TRUE", True)])
def test_report_booleans(s700, value, report):
    ds = gdal.OpenEx("ENHLEE:" + s700, open_options=[f"REPORT={value}", "LOOKS=4"])
    md = ds.GetRasterBand(1).GetMetadata()
    assert ("ENHLEE_REPORT_LOOKS_BEFORE" in md) == report
    assert md.get("ENHLEE_REPORT_STATUS") == ("measured" if report else None)


@pytest.mark.parametrize("shape,value", [((1, 1), 3.0), ((40, 40), 7.0), ((5, 9), 2.0)])
def test_report_of_a_raster_whose_looks_cannot_be_measured(tmp_path, shape, value):
    """REPORT=YES with LOOKS given on a 1x1 or constant raster: the report
    says what it could not measure; the filter works."""
    img = np.full(shape, value, np.float32)
    src = write_tif(tmp_path / "flat.tif", img)
    ds = gdal.OpenEx("ENHLEE:" + src, open_options=["REPORT=YES", "LOOKS=4"])
    band = ds.GetRasterBand(1)
    assert band.GetMetadataItem("ENHLEE_REPORT_STATUS").startswith("not measurable: ")
    assert band.GetMetadataItem("ENHLEE_REPORT_LOOKS_BEFORE") is None
    np.testing.assert_array_equal(band.ReadAsArray(), enh_lee.filter(img, looks=4.0))


def test_tiny_looks_names_looks(s700):
    """LOOKS=1e-320 makes the derived Cmax infinite: the message names
    LOOKS and its limit, not the CU and CMAX the user did not give."""
    rc, _, err, _ = run_bounded(["gdalinfo", "-oo", "LOOKS=1e-320", "ENHLEE:" + s700])
    assert rc == 1
    assert "LOOKS=1e-320 is too small" in err and "give LOOKS >= 2.23e-308" in err, err
    assert "CU=derived" not in err


def test_long_option_value_is_not_echoed_whole(s700):
    """A 100 kB value: our message carries its first characters and its
    length (GDAL's own warning about the option quotes it once)."""
    value = "9" * 100000
    rc, _, err, _ = run_bounded(["gdalinfo", "-oo", f"LOOKS={value}", "-oo", f"WINDOW={value}",
                                 "ENHLEE:" + s700])
    assert rc == 1
    ours = [line for line in err.splitlines() if "ENHLEE:" in line]
    assert ours and all(len(line) < 600 for line in ours), ours
    assert "(100000 characters)" in err
    assert len(err) < 2 * 100000 + 2000


# --------------------------------------------------------------------------
# Whole-raster values of a huge raster


@pytest.mark.parametrize("options,named", [
    (["LOOKS=auto"], "LOOKS=auto"),
    (["REPORT=YES", "LOOKS=4"], "REPORT=YES"),
    (["FILTER=lee_sigma"], "FILTER=lee_sigma without POINT_THRESHOLD"),
])
def test_whole_raster_values_of_a_huge_raster_are_refused_promptly(huge_vrt, options, named):
    """2,000,000 x 2,000,000 pixels (hours of passes): refused at open
    within the timeout, naming the option and the limit."""
    args = ["gdalinfo"]
    for o in options:
        args += ["-oo", o]
    rc, _, err, _ = run_bounded(args + ["ENHLEE:" + huge_vrt])
    assert rc == 1
    assert named in err and "ENHLEE_WHOLE_RASTER_MAX_PIXELS" in err, err


def test_metadata_of_a_huge_raster_is_prompt(huge_vrt):
    rc, out, err, _ = run_bounded(["gdalinfo", "-oo", "LOOKS=4", "ENHLEE:" + huge_vrt])
    assert rc == 0 and "Size is 2000000, 2000000" in out, err


def test_whole_raster_pixel_limit_follows_the_config_option(s700):
    env = {"ENHLEE_WHOLE_RASTER_MAX_PIXELS": "1000"}
    rc, _, err, _ = run_bounded(["gdalinfo", "-oo", "LOOKS=auto", "ENHLEE:" + s700], env=env)
    assert rc == 1 and "ENHLEE_WHOLE_RASTER_MAX_PIXELS=1000" in err, err
    rc, _, err, _ = run_bounded(["gdalinfo", "-oo", "LOOKS=4", "ENHLEE:" + s700], env=env)
    assert rc == 0, err
    rc, _, err, _ = run_bounded(["gdalinfo", "-oo", "LOOKS=auto", "ENHLEE:" + s700],
                                env={"ENHLEE_WHOLE_RASTER_MAX_PIXELS": "0"})
    assert rc == 0, err


def test_whole_band_strips_over_the_memory_budget_are_refused(tmp_path, s700):
    """A 4,000,000-pixel-wide raster's strips of 16 rows take 256 MB: over
    a 64 MB budget, LOOKS=auto is refused at open, naming it."""
    wide = _vrt(tmp_path / "wide.vrt", 4000000, s700, height=600)
    rc, _, err, _ = run_bounded(["gdalinfo", "-oo", "LOOKS=auto", "ENHLEE:" + wide],
                                env={"GDAL_CACHEMAX": "64"})
    assert rc == 1 and "LOOKS=auto" in err and "GDAL_CACHEMAX" in err, err
