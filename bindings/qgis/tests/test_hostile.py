"""Hostile outputs through qgis_process (issue 38): a file this user may not
write is never replaced, and file-system problems are one clear line naming
the user's path (not a traceback, not the hidden temporary file).

Permission bits do not bind root, so where the tests run as root the
runs drop to the user nobody (setpriv) with a copy of the test profile:
the checks meet the kernel's real answers, not a mock. Every run is
bounded: a timeout, and an address-space limit (prlimit --as)."""

import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import QGIS_PROCESS, speckle, write_raster

ALG = "enhlee:enhancedlee"
NOBODY = 65534
TIMEOUT = 300
AS_LIMIT = 4 * 1024 ** 3


def _chown_tree(path, uid):
    for dirpath, dirnames, filenames in os.walk(path):
        os.lchown(dirpath, uid, -1)
        for name in filenames + dirnames:
            os.lchown(os.path.join(dirpath, name), uid, -1)


@pytest.fixture(scope="module")
def unprivileged(installed_plugin):
    """(base folder, run(args) as an unprivileged user). As root: nobody,
    with a copy of the profile (HOME) it owns; else the current user."""
    root = os.geteuid() == 0
    if root and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot drop privileges")
    base = tempfile.mkdtemp(prefix="enhlee-hostile-", dir="/tmp")
    os.chmod(base, 0o755)
    home = os.path.join(base, "home")
    shutil.copytree(os.environ["HOME"], home, symlinks=True)
    run_dir = os.path.join(base, "run")
    os.makedirs(run_dir, mode=0o700)
    if root:
        _chown_tree(home, NOBODY)
        os.chown(run_dir, NOBODY, -1)
        os.chown(base, NOBODY, -1)  # GDAL may write the input's .aux.xml
    prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] \
        if root else []

    def run(*args):
        env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=run_dir, QT_QPA_PLATFORM="offscreen")
        env.pop("ENH_LEE_LIBRARY", None)
        p = subprocess.run(prefix + ["prlimit", f"--as={AS_LIMIT}", "--", QGIS_PROCESS, *args],
                           env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=TIMEOUT)
        assert 0 <= p.returncode < 128, f"qgis_process crashed ({p.returncode}):\n{p.stderr}"
        return p

    src = write_raster(os.path.join(base, "in.tif"), [speckle((40, 50), seed=3)])
    os.chmod(src, 0o644)
    yield base, run, src, (NOBODY if root else os.geteuid())
    shutil.rmtree(base, ignore_errors=True)


def _folder(base, name, owner, mode):
    d = os.path.join(base, name)
    os.makedirs(d)
    os.chown(d, owner, -1)
    os.chmod(d, mode)
    return d


def _one_clear_line(p, path):
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert "Traceback" not in out, out
    assert ".part.tif" not in out, out
    # qgis_process echoes the parameters first ("OUTPUT:\t<path>"), then
    # shows the error up to three times (log, "ERROR:\t", stderr).
    lines = {line.replace("ERROR:\t", "") for line in out.splitlines()
             if path in line and not line.startswith("OUTPUT:")}
    assert len(lines) == 1, out
    return lines.pop()


def test_a_writable_destination_works(unprivileged):
    """The control: the unprivileged user can filter into its own folder."""
    base, run, src, owner = unprivileged
    d = _folder(base, "own", owner, 0o755)
    out = os.path.join(d, "new.tif")
    p = run("run", ALG, "--", f"INPUT={src}", f"OUTPUT={out}")
    assert p.returncode == 0, p.stdout + p.stderr
    assert os.path.getsize(out) > 0


def test_a_read_only_file_is_never_replaced(unprivileged):
    base, run, src, owner = unprivileged
    d = _folder(base, "ro-file", owner, 0o755)
    out = os.path.join(d, "old.tif")
    with open(out, "wb") as f:
        f.write(b"keep me")
    os.chown(out, owner, -1)
    os.chmod(out, 0o444)
    p = run("run", ALG, "--", f"INPUT={src}", f"OUTPUT={out}")
    assert "read-only" in _one_clear_line(p, out)
    with open(out, "rb") as f:
        assert f.read() == b"keep me"
    assert os.listdir(d) == ["old.tif"]


def test_a_sub_folder_under_a_read_only_folder(unprivileged):
    base, run, src, _ = unprivileged
    locked = _folder(base, "locked-sub", 0 if os.geteuid() == 0 else os.geteuid(), 0o555)
    out = os.path.join(locked, "sub", "out.tif")
    p = run("run", ALG, "--", f"INPUT={src}", f"OUTPUT={out}")
    line = _one_clear_line(p, out)
    assert "cannot create its folder" in line and "PermissionError" not in p.stdout + p.stderr


def test_a_read_only_folder(unprivileged):
    base, run, src, _ = unprivileged
    locked = _folder(base, "locked", 0 if os.geteuid() == 0 else os.geteuid(), 0o555)
    out = os.path.join(locked, "out.tif")
    p = run("run", ALG, "--", f"INPUT={src}", f"OUTPUT={out}")
    assert "may not write in its folder" in _one_clear_line(p, out)
    assert os.listdir(locked) == []


def test_a_folder_path_through_a_file(unprivileged):
    """A file where a folder of the path should be (no privileges
    involved): one line naming the path."""
    base, run, src, _ = unprivileged
    blocker = os.path.join(base, "a-file")
    with open(blocker, "w") as f:
        f.write("x")
    out = os.path.join(blocker, "sub", "out.tif")
    p = run("run", ALG, "--", f"INPUT={src}", f"OUTPUT={out}")
    assert "cannot create its folder" in _one_clear_line(p, out)
