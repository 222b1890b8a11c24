"""The README routes as users take them: the `enh-lee` command lines and the
xarray example of bindings/python/README.md and README.md, the Dask worked
example of README-dask.md and examples/python/dask_geotiff.py run as
written, in a scratch folder holding a `scene.tif`.

bindings/python/run-wheel-tests.sh runs them in a fresh venv with the
wheel and the current PyPI versions of its extras (rasterio, dask,
distributed, xarray, rioxarray); run-tests.sh with Debian's packages."""

import os
import re
import shlex
import subprocess
import sys

import numpy as np
import pytest

import enh_lee
from conftest import INSTALLED, PKG_ROOT, REPO_ROOT

rasterio = pytest.importorskip("rasterio")
from rasterio.transform import from_origin  # noqa: E402

READMES = [os.path.join(REPO_ROOT, "README.md"), os.path.join(PKG_ROOT, "README.md")]
README_DASK = os.path.join(PKG_ROOT, "README-dask.md")
DASK_EXAMPLE = os.path.join(REPO_ROOT, "examples", "python", "dask_geotiff.py")


def blocks(path, language):
    text = open(path).read()
    return [b for b in re.findall(rf"^ *```{language}\n(.*?)^ *```", text, re.S | re.M)]


def environment():
    env = dict(os.environ)
    if not INSTALLED:
        env["PYTHONPATH"] = os.pathsep.join(
            [PKG_ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def command():
    if INSTALLED:
        return [os.path.join(os.path.dirname(sys.executable), "enh-lee")]
    return [sys.executable, "-m", "enh_lee.cli"]


@pytest.fixture
def scene(tmp_path):
    """scene.tif in a scratch folder: 2 bands of UInt16 amplitudes, nodata 0."""
    rng = np.random.default_rng(7)
    data = np.sqrt(rng.gamma(4.0, 1e5, (2, 96, 80))).astype(np.uint16)
    data[:, :4, :] = 0
    with rasterio.open(tmp_path / "scene.tif", "w", driver="GTiff", width=80, height=96,
                       count=2, dtype="uint16", crs="EPSG:32632",
                       transform=from_origin(4e5, 5e6, 10, 10), nodata=0) as ds:
        ds.write(data)
    return tmp_path, data


def test_readme_command_lines(scene):
    folder, data = scene
    lines = [line for path in READMES for block in blocks(path, "sh")
             for line in map(str.strip, block.splitlines()) if line.startswith("enh-lee ")]
    assert len(lines) >= 4
    for line in lines:
        args = shlex.split(line.split("#")[0])[1:]
        r = subprocess.run(command() + args, cwd=folder, env=environment(),
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, line + "\n" + r.stdout + r.stderr
        if "--report" in args:
            assert "band 2: ENL" in r.stdout
        with rasterio.open(folder / args[1]) as out:
            assert out.count == 2 and out.crs.to_epsg() == 32632 and out.nodata == 0


def test_readme_xarray_example(scene):
    pytest.importorskip("rioxarray")
    pytest.importorskip("dask")
    folder, data = scene
    (code,) = [b for b in blocks(READMES[1], "python") if ".enh_lee.filter(" in b]
    r = subprocess.run([sys.executable, "-c", code], cwd=folder, env=environment(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    for name, params in (("scene_lee.tif", dict(looks="auto")), ("scene_lee_dask.tif", {})):
        with rasterio.open(folder / name) as out:
            assert out.crs.to_epsg() == 32632 and out.nodata == 0
            for b in range(2):
                want = enh_lee.filter(data[b], window=7, nodata=0, **params)
                assert np.array_equal(out.read(b + 1), want), (name, b)


def _dask_scene_check(path, data, **params):
    with rasterio.open(path) as out:
        assert out.crs.to_epsg() == 32632 and out.nodata == 0
        for b in range(2):
            assert np.array_equal(out.read(b + 1), enh_lee.filter(data[b], nodata=0, **params))


def test_readme_dask_worked_example(scene):
    """README-dask.md's worked example on a LocalCluster, as a user's script."""
    pytest.importorskip("rioxarray")
    pytest.importorskip("distributed")
    folder, data = scene
    (code,) = [b for b in blocks(README_DASK, "python") if "LocalCluster(" in b]
    code = code.replace('chunks={"band": 1, "y": 2048, "x": 2048}',
                        'chunks={"band": 1, "y": 32, "x": 32}')
    (folder / "example.py").write_text(code)
    r = subprocess.run([sys.executable, "example.py"], cwd=folder, env=environment(),
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    _dask_scene_check(folder / "scene_lee.tif", data, window=7, looks=4.0)


def test_dask_example_script(scene):
    pytest.importorskip("rioxarray")
    pytest.importorskip("distributed")
    folder, data = scene
    r = subprocess.run([sys.executable, DASK_EXAMPLE, "scene.tif", "out.tif", "--window", "5",
                        "--chunk", "32", "--workers", "1"],
                       cwd=folder, env=environment(), capture_output=True, text=True,
                       timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    _dask_scene_check(folder / "out.tif", data, window=5)
