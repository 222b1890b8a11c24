"""temporal="quegan": a (dates, rows, columns) stack through enh_lee.filter
against Quegan's formula in float64 over the library's own single-date
outputs (docs/filters.md, "Time series"), in place refused, one date
refused."""

import numpy as np
import pytest

import enh_lee

NODATA = -1.0


def dates(shape=(4, 60, 50), amplitude=False):
    rng = np.random.default_rng(33)
    base = 1.0 + (np.arange(shape[2])[None, :] // 10 + np.arange(shape[1])[:, None] // 12) % 3
    img = (base[None] * rng.gamma(3.0, 1 / 3.0, shape)).astype(np.float32)
    for t in range(shape[0]):
        img[t, 5 * t:5 * t + 3, 7:11] = NODATA
    img[1, 30, 30] = np.nan
    return np.sqrt(img, where=img > 0, out=img.copy()) if amplitude else img


def quegan(img, filtered, square):
    """Quegan's J in float64 from the inputs and the single-date outputs."""
    x = img.astype(np.float64)
    x = np.where(square, x * x, x) if square else x
    f = filtered.astype(np.float64)
    ok = np.isfinite(img) & (img != NODATA) & np.isfinite(filtered) & (filtered != NODATA) \
        & (filtered != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ok, x / f, 0.0)
    m = ok.sum(axis=0)
    mean = np.where(m > 0, ratio.sum(axis=0) / np.maximum(m, 1), 1.0)
    j = f * mean[None]
    j = np.sqrt(j) if square else j
    valid = np.isfinite(img) & (img != NODATA)
    return np.where(valid, j, img.astype(np.float64))


@pytest.mark.parametrize("params", [
    {"filter": "lee", "looks": 3},
    {"filter": "boxcar"},
    {"filter": "enhanced_lee", "looks": "auto"},
    {"filter": "lee_sigma", "looks": 2},
    {"filter": "lee", "looks": 3, "signal": "amplitude"},
    {"filter": "lee", "looks": 3, "signal": "amplitude", "compat": "snap"},
])
def test_quegan_is_the_formula_over_single_dates(params):
    amplitude = params.get("signal") == "amplitude"
    square = amplitude and params.get("compat") != "snap"
    img = dates(amplitude=amplitude)
    got = enh_lee.filter(img, temporal="quegan", nodata=NODATA, window=5, **params)
    single = dict(params, signal="intensity") if square else params
    filtered = np.stack([enh_lee.filter(d * d if square else d, nodata=NODATA, window=5, **single)
                         for d in img])
    want = quegan(img, filtered, square)
    assert got.dtype == np.float32 and got.shape == img.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=0, equal_nan=True)
    # Not each date alone: the dates were combined.
    assert not np.array_equal(got, filtered, equal_nan=True)


def test_quegan_refuses_one_date_and_in_place():
    img = dates()
    with pytest.raises(enh_lee.InvalidArgumentError, match="temporal"):
        enh_lee.filter(img[:1], temporal="quegan")
    with pytest.raises(enh_lee.InvalidArgumentError, match="temporal"):
        enh_lee.filter(img[0], temporal="quegan")
    with pytest.raises(enh_lee.EnhLeeError, match="in place"):
        enh_lee.filter(img, temporal="quegan", out=img)
    with pytest.raises(enh_lee.InvalidArgumentError, match="none or quegan"):
        enh_lee.filter(img, temporal="monthly")
