"""Independent float64 references for the tests (no code shared with enh_lee).

`spec_reference` evaluates SPEC.md literally: every window is summed on its
own over a padded copy of the image (np.pad + sliding_window_view).
`enh_lee_numpy` is the question's numpy code (two uniform_filter passes).
"""

import functools
import importlib.util
import pathlib

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
                   cu=None, cmax=None, sigma=0.9, target_window=3, point_threshold=None,
                   compat="none"):
    """Returns (out, m): the output (SPEC's for Enhanced Lee, docs/filters.md's
    for the others) and the window mean, both float64. compat="snap": SNAP's
    sample variances (n - 1, 0 for one pixel), windows clipped at the edge
    and Frost's Chebyshev distance; compat="gee": Refined Lee as the Earth
    Engine script computes it."""
    ddof = {"none": 0, "snap": 1, "gee": 0}[compat]
    if compat == "snap":
        border = "shrink"
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
            dev = _windows(xv, r, border, 0.0) - m[..., None, None]
            ok = _windows(valid.astype(np.float64), r, border, 0.0)
            var = _spread((ok * dev * dev).sum(axis=(-1, -2)), n, ddof)
        elif statistic == "residual":
            t = np.where(valid, (x - m) ** 2, 0.0)
            var = _spread(_wsum(t, r, border, 0.0), n, ddof)
        else:
            raise ValueError(statistic)
        if cu is None or filter == "lee_sigma":  # Lee Sigma: its table's Cu
            cu = (1.0 if signal == "intensity" else np.sqrt(4 / np.pi - 1)) / np.sqrt(looks)
        if cmax is None:
            cmax = np.sqrt(2) * cu if filter == "gamma_map" else np.sqrt(1 + 2 / looks)
        ci = np.sqrt(var) / m
        if filter == "frost":
            out = _frost(xv, valid, r, border, damping * var / (m * m), compat)
        elif filter == "refined_lee":
            out, m = _refined_lee(x, xv, valid, border, m, var, ddof, compat == "gee")
        elif filter == "lee_sigma":
            z = lee_sigma_threshold(x, valid) if point_threshold is None else point_threshold
            table = _sigma_table()[signal, int(looks), sigma]
            out = _lee_sigma(x, xv, valid, border, r, target_window // 2, cu, table, z, ddof)
        else:
            out = _rule(filter, x, m, var, ci, looks, damping, cu, cmax)
        if filter == "lee_sigma":  # its own means decide (docs/filters.md)
            out = np.where(~valid, x, out)
        else:
            out = np.where(~valid | (n == 0) | ~(m > 0), x, out)
    return out, m


def _spread(ss, n, ddof):
    """The variance of n values whose squared deviations add up to ss:
    ss / n, or ss / (n - 1) (0 for one value) with ddof=1."""
    return np.where(n > ddof, ss / np.maximum(n - ddof, 1), 0.0)


def _frost(xv, valid, r, border, a, compat):
    """Frost et al. 1982: the window's valid pixels weighted by exp(-a |t|),
    |t| the Euclidean distance from the centre (SNAP: the Chebyshev
    distance), a = K Ci^2 per pixel."""
    t = np.arange(-r, r + 1, dtype=np.float64)
    if compat == "snap":
        dist = np.maximum(np.abs(t[:, None]), np.abs(t[None, :]))
    else:
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

# The Earth Engine script (gee_s1_ard's RefinedLee), as it writes it: its
# sampled 3x3 means s0..s8 row by row, its gradients |s_p - s_q| and
# directions (s_p - s4 > s4 - s_q: code g + 1, else g + 5), and the kernel
# of each direction code 1..8: rect_kernel (rows 3-6), diag_kernel (column
# <= row), and each turned i quarter turns clockwise (ee.Kernel.rotate(i)).
_EE_PAIRS = [(1, 7), (6, 2), (3, 5), (0, 8)]
_EE_KERNELS = [np.rot90(k, -i) for i in range(4) for k in (_ROW >= 3, _COL <= _ROW)]


def _refined_lee(x, xv, valid, border, m_whole, var_whole, ddof, gee=False):
    """Lee 1981's edge-aligned windows in SNAP's 7x7 form (docs/filters.md),
    or the Earth Engine script's (gee): returns (out, the mean used)."""
    win = _windows(xv, 3, border, 0.0)
    ok = _windows(valid.astype(np.float64), 3, border, 0.0) > 0
    h, w = x.shape
    areas = [[win[..., 2 * a:2 * a + 3, 2 * b:2 * b + 3].reshape(h, w, 9) for b in range(3)]
             for a in range(3)]
    mu = np.array([[areas[a][b].mean(axis=-1) for b in range(3)] for a in range(3)])
    full = np.array([[ok[..., 2 * a:2 * a + 3, 2 * b:2 * b + 3].all(axis=(-1, -2))
                      for b in range(3)] for a in range(3)]).reshape(9, h, w)
    var_areas = np.array([[areas[a][b].var(axis=-1, ddof=ddof) for b in range(3)]
                          for a in range(3)]).reshape(9, h, w)
    mu9 = mu.reshape(9, h, w)
    noise = np.where(mu9 > 0, var_areas / (mu9 * mu9), 0.0)
    noise = np.sort(np.where(full, noise, np.inf), axis=0)
    count = np.minimum(full.sum(axis=0), 5)
    first = np.arange(9)[:, None, None] < count
    sigma2 = np.where(count > 0, np.where(first, noise, 0.0).sum(axis=0) / np.maximum(count, 1),
                      0.0)
    if gee:
        s = mu9
        grads = np.array([np.abs(s[p] - s[q]) for p, q in _EE_PAIRS])
        tied = grads == grads.max(axis=0)  # gradmask
        code = sum(np.where(tied[g], np.where(s[p] - s[4] > s[4] - s[q], g + 1, g + 5), 0)
                   for g, (p, q) in enumerate(_EE_PAIRS))
        named = (code >= 1) & (code <= 8)  # else the script masks the pixel
        mask = np.array(_EE_KERNELS)[np.clip(code, 1, 8) - 1]
    else:
        grads = np.array([np.abs(mu[a0][b0] - mu[a1][b1]) for (a0, b0), (a1, b1) in _GRADIENTS])
        k = np.argmax(grads, axis=0)  # the first of equal maxima
        side = np.zeros_like(k)
        for i, ((a0, b0), (a1, b1)) in enumerate(_GRADIENTS):
            away = ~(np.abs(mu[a0][b0] - mu[1][1]) < np.abs(mu[1][1] - mu[a1][b1]))
            side = np.where(k == i, away.astype(int), side)
        mask = _HALVES[2 * k + side]  # (h, w, 7, 7)
        named = True
    m_half = (win * mask).sum(axis=(-1, -2)) / 28
    var_half = (((win - m_half[..., None, None]) ** 2) * mask).sum(axis=(-1, -2)) / (28 - ddof)
    edge = ok.all(axis=(-1, -2))
    m = np.where(edge, np.where(named, m_half, np.nan), m_whole)
    var = np.where(edge, var_half, var_whole)
    signal = (var - m * m * sigma2) / (1 + sigma2)
    if not gee:  # the script leaves the gain negative
        signal = np.maximum(signal, 0.0)
    b = np.where(var > 0, signal / np.where(var > 0, var, 1.0), 0.0)
    return m + b * (x - m), m


_ROOT = pathlib.Path(__file__).resolve().parents[3]


@functools.cache
def _sigma_table():
    """Lee Sigma's table {(signal, looks, sigma): (I1, I2, sigma_vp)}: the
    published entries as the oracle crate copied them from Lee et al. 2009
    (Table I) and SNAP's LeeSigma.java (oracle/lee_sigma_table.txt), and the
    amplitude column at 0.95, which SNAP lacks, recomputed from its
    definition by bench/lee_sigma_table.py (scipy), rounded as published."""
    table = {}
    for line in (_ROOT / "oracle" / "lee_sigma_table.txt").read_text().splitlines():
        if line.strip() and not line.startswith(("#", "computed")):
            signal, looks, sigma, *entry = line.split()
            table[signal, int(looks), float(sigma)] = tuple(map(float, entry))
    spec = importlib.util.spec_from_file_location("lee_sigma_table", _ROOT / "bench" / "lee_sigma_table.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    for looks in (1, 2, 3, 4):
        for xi, *entry in bench.ranges(bench.speckle("amplitude", looks)):
            if xi == 0.95:
                table["amplitude", looks, xi] = tuple(round(v, 6) for v in entry)
    return table


def lee_sigma_threshold(x, valid):
    """The max(1, floor(0.98 n))-th smallest of the n valid pixels (inf if none)."""
    v = np.sort(x[valid])
    return float(v[max(1, v.size * 98 // 100) - 1]) if v.size else np.inf


def _kuan(m, var, cu2):
    with np.errstate(all="ignore"):
        k = np.clip((1 - cu2 * m * m / var) / (1 + cu2), 0.0, 1.0)
    return np.where(var > 0, k, 0.0)


def _lee_sigma(x, xv, valid, border, r, rt, cu, table, z, ddof):
    """Lee et al. 2009 as docs/filters.md states it: point targets kept, the
    a priori Kuan mean over the target window, the Kuan blend over the
    window's pixels in the sigma range."""
    low, high, eta = table
    bright = valid & (x > z)
    count = _wsum(bright.astype(np.float64), rt, border, 0.0)
    detects = bright & (count >= 5)
    # A bright pixel next to (or at) a detecting pixel inside the raster.
    kept = bright & _windows(detects, rt, "shrink", False).any(axis=(-1, -2))
    okt = _windows(valid.astype(np.float64), rt, border, 0.0)
    wint = _windows(xv, rt, border, 0.0)
    nt = okt.sum(axis=(-1, -2))
    mt = wint.sum(axis=(-1, -2)) / nt
    vart = _spread((okt * (wint - mt[..., None, None]) ** 2).sum(axis=(-1, -2)), nt, ddof)
    prior = mt + _kuan(mt, vart, cu * cu) * (x - mt)
    lo, hi = (low * prior)[..., None, None], (high * prior)[..., None, None]
    win = _windows(xv, r, border, 0.0)
    sel = (_windows(valid.astype(np.float64), r, border, 0.0) > 0) & (win >= lo) & (win <= hi)
    n = sel.sum(axis=(-1, -2))
    ms = np.where(sel, win, 0.0).sum(axis=(-1, -2)) / n
    vs = _spread(np.where(sel, (win - ms[..., None, None]) ** 2, 0.0).sum(axis=(-1, -2)), n, ddof)
    out = ms + _kuan(ms, vs, eta * eta) * (x - ms)
    return np.where(kept | (n == 0) | ~(mt > 0) | ~(ms > 0), x, out)


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
