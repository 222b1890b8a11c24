"""The workers of a real multi-process cluster find and load the library,
and the filter tasks run on them (not in the client)."""

import os

import dask.array as da
import numpy as np
from distributed import get_task_stream, wait
from distributed.comm.utils import get_tcp_server_addresses

import enh_lee
import enh_lee.dask as eld
from _dask_helpers import same_bits, speckled


def _worker_library():
    import enh_lee as e  # imported in the worker process

    return (os.getpid(), os.path.realpath(e.library_path), e.version(),
            os.environ.get("ENH_LEE_LIBRARY"))


def test_workers_load_the_library_from_the_env(client):
    want = os.path.realpath(os.environ["ENH_LEE_LIBRARY"])
    got = client.run(_worker_library)
    assert len(got) == 2
    pids = {pid for pid, *_ in got.values()}
    assert len(pids) == 2 and os.getpid() not in pids  # separate processes
    for pid, path, version, env in got.values():
        assert path == want and env == os.environ["ENH_LEE_LIBRARY"]
        assert version == enh_lee.version()


def test_filter_tasks_run_on_both_workers(client):
    img = speckled((400, 300), seed=5)
    x = da.from_array(img, chunks=(50, 60))
    with get_task_stream(client) as ts:
        y = eld.filter(x, window=9, statistic="residual").persist()
        wait(y)
    ran = {t["worker"] for t in ts.data if "enh-lee" in t["key"] and "halo" not in t["key"]}
    assert ran == set(client.scheduler_info()["workers"])
    holders = {w for ws in client.who_has(y).values() for w in ws}
    assert len(holders) == 2
    got = y.compute()
    assert same_bits(got, enh_lee.filter(img, window=9, statistic="residual"))
    del y


def test_cluster_is_on_loopback(cluster, client):
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2 and all(a.startswith("tcp://127.0.0.1:") for a in workers)
    assert all(w["nthreads"] == 1 for w in workers.values())
    http = cluster.scheduler.http_server
    assert http.port != 8787
    assert {host for host, port in get_tcp_server_addresses(http)} == {"127.0.0.1"}
