"""A (planes, rows, columns) Dask array: one plan per block of planes, every
chunk's planes filtered in one call, bit for bit np.stack of the 2-D
enh_lee.filter of each plane, for every filter of the library's list."""

import numpy as np
import pytest

import enh_lee

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import enh_lee.dask as eld  # noqa: E402

VARIANTS = [{}, {"looks": "auto"}, {"nodata": [0.0, None, 5.0], "looks": "auto"}]
CHUNKS = [(3, 25, 40), (1, 33, 64), (2, 70, 17)]


def stack():
    rng = np.random.default_rng(7)
    img = (100 * rng.gamma(3.0, 1 / 3.0, (3, 70, 90))).astype(np.float32)
    img[:, 10:14, 20:30] = 0.0
    img[2, 40:44, 5:9] = 5.0
    return img


def test_every_filter_of_a_stack_through_dask():
    img = stack()
    seen = set()
    with dask.config.set(scheduler="synchronous"):
        for f in enh_lee.FILTERS:
            for variant in VARIANTS:
                params = dict(variant, filter=f)
                each = [{n: (v[k] if isinstance(v, list) else v) for n, v in params.items()}
                        for k in range(3)]
                try:
                    want = np.stack([enh_lee.filter(img[k], **each[k]) for k in range(3)])
                except enh_lee.InvalidArgumentError:
                    continue
                seen.add(f)
                for chunks in CHUNKS:
                    got = eld.filter(da.from_array(img, chunks=chunks), **params).compute()
                    np.testing.assert_array_equal(got, want, err_msg=f"{params} {chunks}")
    assert seen == set(enh_lee.FILTERS)


@pytest.mark.filterwarnings("ignore:Running on a single-machine scheduler")
def test_a_plan_per_block_of_planes():
    img = stack()
    x = da.from_array(img, chunks=(1, 35, 45))
    y = eld.filter(x, looks="auto")
    plans = [k for k in y.dask if isinstance(k, tuple) and k[0].startswith("enh-lee-plan-")
             and k[0].count("-") == 3]
    assert len(plans) == 3  # one per block of planes, counted then stepped
    want = np.stack([enh_lee.filter(p, looks="auto") for p in img])
    np.testing.assert_array_equal(y.compute(scheduler="synchronous"), want)
