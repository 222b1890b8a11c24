"""One benchmark variant in its own process (run by bench/run.py).

    python3 bench/variants.py VARIANT --npy scene.npy --window 7 --repeat 3 \
        [--threads T] [--save out.npy] [--digest]

Reads the image from the .npy into anonymous memory (its header through
``np.load(mmap_mode="r")``, the pixels with ``readinto``, so the image is
counted once in the resident set), warms the variant up on a 64 x 64 crop,
records the resident set (``rss_loaded``: interpreter + modules + image),
runs the variant ``--repeat`` times and prints one JSON line: every wall
time, the peak resident set of this process (``peak``: VmHWM, bytes) and
``rss_loaded``.
In-place variants get the input back (read from the file, untimed) before
each repeat. ``--save`` writes the last result (after ``peak`` is taken), for
the agreement check; ``--digest`` reports its MD5 (bitwise comparisons).

Variants: input (load only), copy_new, copy_into (numpy copy, one thread,
into a new or an existing array), copy_new_mt, copy_into_mt (the same,
split into row blocks over --threads Python threads: numpy copies without the
GIL), lib_window / lib_residual (+ ``_inplace``: this library, default
``window`` statistic or the question's ``residual`` compatibility mode),
question, numpy_opt, numexpr (the question's code and its rewrites).
"""

import argparse
import hashlib
import json
import os
import resource
import sys
import time

import numpy as np

np.seterr(all="ignore")  # the question's code overflows exp() in a branch np.where discards

LOOKS = 4.0  # the scene's looks (bench/scene.py)
DAMPING = 1.0


# --------------------------------------------------------------------------
# The question's code and its rewrites (all: float32 in, float32 out)


def enh_lee_question(Ic, filtsize, nlooks, dfactor):
    """The numpy code of the original question, verbatim."""
    from scipy.ndimage import uniform_filter

    cu = np.sqrt(1 / nlooks)
    cmax = np.sqrt(1 + 2 * nlooks)
    Im = uniform_filter(Ic, filtsize)
    S = np.sqrt(uniform_filter((Ic - Im) ** 2, filtsize))
    Ci = S / Im
    W = np.exp(-dfactor * (Ci - cu) / (cmax - Ci))
    return np.where(Ci <= cu, Im, np.where(Ci >= cmax, Ic, Im * W + Ic * (1 - W)))


def enh_lee_numpy_opt(Ic, filtsize, nlooks, dfactor):
    """The same math, hand-optimised numpy: float32 throughout, in-place ufuncs
    into two reused image-sized buffers (the local mean, which becomes the
    output, and one work array), exp only on the pixels of the middle branch.
    Peak: input + 2 float32 images + 2 bool masks + the middle pixels."""
    from scipy.ndimage import uniform_filter

    cu = np.float32(np.sqrt(1 / nlooks))
    cmax = np.float32(np.sqrt(1 + 2 * nlooks))
    k = np.float32(dfactor)
    out = uniform_filter(Ic, filtsize)  # Im; float32 like the input
    t = np.subtract(Ic, out)
    np.multiply(t, t, out=t)
    uniform_filter(t, filtsize, output=t)  # in place is safe (1-D passes)
    np.sqrt(t, out=t)
    np.divide(t, out, out=t)  # t = Ci
    hi = np.greater_equal(t, cmax)  # Ci >= cmax: the pixel itself
    mid = np.greater(t, cu)
    np.logical_xor(mid, hi, out=mid)  # cu < Ci < cmax (cu < cmax)
    np.copyto(out, Ic, where=hi)
    del hi
    c = t[mid]  # Ci of the middle pixels only
    del t
    d = np.subtract(cmax, c)
    np.subtract(c, cu, out=c)
    np.multiply(c, -k, out=c)
    np.divide(c, d, out=c)
    del d
    np.exp(c, out=c)  # W
    x = Ic[mid]
    m = out[mid]
    np.subtract(m, x, out=m)  # m*W + x*(1-W) = x + W*(m - x)
    np.multiply(m, c, out=m)
    np.add(m, x, out=m)
    out[mid] = m
    return out


def enh_lee_numexpr(Ic, filtsize, nlooks, dfactor):
    """The same math with numexpr for the elementwise parts (multithreaded,
    blocked, no image-sized temporaries); scipy for the two box filters."""
    import numexpr as ne
    from scipy.ndimage import uniform_filter

    consts = dict(
        cu=np.float32(np.sqrt(1 / nlooks)),
        cmax=np.float32(np.sqrt(1 + 2 * nlooks)),
        k=np.float32(dfactor),
    )
    Im = uniform_filter(Ic, filtsize)
    t = ne.evaluate("(Ic - Im) * (Ic - Im)")
    uniform_filter(t, filtsize, output=t)
    ne.evaluate("sqrt(t) / Im", out=t)  # Ci
    return ne.evaluate(
        "where(t <= cu, Im, where(t >= cmax, Ic, Ic + exp(-k * (t - cu) / (cmax - t)) * (Im - Ic)))",
        local_dict=dict(t=t, Im=Im, Ic=Ic, **consts),
        out=Im,
    )


def compat_kwargs(window):
    """enh_lee.filter keywords that reproduce the question's code (SPEC,
    'Compatibility with the original question's code')."""
    return dict(
        window=window,
        looks=LOOKS,
        damping=DAMPING,
        cu=float(np.sqrt(1 / LOOKS)),
        cmax=float(np.sqrt(1 + 2 * LOOKS)),
        statistic="residual",
    )


# --------------------------------------------------------------------------
# Process helpers


def rss_now():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def peak_rss():
    """VmHWM (same source as VmRSS, so peak - rss_loaded is never negative
    from counter skew); ru_maxrss where /proc is missing."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def npy_layout(path):
    mm = np.load(path, mmap_mode="r")
    if mm.dtype != np.float32 or mm.ndim != 2 or not mm.flags.c_contiguous:
        raise SystemExit("%s: expected a C-ordered 2-D float32 array" % path)
    layout = (mm.shape, mm.offset)
    del mm
    return layout


def read_into(path, offset, arr):
    buf = memoryview(arr).cast("B")
    with open(path, "rb", buffering=0) as f:
        f.seek(offset)
        n = 0
        while n < len(buf):
            got = f.readinto(buf[n:])
            if not got:
                raise SystemExit("%s: short read" % path)
            n += got


def row_blocks(h, n):
    step = -(-h // n)
    return [(i, min(h, i + step)) for i in range(0, h, step)]


def threaded_copy(dst, src, pool, n):
    futures = [pool.submit(np.copyto, dst[a:b], src[a:b]) for a, b in row_blocks(src.shape[0], n)]
    for f in futures:
        f.result()
    return dst


# --------------------------------------------------------------------------


def make_runner(variant, window, threads):
    """Returns (fn(img, spare) -> result, inplace, needs_spare, info), info
    a function of the image shape giving extra fields of the report."""
    if variant == "input":
        return (lambda img, spare: img), False, False, None
    if variant == "copy_new":
        return (lambda img, spare: img.copy()), False, False, None
    if variant == "copy_into":
        return (lambda img, spare: np.copyto(spare, img) or spare), False, True, None
    if variant in ("copy_new_mt", "copy_into_mt"):
        from concurrent.futures import ThreadPoolExecutor

        n = threads or os.cpu_count()
        pool = ThreadPoolExecutor(n)
        if variant == "copy_new_mt":
            return (lambda img, spare: threaded_copy(np.empty_like(img), img, pool, n)), False, False, None
        return (lambda img, spare: threaded_copy(spare, img, pool, n)), False, True, None
    if variant.startswith("lib_"):
        import enh_lee

        base, _, mode = variant.partition("_inplace")
        inplace = variant.endswith("_inplace")
        if base == "lib_residual":
            kw = compat_kwargs(window)
        elif base == "lib_window":
            kw = dict(window=window, looks=LOOKS, damping=DAMPING)  # the library's defaults otherwise
        else:
            raise SystemExit("unknown variant " + variant)
        kw["threads"] = threads

        def info(shape):
            return dict(scratch=enh_lee.scratch_size(shape, **kw), library=enh_lee.library_path)

        if inplace:
            return (lambda img, spare: enh_lee.filter(img, out=img, **kw)), True, False, info
        return (lambda img, spare: enh_lee.filter(img, **kw)), False, False, info
    fn = {"question": enh_lee_question, "numpy_opt": enh_lee_numpy_opt, "numexpr": enh_lee_numexpr}.get(variant)
    if fn is None:
        raise SystemExit("unknown variant " + variant)
    if variant == "numexpr":
        import numexpr as ne

        ne.set_num_threads(threads or os.cpu_count())
    return (lambda img, spare: fn(img, window, LOOKS, DAMPING)), False, False, None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variant")
    ap.add_argument("--npy", required=True)
    ap.add_argument("--window", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="0: all cores")
    ap.add_argument("--save", help="write the last result here (.npy)")
    ap.add_argument("--digest", action="store_true", help="report the MD5 of the last result")
    a = ap.parse_args(argv)

    shape, offset = npy_layout(a.npy)
    run, inplace, needs_spare, info = make_runner(a.variant, a.window, a.threads)

    # Warm-up on a crop: imports, library load, thread pools, first-call costs.
    crop = np.ascontiguousarray(np.load(a.npy, mmap_mode="r")[:64, :64])
    small = np.empty_like(crop) if needs_spare else None
    r = run(crop, small)
    del r, crop, small

    img = np.empty(shape, np.float32)
    read_into(a.npy, offset, img)
    spare = None
    if needs_spare:
        spare = np.empty_like(img)
        spare.fill(0)  # fault it in: "into an existing array"
    rss_loaded = rss_now()

    times = []
    res = None
    for i in range(a.repeat):
        res = None
        if inplace and i:
            read_into(a.npy, offset, img)
        t0 = time.perf_counter()
        res = run(img, spare)
        times.append(time.perf_counter() - t0)
    peak = peak_rss()
    if res is not None and (res.dtype != np.float32 or res.shape != img.shape):
        raise SystemExit("%s returned %s %s" % (a.variant, res.dtype, res.shape))
    extra = info(shape) if info else {}
    if a.digest and res is not None:
        extra["digest"] = hashlib.md5(memoryview(np.ascontiguousarray(res)).cast("B")).hexdigest()
    if a.save and res is not None:
        np.save(a.save, res)
    print(json.dumps(dict(variant=a.variant, times=times, peak=peak, rss_loaded=rss_loaded,
                          image_bytes=img.nbytes, shape=list(shape), **extra)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
