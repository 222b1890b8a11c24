"""temporal="quegan" through Dask: chunks that split the dates and the
raster give the in-memory stack's result bit for bit (the dates are put
in one chunk: the library says its planes are filtered together)."""

import numpy as np
import pytest

import enh_lee

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import enh_lee.dask as eld  # noqa: E402


@pytest.mark.parametrize("params", [{"filter": "lee", "looks": 3},
                                    {"filter": "enhanced_lee", "looks": "auto"},
                                    {"filter": "lee_sigma", "looks": 2, "nodata": 0.0}])
@pytest.mark.parametrize("chunks", [(2, 25, 40), (5, 33, 17)])
def test_quegan_through_dask_is_the_stack_in_memory(params, chunks):
    rng = np.random.default_rng(5)
    img = (rng.gamma(3.0, 1 / 3.0, (5, 70, 90)) * 10).astype(np.float32)
    img[1, 10:20, 30:40] = 0.0
    want = enh_lee.filter(img, temporal="quegan", **params)
    with dask.config.set(scheduler="synchronous"):
        got = eld.filter(da.from_array(img, chunks=chunks), temporal="quegan", **params).compute()
    assert got.shape == want.shape
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))
