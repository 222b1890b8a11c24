"""The built wheel as users get it (run by run-wheel-tests.sh, which installs
it into a fresh venv and sets ENH_LEE_WHEEL and ENH_LEE_SDIST): its tag and
contents, its import without any environment variable, clear import errors
when its library is missing or of another version, ENH_LEE_LIBRARY still
winning, the QGIS ZIP carrying the same library, and the sdist building."""

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from _stub_library import build_stub, needs_gcc
from enh_lee._lib import ABI_VERSION

WHEEL = os.environ.get("ENH_LEE_WHEEL")
SDIST = os.environ.get("ENH_LEE_SDIST")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
LIBRARY = "enh_lee/libenh_lee.so"

pytestmark = pytest.mark.skipif(
    os.environ.get("ENH_LEE_TEST_INSTALLED") != "1" or not WHEEL,
    reason="the wheel tests run against an installed wheel (bindings/python/run-wheel-tests.sh)")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def unpack_wheel(tmp_path):
    """The wheel installed by pip into a directory of its own; returns it."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--disable-pip-version-check", "--target", str(site), WHEEL], check=True)
    return site


def run_import(site, env_update=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("ENH_LEE_LIBRARY", "LD_LIBRARY_PATH", "PYTHONPATH")}
    env.update(env_update or {})
    env["PYTHONPATH"] = str(site)
    code = ("import enh_lee, numpy as np; print(enh_lee.library_path); "
            "print(enh_lee.filter(np.full((5, 6), 2.0), window=3).sum())")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, cwd="/")


def test_the_wheel_is_a_manylinux_platform_wheel_for_any_python3():
    name = os.path.basename(WHEEL)
    assert name.startswith("enh_lee-") and "-py3-none-manylinux_" in name, name
    with zipfile.ZipFile(WHEEL) as z:
        names = z.namelist()
        wheel_info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        info = z.read(wheel_info).decode()
    assert LIBRARY in names
    # The header the package reads its ctypes declarations from.
    with zipfile.ZipFile(WHEEL) as z, open(os.path.join(REPO_ROOT, "include", "enh_lee.h"),
                                           "rb") as h:
        assert z.read("enh_lee/enh_lee.h") == h.read()
    assert "Root-Is-Purelib: false" in info
    assert "Tag: py3-none-manylinux_" in info


def test_the_installed_package_uses_its_own_library_without_environment():
    import enh_lee  # the venv's: conftest checked where it and its library are from
    import numpy as np

    assert "ENH_LEE_LIBRARY" not in os.environ
    assert os.path.basename(enh_lee.library_path) == "libenh_lee.so"
    assert enh_lee.filter(np.full((5, 6), 2.0, np.float32), window=3).sum() == 60.0


def test_a_wheel_without_its_library_fails_at_import_with_a_clear_message(tmp_path):
    site = unpack_wheel(tmp_path)
    os.remove(site / LIBRARY)
    r = run_import(site)
    if r.returncode == 0:
        pytest.skip(f"a libenh_lee is installed on the system: {r.stdout.split()[0]}")
    assert "ImportError" in r.stderr and "not found" in r.stderr
    assert "pip install --force-reinstall enh-lee" in r.stderr


@needs_gcc
def test_a_wheel_with_a_library_of_another_version_fails_at_import(tmp_path):
    site = unpack_wheel(tmp_path)
    stub = build_stub(str(tmp_path), "0.1.0")
    shutil.copyfile(stub, site / LIBRARY)
    r = run_import(site)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and str(site / LIBRARY) in r.stderr
    assert "version 0.1.0" in r.stderr and ABI_VERSION in r.stderr


def test_enh_lee_library_still_wins_over_the_bundled_library(tmp_path):
    site = unpack_wheel(tmp_path)
    own = tmp_path / "own" / "libenh_lee.so"
    own.parent.mkdir()
    shutil.copyfile(site / LIBRARY, own)
    r = run_import(site, {"ENH_LEE_LIBRARY": str(own)})
    assert r.returncode == 0, r.stderr
    path, total = r.stdout.split()
    assert path == str(own) and float(total) == 60.0


def test_the_qgis_plugin_zip_bundles_the_same_library():
    env = dict(os.environ, ENHLEE_SKIP_CARGO="1")
    zip_path = subprocess.run([os.path.join(REPO_ROOT, "bindings", "qgis", "build-zip.sh")],
                              env=env, check=True, capture_output=True, text=True).stdout.strip()
    with zipfile.ZipFile(zip_path) as z:
        in_zip = z.read("enhlee/enh_lee/libenh_lee.so")
        assert "enhlee/enh_lee/enh_lee.h" in z.namelist()
    with zipfile.ZipFile(WHEEL) as z:
        in_wheel = z.read(LIBRARY)
    assert sha256(in_zip) == sha256(in_wheel)


@pytest.mark.skipif(not SDIST, reason="ENH_LEE_SDIST not set")
def test_the_sdist_builds_a_wheel_with_the_library(tmp_path):
    # A separate cargo target directory: the sdist's sources are built from scratch.
    env = dict(os.environ, CARGO_TARGET_DIR=str(tmp_path / "target"))
    env.pop("ENH_LEE_PREBUILT", None)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--disable-pip-version-check", "-w", str(tmp_path / "out"), SDIST],
                   env=env, check=True, cwd=tmp_path)
    (built,) = (tmp_path / "out").glob("enh_lee-*.whl")
    assert built.name.endswith("-py3-none-linux_x86_64.whl"), built.name
    with zipfile.ZipFile(built) as z:
        assert LIBRARY in z.namelist()
