"""A (planes, rows, columns) stack through enh_lee.filter and a Plan: every
plane in one library call, bit for bit the 2-D call on each plane alone,
for every filter of the library's list (issue 32)."""

import numpy as np
import pytest

import enh_lee

#: Parameters a plane may have of its own are given as lists.
VARIANTS = [{}, {"looks": "auto"}, {"nodata": 0.0}, {"looks": "auto", "nodata": [0.0, None, 5.0]},
            {"nodata": [None, 0.0, 0.0], "point_threshold": [None, 50.0, None]}]


def stack(shape=(3, 70, 90)):
    rng = np.random.default_rng(32)
    img = (100 * rng.gamma(3.0, 1 / 3.0, shape)).astype(np.float32)
    img[:, 10:14, 20:30] = 0.0
    img[-1, 40:44, 5:9] = 5.0
    img[1, 30, 60] = 1e5
    return img


def plane_params(params, k):
    return {n: (v[k] if isinstance(v, list) else v) for n, v in params.items()}


def cases():
    img = stack()
    for f in enh_lee.FILTERS:
        for variant in VARIANTS:
            params = dict(variant, filter=f)
            try:
                want = np.stack([enh_lee.filter(img[k], **plane_params(params, k))
                                 for k in range(img.shape[0])])
            except enh_lee.InvalidArgumentError:
                continue  # a combination the filter refuses (lee_sigma's looks)
            yield params, want


def test_every_filter_of_a_stack_in_one_call(monkeypatch):
    img = stack()
    seen = set()
    calls = []
    real = enh_lee._lib.lib.enh_lee_filter
    monkeypatch.setattr(enh_lee._lib.lib, "enh_lee_filter",
                        lambda *a: calls.append(1) or real(*a), raising=False)
    for params, want in cases():
        seen.add(params["filter"])
        calls.clear()
        got = enh_lee.filter(img, **params)
        np.testing.assert_array_equal(got, want, err_msg=str(params))
        if not any(isinstance(v, list) for v in params.values()):
            assert len(calls) == 1, params
    assert seen == set(enh_lee.FILTERS)


def test_in_place_and_strided_stacks():
    img = stack()
    want = np.stack([enh_lee.filter(p, looks="auto") for p in img])
    wide = np.zeros((3, 80, 100), np.float32)
    view = wide[:, 5:75, 3:93]
    view[...] = img
    np.testing.assert_array_equal(enh_lee.filter(view, looks="auto"), want)
    assert enh_lee.filter(view, looks="auto", out=view) is view
    np.testing.assert_array_equal(view, want)
    # Every other plane: a plane stride of two planes.
    np.testing.assert_array_equal(enh_lee.filter(np.repeat(img, 2, axis=0)[::2]),
                                  np.stack([enh_lee.filter(p) for p in img]))


def test_a_plan_filters_regions_of_every_plane():
    img = stack()
    H, W = img.shape[1:]
    for params, want in cases():
        plan = enh_lee.Plan((H, W), 3, **params)
        strips = [(y, min(32, H - y)) for y in range(0, H, 32)]
        plan.prepare(lambda: [(img[:, y:y + h], (0, y)) for y, h in strips[::-1]])
        got = np.empty_like(want)
        for x0, y0, w, h in ((0, 0, W, 30), (0, 30, 50, 40), (50, 30, W - 50, 40)):
            sx, sy, sw, sh = plan.source_window((x0, y0, w, h))
            got[:, y0:y0 + h, x0:x0 + w] = plan.filter_region(
                img[:, sy:sy + sh, sx:sx + sw], (x0, y0, w, h))
        np.testing.assert_array_equal(got, want, err_msg=str(params))
        assert plan.provenance().startswith("enh-lee ")


def test_a_plan_reports_every_plane():
    img = stack((2, 96, 80))
    out = enh_lee.filter(img, looks=3)
    plan = enh_lee.Plan(img.shape[1:], 2, report=True, looks=3, nodata=0)
    plan.prepare(lambda: [(img, (0, 0))])
    tally = plan.report_count(img, out, (0, 0), plan.report_tally())
    plan.report_finish(tally)
    for k in range(2):
        assert plan.report(k) == enh_lee.quality_report(img[k], out[k], nodata=0)


def test_per_plane_values_must_fit_the_planes():
    with pytest.raises(ValueError, match="planes"):
        enh_lee.filter(stack(), nodata=[0, 1])
    with pytest.raises(enh_lee.InvalidArgumentError):
        enh_lee.Plan((10, 10), 2, window=[3, 5])
