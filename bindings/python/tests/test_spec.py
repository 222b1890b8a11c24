"""enh_lee.filter against the float64 SPEC reference written in _reference.py."""

import itertools

import numpy as np
import pytest

import enh_lee
from _reference import assert_matches_spec, speckled

BORDERS = ["reflect", "mirror", "nearest", "shrink"]
STATISTICS = ["window", "residual"]
SIGNALS = ["intensity", "amplitude"]


def messy(shape, seed=1):
    """Speckle plus everything SPEC singles out: NaN, +-inf, nodata pixels,
    zeros and negatives (m <= 0), a bright target with a 1e7 dynamic range."""
    rng = np.random.default_rng(seed)
    img = speckled(shape, 3.0, seed=seed)
    h, w = shape
    flat = img.reshape(-1)
    n = flat.size
    for value, count in ((np.nan, 3), (np.inf, 2), (-np.inf, 2), (-9999.0, 6), (0.0, 4)):
        flat[rng.choice(n, size=min(count, n), replace=False)] = value
    if h >= 8 and w >= 8:
        img[h // 2 - 2:h // 2 + 2, 1:4] = -9999.0        # a nodata block
        img[1:3, w - 4:w - 1] = rng.normal(0, 5, (2, 3))  # small and negative values
        img[h - 3, w // 2] = 3e7                          # a corner reflector
    return img


@pytest.mark.parametrize("border,statistic,signal",
                         list(itertools.product(BORDERS, STATISTICS, SIGNALS)))
def test_every_mode(border, statistic, signal):
    img = messy((37, 41))
    for window, looks, nodata in ((5, 3.0, -9999.0), (7, 1.0, None), (3, 0.7, -9999.0)):
        params = dict(window=window, looks=looks, damping=1.3, signal=signal,
                      statistic=statistic, border=border, nodata=nodata)
        assert_matches_spec(enh_lee.filter(img, **params), img, **params)


@pytest.mark.parametrize("statistic", STATISTICS)
@pytest.mark.parametrize("border", BORDERS)
def test_clean_speckle(border, statistic):
    img = speckled((48, 52), 4.0, seed=3)
    for window in (3, 5, 7, 11):
        params = dict(window=window, looks=4.0, statistic=statistic, border=border)
        assert_matches_spec(enh_lee.filter(img, **params), img, **params)


def too_large(window, shape):
    """SPEC: a window wider than twice the raster's larger side plus one
    (and than 7) is refused, naming window, before anything is allocated."""
    return window > max(2 * max(shape) + 1, 7)


@pytest.mark.parametrize("statistic", STATISTICS)
@pytest.mark.parametrize("border", BORDERS)
def test_windows_larger_than_the_image(border, statistic):
    for shape in ((5, 4), (2, 3), (3, 1), (1, 1)):
        img = speckled(shape, 2.0, seed=sum(shape))
        for window in (5, 9, 11, 15):
            params = dict(window=window, looks=2.0, statistic=statistic, border=border)
            if too_large(window, shape):
                with pytest.raises(enh_lee.InvalidArgumentError, match="window"):
                    enh_lee.filter(img, **params)
                continue
            assert_matches_spec(enh_lee.filter(img, **params), img, **params)


@pytest.mark.parametrize("statistic", STATISTICS)
@pytest.mark.parametrize("border", BORDERS)
def test_single_row_and_column(border, statistic):
    line = messy((1, 60), seed=5)
    for img in (line, line.T.copy(), line[:, :7], line[:, :7].T.copy()):
        for window in (3, 7, 21):
            params = dict(window=window, looks=1.5, statistic=statistic, border=border,
                          nodata=-9999.0)
            if too_large(window, img.shape):
                with pytest.raises(enh_lee.InvalidArgumentError, match="window"):
                    enh_lee.filter(img, **params)
                continue
            assert_matches_spec(enh_lee.filter(img, **params), img, **params)


@pytest.mark.parametrize("statistic", STATISTICS)
def test_explicit_coefficients(statistic):
    img = messy((30, 33), seed=7)
    for cu, cmax, damping in ((0.2, 0.9, 1.0), (0.0, 0.5, 2.0), (0.5, 3.0, 0.0), (0.3, 0.31, 5.0)):
        params = dict(window=5, looks=2.0, cu=cu, cmax=cmax, damping=damping,
                      statistic=statistic, nodata=-9999.0)
        assert_matches_spec(enh_lee.filter(img, **params), img, **params)
    # Only one of the two overridden, the other derived.
    for params in (dict(cu=0.3), dict(cmax=2.5), dict(cu=0.1, signal="amplitude")):
        params.update(window=7, looks=2.0, statistic=statistic)
        assert_matches_spec(enh_lee.filter(img, **params), img, **params)


def test_invalid_pixels_are_copied_unchanged():
    img = messy((25, 25), seed=9)
    out = enh_lee.filter(img, window=5, nodata=-9999.0)
    invalid = ~np.isfinite(img) | (img == np.float32(-9999.0))
    assert invalid.any()
    np.testing.assert_array_equal(out[invalid], img[invalid])  # NaN == NaN here


def test_nodata_compared_as_float32():
    img = speckled((20, 20), 2.0)
    img[5, 5] = np.float32(0.1)  # 0.1 is not a float32; the float32 nearest is
    out = enh_lee.filter(img, window=3, nodata=0.1)
    assert out[5, 5] == img[5, 5]
    assert_matches_spec(out, img, window=3, nodata=0.1)


def test_large_values_and_dynamic_range():
    # The question's own test image: arange(N*N) as float32 (values to 1e8 scale).
    n = 120
    img = np.arange(n * n, dtype=np.float32).reshape(n, n) * 700.0
    for statistic in STATISTICS:
        assert_matches_spec(enh_lee.filter(img, window=7, statistic=statistic), img,
                            window=7, statistic=statistic)
    # Calm water (~1e-3) with a 1e4 target: no leak into dark pixels.
    rng = np.random.default_rng(11)
    sea = (1e-3 * rng.gamma(1.0, 1.0, (64, 64))).astype(np.float32)
    sea[30:33, 30:33] = 1e4
    for statistic in STATISTICS:
        assert_matches_spec(enh_lee.filter(sea, window=9, statistic=statistic), sea,
                            window=9, statistic=statistic)


def test_defaults_are_the_librarys():
    d = enh_lee.describe()
    img = speckled((30, 30), 1.0)
    explicit = enh_lee.filter(img, window=int(d["window"]), looks=float(d["looks"]),
                              damping=float(d["damping"]), threads=int(d["threads"]))
    np.testing.assert_array_equal(enh_lee.filter(img), explicit)
    assert (d["window"], d["looks"], d["damping"], d["signal"], d["statistic"], d["border"],
            d["nodata"], d["threads"]) == ("7", "1", "1", "intensity", "window", "reflect",
                                           "", "0")
    assert d["cu"] == "" and d["cmax"] == ""
    # default_params(): a library object holding the same defaults.
    with enh_lee.default_params() as p:
        assert enh_lee._lib.lib.enh_lee_params_validate(p) == enh_lee._lib.ENH_LEE_OK


def test_threads_do_not_change_the_result():
    img = messy((90, 70), seed=13)
    for statistic in STATISTICS:
        a = enh_lee.filter(img, window=5, statistic=statistic, threads=1)
        for threads in (0, 2, 3):
            b = enh_lee.filter(img, window=5, statistic=statistic, threads=threads)
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", range(4))
def test_random_configurations(seed):
    """Random small images (speckle, signed noise up to 1e8, small integers,
    a 1e-5..1e5 log-normal range, constants) with NaN/inf/nodata pixels, under
    random parameters; each also tiled with filter_region."""
    rng = np.random.default_rng(1000 + seed)
    for _ in range(150):
        h, w = (int(v) for v in rng.integers(1, 25, 2))
        kind = rng.integers(5)
        if kind == 0:
            img = rng.gamma(rng.uniform(0.5, 5), 100, (h, w))
        elif kind == 1:
            img = rng.normal(0, 1, (h, w)) * 10 ** rng.uniform(-3, 8)
        elif kind == 2:
            img = rng.integers(0, 4, (h, w)).astype(float)
        elif kind == 3:
            img = np.exp(rng.normal(0, 5, (h, w)))
        else:
            img = np.full((h, w), rng.uniform(-2, 1e6))
        img = img.astype(np.float32)
        u = rng.random((h, w))
        img[u < 0.05] = np.nan
        img[(u > 0.05) & (u < 0.08)] = -5.0
        img[(u > 0.08) & (u < 0.09)] = np.inf
        params = dict(window=int(rng.choice([3, 5, 7, 9, 15, 31, 51])),
                      looks=float(rng.uniform(0.3, 10)), damping=float(rng.uniform(0, 4)),
                      signal=str(rng.choice(SIGNALS)), statistic=str(rng.choice(STATISTICS)),
                      border=str(rng.choice(BORDERS)),
                      nodata=-5.0 if rng.random() < 0.5 else None)
        if rng.random() < 0.3:
            cu = float(rng.uniform(0, 1))
            params.update(cu=cu, cmax=cu + float(rng.uniform(0.01, 3)))
        if too_large(params["window"], img.shape):
            with pytest.raises(enh_lee.InvalidArgumentError, match="window"):
                enh_lee.filter(img, **params)
            continue
        out = enh_lee.filter(img, **params)
        assert_matches_spec(out, img, **params)
        th, tw = (int(v) for v in rng.integers(1, 8, 2))
        tiled = np.empty_like(out)
        for y in range(0, h, th):
            for x in range(0, w, tw):
                region = (x, y, min(tw, w - x), min(th, h - y))
                sx, sy, sw, sh = enh_lee.source_window((h, w), region, **params)
                tiled[y:y + region[3], x:x + region[2]] = enh_lee.filter_region(
                    img[sy:sy + sh, sx:sx + sw], (h, w), region, **params)
        np.testing.assert_array_equal(tiled, out, err_msg=str(params))
