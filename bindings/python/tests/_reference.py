"""Independent float64 references for the tests (no code shared with enh_lee).

`spec_reference` evaluates SPEC.md literally: every window is summed on its
own over a padded copy of the image (np.pad + sliding_window_view).
`enh_lee_numpy` is the question's numpy code (two uniform_filter passes).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# SPEC border name -> numpy.pad mode ('shrink': pad with invalid pixels).
NP_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge"}


def _windows(a, r, border, fill):
    if border == "shrink":
        p = np.pad(a, r, mode="constant", constant_values=fill)
    else:
        p = np.pad(a, r, mode=NP_PAD[border])
    k = 2 * r + 1
    return sliding_window_view(p, (k, k))  # (H, W, k, k)


def _wsum(a, r, border, fill):
    return _windows(a, r, border, fill).sum(axis=(-1, -2))


def spec_reference(img, filter="enhanced_lee", window=7, looks=1.0, damping=1.0,
                   signal="intensity", statistic="window", border="reflect", nodata=None,
                   cu=None, cmax=None):
    """Returns (out, m): the output (SPEC's for Enhanced Lee, docs/filters.md's
    for the others) and the window mean, both float64."""
    img = np.asarray(img, dtype=np.float32)
    x = img.astype(np.float64)
    valid = np.isfinite(x)
    if nodata is not None:
        valid &= img != np.float32(nodata)
    xv = np.where(valid, x, 0.0)
    r = (window - 1) // 2
    with np.errstate(all="ignore"):
        n = _wsum(valid.astype(np.float64), r, border, 0.0)
        m = _wsum(xv, r, border, 0.0) / n
        if statistic == "window":
            var = np.maximum(_wsum(xv * xv, r, border, 0.0) / n - m * m, 0.0)
        elif statistic == "residual":
            t = np.where(valid, (x - m) ** 2, 0.0)
            var = _wsum(t, r, border, 0.0) / n
        else:
            raise ValueError(statistic)
        if cu is None:
            cu = (1.0 if signal == "intensity" else np.sqrt(4 / np.pi - 1)) / np.sqrt(looks)
        if cmax is None:
            cmax = np.sqrt(2) * cu if filter == "gamma_map" else np.sqrt(1 + 2 / looks)
        ci = np.sqrt(var) / m
        if filter == "frost":
            out = _frost(xv, valid, r, border, damping * var / (m * m))
        elif filter == "refined_lee":
            out, m = _refined_lee(x, xv, valid, border, m, var)
        else:
            out = _rule(filter, x, m, var, ci, looks, damping, cu, cmax)
        out = np.where(~valid | (n == 0) | ~(m > 0), x, out)
    return out, m


def _frost(xv, valid, r, border, a):
    """Frost et al. 1982: the window's valid pixels weighted by exp(-a |t|),
    |t| the Euclidean distance from the centre, a = K Ci^2 per pixel."""
    t = np.arange(-r, r + 1, dtype=np.float64)
    dist = np.sqrt(t[:, None] ** 2 + t[None, :] ** 2)
    wts = np.exp(-a[..., None, None] * dist) * _windows(valid.astype(np.float64), r, border, 0.0)
    return (wts * _windows(xv, r, border, 0.0)).sum(axis=(-1, -2)) / wts.sum(axis=(-1, -2))


# Refined Lee's halves of the 7x7 window (docs/filters.md): for each of the
# four gradients, the half towards its first sub-area, then the other one.
_ROW, _COL = np.mgrid[0:7, 0:7]
_HALVES = np.array([_COL <= 3, _COL >= 3, _COL >= _ROW, _COL <= _ROW,
                    _ROW <= 3, _ROW >= 3, _ROW + _COL <= 6, _ROW + _COL >= 6])
# The sub-areas (a, b) each gradient compares.
_GRADIENTS = [((1, 0), (1, 2)), ((0, 2), (2, 0)), ((0, 1), (2, 1)), ((0, 0), (2, 2))]


def _refined_lee(x, xv, valid, border, m_whole, var_whole):
    """Lee 1981's edge-aligned windows in SNAP's 7x7 form (docs/filters.md):
    returns (out, the mean used)."""
    win = _windows(xv, 3, border, 0.0)
    ok = _windows(valid.astype(np.float64), 3, border, 0.0) > 0
    h, w = x.shape
    areas = [[win[..., 2 * a:2 * a + 3, 2 * b:2 * b + 3].reshape(h, w, 9) for b in range(3)]
             for a in range(3)]
    mu = np.array([[areas[a][b].mean(axis=-1) for b in range(3)] for a in range(3)])
    full = np.array([[ok[..., 2 * a:2 * a + 3, 2 * b:2 * b + 3].all(axis=(-1, -2))
                      for b in range(3)] for a in range(3)]).reshape(9, h, w)
    var_areas = np.array([[areas[a][b].var(axis=-1) for b in range(3)]
                          for a in range(3)]).reshape(9, h, w)
    mu9 = mu.reshape(9, h, w)
    noise = np.where(mu9 > 0, var_areas / (mu9 * mu9), 0.0)
    noise = np.sort(np.where(full, noise, np.inf), axis=0)
    count = np.minimum(full.sum(axis=0), 5)
    first = np.arange(9)[:, None, None] < count
    sigma2 = np.where(count > 0, np.where(first, noise, 0.0).sum(axis=0) / np.maximum(count, 1),
                      0.0)
    grads = np.array([np.abs(mu[a0][b0] - mu[a1][b1]) for (a0, b0), (a1, b1) in _GRADIENTS])
    k = np.argmax(grads, axis=0)  # the first of equal maxima
    side = np.zeros_like(k)
    for i, ((a0, b0), (a1, b1)) in enumerate(_GRADIENTS):
        away = ~(np.abs(mu[a0][b0] - mu[1][1]) < np.abs(mu[1][1] - mu[a1][b1]))
        side = np.where(k == i, away.astype(int), side)
    mask = _HALVES[2 * k + side]  # (h, w, 7, 7)
    m_half = (win * mask).sum(axis=(-1, -2)) / 28
    var_half = (((win - m_half[..., None, None]) ** 2) * mask).sum(axis=(-1, -2)) / 28
    edge = ok.all(axis=(-1, -2))
    m = np.where(edge, m_half, m_whole)
    var = np.where(edge, var_half, var_whole)
    signal = np.maximum((var - m * m * sigma2) / (1 + sigma2), 0.0)
    b = np.where(var > 0, signal / np.where(var > 0, var, 1.0), 0.0)
    return m + b * (x - m), m


def _rule(filter, x, m, var, ci, looks, damping, cu, cmax):
    """Each filter's published rule (docs/filters.md), from the statistics."""
    ci2, cu2 = var / (m * m), cu * cu
    if filter == "enhanced_lee":
        w = np.exp(-damping * (ci - cu) / (cmax - ci))
        return np.where(ci <= cu, m, np.where(ci >= cmax, x, m * w + x * (1 - w)))
    if filter == "lee":  # Lee 1980, as SNAP and ENVI write it
        return m + np.maximum(0.0, 1 - cu2 / ci2) * (x - m)
    if filter == "kuan":  # Kuan et al. 1985
        return m + np.clip((1 - cu2 / ci2) / (1 + cu2), 0.0, 1.0) * (x - m)
    if filter == "gamma_map":  # Lopes et al. 1990: the positive root of the MAP quadratic
        alpha = (1 + cu2) / (ci2 - cu2)
        b = alpha - looks - 1
        root = (b * m + np.sqrt(np.maximum(m * m * b * b + 4 * alpha * looks * m * x, 0))) / (2 * alpha)
        return np.where(ci <= cu, m, np.where(ci >= cmax, x, root))
    raise ValueError(filter)


def assert_matches_spec(got, img, **params):
    """SPEC's accuracy: |out - ref| <= 1e-5 * max(|ref|, |m|, 1e-30) per
    pixel; invalid or unfilterable pixels are copied exactly (NaN too)."""
    ref, m = spec_reference(img, **params)
    got = np.asarray(got)
    assert got.dtype == np.float32 and got.shape == ref.shape
    g = got.astype(np.float64)
    with np.errstate(all="ignore"):
        both_nan = np.isnan(g) & np.isnan(ref)
        bound = 1e-5 * np.fmax(np.fmax(np.abs(ref), np.nan_to_num(np.abs(m))), 1e-30)
        ok = both_nan | (g == ref) | (np.abs(g - ref) <= bound)
    if not ok.all():
        bad = np.argwhere(~ok)
        y, x = bad[0]
        raise AssertionError(
            f"{len(bad)} pixels off SPEC (params {params}); first at (row {y}, col {x}): "
            f"got {g[y, x]!r}, ref {ref[y, x]!r}, m {m[y, x]!r}, input {img[y, x]!r}"
        )


def enh_lee_numpy(Ic, filtsize, nlooks, dfactor):
    """The question's code, in float64."""
    from scipy.ndimage import uniform_filter

    Ic = Ic.astype(np.float64)
    cu = np.sqrt(1 / nlooks)
    cmax = np.sqrt(1 + 2 * nlooks)
    with np.errstate(all="ignore"):  # exp overflows where Ci > cmax: discarded
        Im = uniform_filter(Ic, filtsize, mode="reflect")
        S = np.sqrt(uniform_filter((Ic - Im) ** 2, filtsize, mode="reflect"))
        Ci = S / Im
        W = np.exp(-dfactor * (Ci - cu) / (cmax - Ci))
        return np.where(Ci <= cu, Im, np.where(Ci >= cmax, Ic, Im * W + Ic * (1 - W)))


def speckled(shape, looks, seed=0, dtype=np.float32):
    """Fields of different means (blocks and a gradient) times gamma speckle
    with `looks` looks, plus a few bright targets."""
    rng = np.random.default_rng(seed)
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    base = 50.0 + 200.0 * ((yy // max(1, h // 3) + xx // max(1, w // 4)) % 3)
    base = base + 2.0 * xx
    img = base * rng.gamma(looks, 1.0 / looks, size=shape)
    for _ in range(max(1, h * w // 400)):
        img[rng.integers(h), rng.integers(w)] *= 1e4
    return img.astype(dtype)
