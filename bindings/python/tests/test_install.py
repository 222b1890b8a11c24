"""`pip install ./bindings/python` into a venv (offline), with and without a bundled library."""

import os
import shutil
import subprocess
import sys

import pytest

from enh_lee import _lib

PKG_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHECK = ("import enh_lee, numpy as np; "
         "print(enh_lee.__file__); print(enh_lee.library_path); "
         "print(enh_lee.filter(np.full((5, 6), 2.0), window=3).sum())")


def venv_with_package(tmp_path, bundle):
    if subprocess.run([sys.executable, "-c", "import ensurepip"]).returncode != 0:
        pytest.skip("python3-venv (ensurepip) is not installed")
    src = tmp_path / "src"  # a copy: pip's build/ and egg-info stay out of the checkout
    shutil.copytree(PKG_ROOT, src, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache", "libenh_lee*"))
    if bundle:
        shutil.copy(_lib.library_path, src / "enh_lee" / "libenh_lee.so")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ENH_LEE_LIBRARY")}
    env["PIP_NO_INDEX"] = "1"  # offline: build with the setuptools already there
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    r = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-deps", "--no-build-isolation",
                        str(src)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    return venv, env


def run_check(venv, env):
    r = subprocess.run([str(venv / "bin" / "python"), "-c", CHECK], env=env,
                       capture_output=True, text=True, cwd="/")
    return r


def test_pip_install_with_the_library_from_the_environment(tmp_path):
    venv, env = venv_with_package(tmp_path, bundle=False)
    env["ENH_LEE_LIBRARY"] = _lib.library_path
    r = run_check(venv, env)
    assert r.returncode == 0, r.stderr
    module, lib, total = r.stdout.split()
    assert module.startswith(str(venv)) and lib == _lib.library_path and float(total) == 60.0


def test_pip_install_with_a_bundled_library(tmp_path):
    venv, env = venv_with_package(tmp_path, bundle=True)
    r = run_check(venv, env)
    assert r.returncode == 0, r.stderr
    module, lib, total = r.stdout.split()
    assert module.startswith(str(venv)) and lib.startswith(str(venv)) and float(total) == 60.0
