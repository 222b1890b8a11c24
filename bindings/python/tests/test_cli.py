"""The enh-lee command (enh_lee/cli.py): every band bit for bit the library's
whole-image result, georeferencing and nodata kept, the library's
parameters as options, exit status 2 with the library's message for bad
arguments, and no output left behind by a failure.

From a source checkout it runs as ``python -m enh_lee.cli``; against an
installed wheel (ENH_LEE_TEST_INSTALLED=1) it runs the ``enh-lee`` console
script that the wheel installed next to the interpreter."""

import glob
import os
import pty
import shutil
import subprocess
import sys

import numpy as np
import pytest

import enh_lee
from conftest import INSTALLED, PKG_ROOT, REPO_ROOT

rasterio = pytest.importorskip("rasterio")
from rasterio.transform import from_origin  # noqa: E402

TRANSFORM = from_origin(300000.0, 5100000.0, 10.0, 10.0)
H, W = 150, 131


def _command():
    if INSTALLED:
        script = os.path.join(os.path.dirname(sys.executable), "enh-lee")
        assert os.path.exists(script), "the wheel installed no enh-lee command"
        return [script]
    return [sys.executable, "-m", "enh_lee.cli"]


def run(*args, check=True):
    env = dict(os.environ)
    if not INSTALLED:
        env["PYTHONPATH"] = os.pathsep.join([PKG_ROOT] + [p for p in env.get(
            "PYTHONPATH", "").split(os.pathsep) if p])
    r = subprocess.run(_command() + [str(a) for a in args], env=env, capture_output=True,
                       text=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """A 2-band UInt16 GeoTIFF (VV, VH), UTM 32N, nodata 0 (a patch of it)."""
    rng = np.random.default_rng(35)
    data = rng.gamma(4.0, 250.0, (2, H, W)).clip(1, 65535).astype(np.uint16)
    data[:, 40:47, 10:60] = 0
    path = str(tmp_path_factory.mktemp("cli") / "in.tif")
    with rasterio.open(path, "w", driver="GTiff", width=W, height=H, count=2, dtype="uint16",
                       crs="EPSG:32632", transform=TRANSFORM, nodata=0) as ds:
        ds.write(data)
        ds.set_band_description(1, "VV")
        ds.set_band_description(2, "VH")
    return path, data


def same_bits(a, b):
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))


def check_output(path, data, **params):
    with rasterio.open(path) as out:
        assert out.count == 2 and (out.height, out.width) == (H, W)
        assert out.dtypes == ("float32", "float32")
        assert out.crs.to_epsg() == 32632 and out.transform == TRANSFORM
        assert out.nodata == 0
        assert out.descriptions == ("VV", "VH")
        for b in range(2):
            want = enh_lee.filter(data[b], nodata=0, **params)
            assert same_bits(out.read(b + 1), want), f"band {b + 1}"
        return out.tags(), [out.tags(b) for b in (1, 2)], out.profile


@pytest.mark.parametrize("args,params", [
    ([], {}),
    (["--window", "5", "--looks", "4", "--statistic", "residual", "--border", "mirror"],
     dict(window=5, looks=4.0, statistic="residual", border="mirror")),
    (["--filter", "lee_sigma", "--target-window", "3", "--window", "7"],
     dict(filter="lee_sigma", target_window=3, window=7)),
    (["--filter", "lee_sigma", "--target_window", "5", "--window", "9", "--looks", "2"],
     dict(filter="lee_sigma", target_window=5, window=9, looks=2.0)),
    (["--looks", "auto", "--filter", "kuan"], dict(looks="auto", filter="kuan")),
])
def test_every_band_bit_for_bit_in_strips(scene, tmp_path, args, params):
    src, data = scene
    dst = tmp_path / "out.tif"
    # Strips of 16 rows: many strips, and whole-raster values searched over them.
    r = run(src, dst, "--rows", "16", *args)
    assert "\r" not in r.stderr and "%" not in r.stderr  # no progress bar: not a terminal
    tags, band_tags, _ = check_output(dst, data, **params)
    assert tags["ENHLEE"].startswith(f"enh-lee {enh_lee.version()}: filter=")  # the plan's
    if params.get("looks") == "auto":
        for b in range(2):
            looks = float(band_tags[b]["ENHLEE_LOOKS"])
            assert looks == enh_lee.estimate_looks(data[b], nodata=0)
    assert sorted(os.listdir(tmp_path)) == ["out.tif"]  # no temporary left


def test_report(scene, tmp_path):
    src, data = scene
    dst = tmp_path / "out.tif"
    r = run(src, dst, "--report", "--window", "5", "--looks", "auto", "--rows", "32")
    _, band_tags, _ = check_output(dst, data, window=5, looks="auto")
    for b in range(2):
        want = enh_lee.quality_report(data[b], enh_lee.filter(data[b], window=5, looks="auto",
                                                               nodata=0), nodata=0)
        for name, value in want.items():
            assert float(band_tags[b]["ENHLEE_REPORT_" + name.upper()]) == value, name
        assert f"band {b + 1}: ENL {want['looks_before']:.3f} before" in r.stdout
    # The report with given looks: the homogeneous blocks are found first.
    r = run(src, dst, "--report", "--looks", "3")
    want = enh_lee.quality_report(data[1], enh_lee.filter(data[1], looks=3, nodata=0), nodata=0)
    assert f"band 2: ENL {want['looks_before']:.3f} before, {want['looks_after']:.3f}" in r.stdout


def test_creation_options_and_cog(scene, tmp_path):
    src, data = scene
    dst = tmp_path / "tiled.tif"
    run(src, dst, "--co", "TILED=YES", "--co", "COMPRESS=DEFLATE", "--co", "BLOCKXSIZE=64",
        "--co", "blockysize=32")
    _, _, profile = check_output(dst, data)
    assert profile["tiled"] and (profile["blockxsize"], profile["blockysize"]) == (64, 32)
    assert profile["compress"].lower() == "deflate"
    cog = tmp_path / "out.cog.tif"
    run(src, cog, "--of", "COG", "--co", "COMPRESS=DEFLATE", "--window", "5")
    _, _, profile = check_output(cog, data, window=5)
    assert profile["tiled"]
    assert sorted(os.listdir(tmp_path)) == ["out.cog.tif", "tiled.tif"]


def test_nodata_option_overrides_the_bands(scene, tmp_path):
    src, data = scene
    dst = tmp_path / "out.tif"
    run(src, dst, "--nodata", "none")
    with rasterio.open(dst) as out:
        assert same_bits(out.read(1), enh_lee.filter(data[0]))


@pytest.mark.parametrize("args,words", [
    (["--window", "4"], ["window"]),
    (["--looks", "abc"], ["looks", "not a number"]),
    (["--filter", "nope"], ["filter", "lee_sigma"]),
    (["--signal", "power"], ["signal", "amplitude"]),
    (["--threads", "-1"], ["threads"]),
    (["--window", "7.5"], ["window", "not an integer"]),
    (["--filtre", "lee"], ["unrecognized arguments: --filtre"]),
    (["--co", "TILED"], ["--co takes KEY=VALUE"]),
    (["--of", "PNG"], ["--of takes GTiff or COG"]),
    (["--rows", "0"], ["--rows"]),
])
def test_bad_arguments_exit_2_with_the_message(scene, tmp_path, args, words):
    src, _ = scene
    dst = tmp_path / "out.tif"
    r = run(src, dst, *args, check=False)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.startswith("usage: enh-lee"), r.stderr
    for word in words:
        assert word in r.stderr, r.stderr
    assert os.listdir(tmp_path) == []


def test_failure_leaves_no_output(scene, tmp_path):
    src, data = scene
    # An input that is not a raster: exit 1, nothing written.
    bad = tmp_path / "not-a-raster.tif"
    bad.write_text("hello")
    r = run(bad, tmp_path / "out.tif", check=False)
    assert r.returncode == 1 and "no output written" in r.stderr, r.stderr
    assert sorted(os.listdir(tmp_path)) == ["not-a-raster.tif"]
    # A missing input: a usage error.
    r = run(tmp_path / "missing.tif", tmp_path / "out.tif", check=False)
    assert r.returncode == 2 and "missing.tif: no such file" in r.stderr, r.stderr
    # Looks that cannot be estimated (a flat raster) fail after the output
    # was begun: an existing output is left as it was, no temporary remains.
    flat = str(tmp_path / "flat.tif")
    with rasterio.open(flat, "w", driver="GTiff", width=40, height=40, count=1,
                       dtype="float32", transform=TRANSFORM) as ds:
        ds.write(np.ones((1, 40, 40), np.float32))
    old = tmp_path / "out.tif"
    old.write_text("previous result")
    r = run(flat, old, "--looks", "auto", check=False)
    assert r.returncode == 2 and "looks" in r.stderr, r.stderr
    assert old.read_text() == "previous result"
    assert sorted(os.listdir(tmp_path)) == ["flat.tif", "not-a-raster.tif", "out.tif"]


def test_every_parameter_is_an_option():
    r = run("--help")
    for spec in enh_lee.PARAMETERS:
        metavar = {"integer": "N", "real": "X", "choice": "NAME"}[spec.kind]
        assert f"--{spec.name} {metavar}" in r.stdout, spec.name
        if "_" in spec.name:
            assert f"--{spec.name.replace('_', '-')} {metavar}" in r.stdout, spec.name


def _gdal_plugin_dir():
    for d in (os.environ.get("ENH_LEE_GDAL_DRIVER_PATH", ""),
              os.path.join(REPO_ROOT, "target", "gdal-plugin"),  # run-wheel-tests.sh
              os.path.join(REPO_ROOT, "bindings", "gdal", "build", "test"),
              os.path.join(REPO_ROOT, "bindings", "gdal", "build")):
        if d and glob.glob(os.path.join(d, "gdal_ENHLEE.so")):
            return d
    return None


def test_same_bits_as_the_gdal_driver(scene, tmp_path):
    """gdal_translate ENHLEE: (the GDAL driver, where it is built) writes
    the same bits as the command."""
    plugin = _gdal_plugin_dir()
    if plugin is None or shutil.which("gdal_translate") is None:
        pytest.skip("the GDAL plugin gdal_ENHLEE.so is not built (bindings/gdal/run-tests.sh)")
    src, data = scene
    env = dict(os.environ, GDAL_DRIVER_PATH=plugin)
    for cli_args, oo in ((["--window", "5", "--looks", "4"], ["WINDOW=5", "LOOKS=4"]),
                         (["--looks", "auto", "--filter", "lee"], ["LOOKS=auto", "FILTER=lee"])):
        by_gdal = str(tmp_path / "gdal.tif")
        cmd = ["gdal_translate", "-q"] + [a for o in oo for a in ("-oo", o)]
        subprocess.run(cmd + ["ENHLEE:" + src, by_gdal], env=env, check=True, timeout=120)
        run(src, tmp_path / "cli.tif", "--rows", "32", *cli_args)
        with rasterio.open(by_gdal) as g, rasterio.open(tmp_path / "cli.tif") as c:
            assert g.nodata == c.nodata and g.crs == c.crs and g.transform == c.transform
            for b in (1, 2):
                assert same_bits(g.read(b), c.read(b)), (oo, b)


def test_complex_input_is_detected(tmp_path):
    rng = np.random.default_rng(5)
    z = (rng.normal(size=(40, 50)) + 1j * rng.normal(size=(40, 50))).astype(np.complex64)
    src = tmp_path / "slc.tif"
    with rasterio.open(src, "w", driver="GTiff", width=50, height=40, count=1,
                       dtype="complex64", transform=TRANSFORM) as ds:
        ds.write(z[None])
    run(src, tmp_path / "out.tif", "--signal", "amplitude", "--rows", "16")
    with rasterio.open(tmp_path / "out.tif") as out:
        assert out.dtypes == ("float32",) and out.tags(1)["ENHLEE_COMPLEX_AS"] == "amplitude"
        assert same_bits(out.read(1), enh_lee.filter(z, signal="amplitude"))


def test_progress_bar_on_a_terminal_only(scene, tmp_path):
    src, _ = scene
    master, slave = pty.openpty()
    env = dict(os.environ)
    if not INSTALLED:
        env["PYTHONPATH"] = PKG_ROOT
    proc = subprocess.run(_command() + [src, str(tmp_path / "out.tif"), "--rows", "16"],
                          env=env, stdout=subprocess.PIPE, stderr=slave, timeout=120)
    os.close(slave)
    shown = b""
    try:
        while True:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            shown += chunk
    except OSError:  # EIO: the terminal's other side is closed
        pass
    os.close(master)
    assert proc.returncode == 0
    assert b"100%" in shown and b"\r[" in shown
    # --quiet: none even there; piped: none (test_every_band_bit_for_bit_in_strips).
    master, slave = pty.openpty()
    subprocess.run(_command() + [src, str(tmp_path / "out.tif"), "-q"], env=env,
                   stderr=slave, timeout=120, check=True)
    os.close(slave)
    try:
        assert os.read(master, 4096) == b""
    except OSError:
        pass
    os.close(master)


def test_ground_control_points_are_kept(tmp_path):
    """Sentinel-1 GRD is georeferenced by GCPs, not by a transform."""
    from rasterio.control import GroundControlPoint
    from rasterio.crs import CRS
    gcps = [GroundControlPoint(row=r, col=c, x=10.0 + c / 100, y=45.0 - r / 100, z=0.0)
            for r in (0, 39) for c in (0, 49)]
    src = tmp_path / "grd.tif"
    data = np.random.default_rng(6).gamma(4.0, 100.0, (1, 40, 50)).astype(np.uint16)
    with rasterio.open(src, "w", driver="GTiff", width=50, height=40, count=1,
                       dtype="uint16", nodata=0) as ds:
        ds.gcps = (gcps, CRS.from_epsg(4326))
        ds.write(data)
    run(src, tmp_path / "out.tif")
    with rasterio.open(tmp_path / "out.tif") as out:
        got, crs = out.gcps
        assert crs.to_epsg() == 4326 and len(got) == 4
        assert [(g.row, g.col, g.x, g.y) for g in got] == [(g.row, g.col, g.x, g.y)
                                                           for g in gcps]
        assert same_bits(out.read(1), enh_lee.filter(data[0], nodata=0))


def test_integer_bands_without_signal_say_what_is_assumed(scene, tmp_path):
    """UInt16 bands without --signal: filtered as intensity, with a note
    naming --signal amplitude (Sentinel-1 GRD is amplitude); none when
    --signal is given."""
    path, _ = scene
    r = run(path, tmp_path / "a.tif", "--looks", "4")
    assert "--signal is not given" in r.stderr and "--signal amplitude" in r.stderr
    r = run(path, tmp_path / "b.tif", "--looks", "4", "--signal", "amplitude")
    assert "--signal" not in r.stderr
