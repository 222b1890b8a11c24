"""The Lee family (Lee, Kuan, Gamma-MAP, Frost next to Enhanced Lee) through Python,
against the independent numpy reference, and the parameter vocabulary that
the binding derives from the library."""

import inspect

import numpy as np
import pytest

import enh_lee
from _reference import assert_matches_spec, speckled

FAMILY = ["enhanced_lee", "lee", "kuan", "gamma_map", "frost", "refined_lee", "lee_sigma"]


def window(name, w):
    """`w`, or 7 for Refined Lee, whose window has that size only, or at
    least 5 for Lee Sigma."""
    return {"refined_lee": 7, "lee_sigma": max(w, 5)}.get(name, w)


def statistic_of(name, statistic):
    """Lee Sigma has its own statistics (the window's)."""
    return "window" if name == "lee_sigma" else statistic


def scene(shape=(61, 53), looks=3, seed=1):
    """Speckle over a field with edges and a bright target, some NaN."""
    img = speckled(shape, looks, seed=seed).astype(np.float64)
    img[:, shape[1] // 2:] *= 8.0
    img[shape[0] // 3, 5] *= 50.0
    img = img.astype(np.float32)
    img[7, 11] = np.nan
    return img


@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize("border", ["reflect", "mirror", "nearest", "shrink"])
@pytest.mark.parametrize("statistic", ["window", "residual"])
def test_each_filter_matches_its_reference(name, border, statistic):
    img = scene()
    params = dict(filter=name, window=window(name, 5), looks=3, border=border,
                  statistic=statistic_of(name, statistic))
    assert_matches_spec(enh_lee.filter(img, **params), img, **params)


@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize("statistic", ["window", "residual"])
def test_snap_compat_matches_its_reference(name, statistic):
    # SNAP's sample variances, windows clipped at the edge (whatever the
    # border) and Frost's Chebyshev distance, with nodata holes.
    img = scene(seed=6)
    img[30:33, 10:14] = -9999.0
    params = dict(filter=name, window=window(name, 5), looks=3, compat="snap",
                  border="mirror", nodata=-9999.0, statistic=statistic_of(name, statistic))
    got = enh_lee.filter(img, **params)
    assert_matches_spec(got, img, **params)
    # Not the default statistics, and the border is not used.
    default = dict(params, compat="none")
    assert not np.array_equal(got, enh_lee.filter(img, **default), equal_nan=True)
    np.testing.assert_array_equal(got, enh_lee.filter(img, **dict(params, border="reflect")))


@pytest.mark.parametrize("border", ["reflect", "shrink"])
def test_gee_compat_matches_the_earth_engine_script(border):
    # Refined Lee as the Earth Engine script computes it (signed directions,
    # tied gradients adding their codes, no floor on the gain), against the
    # reference written from the script's kernels; with a flat block, where
    # all four gradients tie and the script names no half (the pixel stays
    # as it is), and nodata holes (the whole window, as the default).
    img = scene(seed=8)
    img[40:55, 3:20] = 5.0
    img[30:33, 10:14] = -9999.0
    params = dict(filter="refined_lee", looks=3, compat="gee", border=border, nodata=-9999.0)
    got = enh_lee.filter(img, **params)
    assert_matches_spec(got, img, **params)
    assert (got != enh_lee.filter(img, **dict(params, compat="none"))).mean() > 0.05
    np.testing.assert_array_equal(got[44:51, 7:16], img[44:51, 7:16])
    # The same bits by strips, in place and on any number of threads.
    np.testing.assert_array_equal(enh_lee.filter(img, threads=3, **params), got)
    inplace = img.copy()
    enh_lee.filter(inplace, out=inplace, **params)
    np.testing.assert_array_equal(inplace, got)
    for y0, y1 in ((0, 25), (25, 26), (26, 61)):
        region = (0, y0, img.shape[1], y1 - y0)
        (sx, sy, sw, sh) = enh_lee.source_window(img.shape, region, **params)
        part = enh_lee.filter_region(img[sy:sy + sh, sx:sx + sw], img.shape, region, **params)
        np.testing.assert_array_equal(part, got[y0:y1])
    # The script is Refined Lee's only: another filter is refused.
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        enh_lee.filter(img, filter="lee", compat="gee")
    assert "compat" in str(e.value) and "refined_lee" in str(e.value)


def test_snap_compat_strips_in_place_and_threads_give_the_same_bits():
    img = scene((83, 47), seed=3)
    for name in FAMILY:
        params = dict(filter=name, window=window(name, 7), looks=2, compat="snap")
        whole = enh_lee.filter(img, threads=1, **params)
        if name == "lee_sigma":
            params["point_threshold"] = enh_lee.point_threshold(img)
        np.testing.assert_array_equal(enh_lee.filter(img, threads=3, **params), whole)
        inplace = img.copy()
        enh_lee.filter(inplace, out=inplace, **params)
        np.testing.assert_array_equal(inplace, whole)
        for y0, y1 in ((0, 20), (20, 21), (21, 83)):
            region = (5, y0, img.shape[1] - 9, y1 - y0)
            (sx, sy, sw, sh) = enh_lee.source_window(img.shape, region, **params)
            part = enh_lee.filter_region(img[sy:sy + sh, sx:sx + sw], img.shape, region,
                                         **params)
            np.testing.assert_array_equal(part, whole[y0:y1, 5:img.shape[1] - 4])


@pytest.mark.parametrize("name", FAMILY)
def test_nodata_amplitude_and_explicit_coefficients(name):
    img = scene(looks=2, seed=4)
    img[20:24, 30:40] = -9999.0
    params = dict(filter=name, window=7, looks=2, signal="amplitude", nodata=-9999.0)
    got = enh_lee.filter(img, **params)
    assert_matches_spec(got, img, **params)
    assert (got[20:24, 30:40] == -9999.0).all()
    params = dict(filter=name, window=window(name, 3), looks=1, cu=0.4)
    if name in ("enhanced_lee", "gamma_map"):
        params["cmax"] = 1.1
    assert_matches_spec(enh_lee.filter(img, **params), img, **params)


def test_the_filters_differ():
    # The filter keyword reaches the kernel: a different result for each.
    img = scene(seed=9)
    outs = [enh_lee.filter(img, filter=f, window=7, looks=3) for f in FAMILY]
    for i in range(len(outs)):
        for j in range(i + 1, len(outs)):
            assert not np.array_equal(outs[i], outs[j], equal_nan=True), (FAMILY[i], FAMILY[j])


@pytest.mark.parametrize("name", FAMILY)
def test_in_place_strips_and_threads_give_the_same_bits(name):
    img = scene((97, 41), seed=2)
    params = dict(filter=name, window=window(name, 9), looks=3,
                  statistic=statistic_of(name, "residual"))
    whole = enh_lee.filter(img, threads=1, **params)
    if name == "lee_sigma":  # regions need the whole raster's threshold
        params["point_threshold"] = enh_lee.point_threshold(img)
    np.testing.assert_array_equal(enh_lee.filter(img, threads=3, **params), whole)
    inplace = img.copy()
    enh_lee.filter(inplace, out=inplace, **params)
    np.testing.assert_array_equal(inplace, whole)
    # Strips of uneven heights, each read with its halo: no seams.
    rows = [0, 13, 14, 50, 97]
    for y0, y1 in zip(rows, rows[1:]):
        region = (0, y0, img.shape[1], y1 - y0)
        (sx, sy, sw, sh) = enh_lee.source_window(img.shape, region, **params)
        part = enh_lee.filter_region(img[sy:sy + sh, sx:sx + sw], img.shape, region, **params)
        np.testing.assert_array_equal(part, whole[y0:y1])


def test_filter_names_and_errors():
    assert enh_lee.FILTERS[0] == "enhanced_lee"
    assert set(FAMILY) <= set(enh_lee.FILTERS)
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        enh_lee.filter(np.ones((4, 4), np.float32), filter="wiener")
    assert "filter" in str(e.value) and "lee" in str(e.value)
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        enh_lee.filter(np.ones((4, 4), np.float32), window=4)
    assert "window=4" in str(e.value)
    with pytest.raises(TypeError) as e:
        enh_lee.filter(np.ones((4, 4), np.float32), radius=3)
    assert "radius" in str(e.value) and "window" in str(e.value)


def test_vocabulary_comes_from_the_library():
    names = [p.name for p in enh_lee.PARAMETERS]
    assert names[0] == "filter" and {"window", "looks", "nodata", "threads"} <= set(names)
    # filter()'s keywords and docs are the library's list, in its order.
    sig = inspect.signature(enh_lee.filter)
    assert [n for n in sig.parameters if n not in ("image", "out")] == names
    for p in enh_lee.PARAMETERS:
        assert p.description and p.description in " ".join(enh_lee.filter.__doc__.split())
    by = {p.name: p for p in enh_lee.PARAMETERS}
    assert by["border"].choices == enh_lee.BORDERS and by["border"].default == "reflect"
    assert by["compat"].choices == ("none", "snap", "gee") and by["compat"].default == "none"
    assert by["damping"].filters == ("enhanced_lee", "frost")
    assert "frost" not in by["looks"].filters and "frost" in by["window"].filters
    assert "refined_lee" not in by["window"].filters and "refined_lee" not in by["looks"].filters
    # describe() round-trips: its text gives back the same parameters.
    d = enh_lee.describe(filter="gamma_map", window=9, looks=4.4, nodata=0)
    assert d["filter"] == "gamma_map" and d["window"] == "9" and d["nodata"] == "0"
    typed = {"integer": int, "real": float, "choice": str}
    again = {k: typed[by[k].kind](v) for k, v in d.items() if v != ""}
    assert enh_lee.describe(**again) == d


def test_refined_lee_keeps_edges_and_has_one_window():
    # A step edge (100 | 1000) in 4-look speckle: Refined Lee smooths each
    # side mostly with the half window on its side, so the columns next to
    # the edge keep their level better than with Lee's square window
    # (measured: 0.46 against 0.79 relative error at worst). The diagonal
    # gradients of a straight edge are nearly as strong as the true one, so
    # some windows pick a triangle: the gain is not total.
    rng = np.random.default_rng(5)
    level = np.where(np.arange(80) < 40, 100.0, 1000.0)
    img = (level * rng.gamma(4.0, 0.25, (80, 80))).astype(np.float32)
    refined = enh_lee.filter(img, filter="refined_lee", looks=4)
    lee = enh_lee.filter(img, filter="lee", window=7, looks=4)
    err = lambda out: np.abs(out[10:70, 37:43].mean(axis=0) / level[37:43] - 1).max()
    assert err(refined) < 0.75 * err(lee)
    # Speckle is removed away from the edge: the coefficient of variation drops.
    flat, raw = refined[10:70, 5:30], img[10:70, 5:30]
    assert flat.std() / flat.mean() < 0.5 * (raw.std() / raw.mean())
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        enh_lee.filter(img, filter="refined_lee", window=5)
    assert "window" in str(e.value) and "refined_lee" in str(e.value)


def test_the_plan_says_whether_the_whole_raster_is_counted():
    # Front ends ask the plan whether the whole raster must be counted.
    assert [enh_lee.Plan((32, 32), filter=f).tally_len > 0 for f in FAMILY] == \
        [False] * 6 + [True]
    assert enh_lee.Plan((32, 32), filter="lee_sigma", point_threshold=3.5).tally_len == 0
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        enh_lee.Plan((32, 32), filter="lee_sigma", window=3)
    assert "window" in str(e.value)


def test_lee_sigma_point_threshold_and_its_search():
    # The threshold is the 98th percentile of the valid pixels; a search
    # over strips counted in any order finds the same value; a region
    # without it is refused, naming the parameter.
    img = scene((120, 70), seed=3)
    img[50:60, 10:20] = 0.0
    t = enh_lee.point_threshold(img, nodata=0)
    valid = np.sort(img[np.isfinite(img) & (img != 0)])
    assert t == valid[valid.size * 98 // 100 - 1]
    plan = enh_lee.Plan(img.shape, filter="lee_sigma", nodata=0)
    ends = {100: 120, 0: 37, 37: 64, 64: 100}
    plan.prepare(lambda: [(img[y0:ends[y0]], (0, y0)) for y0 in (100, 0, 37, 64)])
    assert float(plan.params(0)["point_threshold"]) == t
    region = (0, 10, 70, 20)
    sx, sy, sw, sh = enh_lee.source_window(img.shape, region, filter="lee_sigma")
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        enh_lee.filter_region(img[sy:sy + sh, sx:sx + sw], img.shape, region,
                              filter="lee_sigma", nodata=0)
    assert "point_threshold" in str(e.value)
    whole = enh_lee.filter(img, filter="lee_sigma", nodata=0)
    part = enh_lee.filter_region(img[sy:sy + sh, sx:sx + sw], img.shape, region,
                                 filter="lee_sigma", nodata=0, point_threshold=t)
    np.testing.assert_array_equal(part, whole[10:30])


def test_lee_sigma_parameters_and_point_targets():
    rng = np.random.default_rng(8)
    img = (100 * rng.gamma(2.0, 0.5, (60, 60))).astype(np.float32)
    img[20:23, 30:32] = 1e6  # a 3x2 cluster: a point target, kept
    for sigma in (0.5, 0.95):
        for target_window in (3, 5):
            params = dict(filter="lee_sigma", looks=2, window=9, sigma=sigma,
                          target_window=target_window)
            out = enh_lee.filter(img, **params)
            assert_matches_spec(out, img, **params)
            np.testing.assert_array_equal(out[20:23, 30:32], img[20:23, 30:32])
    for bad, value in (("sigma", 0.85), ("target_window", 7), ("looks", 4.4), ("window", 3)):
        with pytest.raises(enh_lee.InvalidArgumentError) as e:
            enh_lee.filter(img, **{"filter": "lee_sigma", bad: value})
        assert bad in str(e.value)
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        enh_lee.filter(img, filter="lee_sigma", statistic="residual")
    assert "statistic" in str(e.value)
