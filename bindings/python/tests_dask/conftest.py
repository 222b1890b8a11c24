"""Fixtures of the Dask front-end tests (enh_lee.dask).

Makes a bare `pytest bindings/python/tests_dask` work from a source checkout
(the package from bindings/python, the library from target/release unless
ENH_LEE_LIBRARY says otherwise; run-dask-tests.sh sets both), and starts one
real `dask.distributed.LocalCluster` for the session: 2 worker processes with
1 thread each, on loopback, no dashboard. The library path is passed to the
workers explicitly through the nannies' `env` (test_dask_cluster.py checks that
every worker loaded that very file).
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(PKG_ROOT))

if PKG_ROOT not in sys.path:
    sys.path.insert(0, PKG_ROOT)
_built = os.path.join(REPO_ROOT, "target", "release", "libenh_lee.so")
if "ENH_LEE_LIBRARY" not in os.environ and os.path.exists(_built):
    os.environ["ENH_LEE_LIBRARY"] = _built
# Spawned workers (and example subprocesses) must import this enh_lee too.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [PKG_ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

import dask.array  # noqa: E402,F401  (missing dask is a failure, not a skip)
import distributed  # noqa: E402

from _dask_helpers import cluster_kwargs  # noqa: E402


@pytest.fixture(scope="session")
def cluster():
    with distributed.LocalCluster(**cluster_kwargs()) as c:
        yield c


@pytest.fixture(scope="session")
def client(cluster):
    with distributed.Client(cluster) as c:
        yield c


def pytest_configure(config):
    # distributed 2022.12 on tornado 6.2: noise from the library, not from us.
    config.addinivalue_line("filterwarnings",
                            "ignore:make_current is deprecated:DeprecationWarning")
