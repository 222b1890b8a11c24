"""Enhanced Lee speckle filter for SAR images: numpy in, numpy out, in place.

A thin ``ctypes`` binding of libenh_lee (the Rust library's C ABI,
include/enh_lee.h). The filter is defined in SPEC.md; every computation
happens in the library, this module only maps Python arguments onto the C
call. The GIL is released while the library filters, so Python threads can
filter different images concurrently.

Quick start::

    import numpy as np
    import enh_lee

    img = np.fromfile("scene.f32", dtype=np.float32).reshape(4000, 4000)
    smooth = enh_lee.filter(img, window=7, looks=4.4)      # new float32 array
    enh_lee.filter(img, window=7, looks=4.4, out=img)      # in place: no second image

Drop-in for the classic numpy code
----------------------------------
The numpy function ``enh_lee(Ic, filtsize, nlooks, dfactor)`` (two
``scipy.ndimage.uniform_filter`` passes, ``cu = sqrt(1/nlooks)``,
``cmax = sqrt(1 + 2*nlooks)``) is, in one line::

    out = enh_lee.filter(Ic, window=filtsize, looks=nlooks, damping=dfactor,
                         cu=np.sqrt(1/nlooks), cmax=np.sqrt(1 + 2*nlooks),
                         statistic="residual")

It reproduces that code within float32 rounding (the result is float32),
exactly at the borders (scipy's default ``reflect`` is the default here), in
O(window * width) scratch memory instead of several full-size temporaries.
Without the overrides the library uses SPEC's ``Cmax = sqrt(1 + 2/looks)``
and the textbook ``window`` statistic.

Strips of a raster larger than memory
-------------------------------------
:func:`source_window` says which pixels to read for a region (the region
grown by :func:`halo`, clipped to the raster); :func:`filter_region` filters
it. Tiles written side by side equal the whole-image result bit for bit::

    H, W = raster_shape
    for y in range(0, H, 512):
        region = (0, y, W, min(512, H - y))           # (x_off, y_off, width, height)
        sx, sy, sw, sh = enh_lee.source_window((H, W), region, window=7)
        src = read(sx, sy, sw, sh)                    # e.g. GDAL ReadAsArray
        write(0, y, enh_lee.filter_region(src, (H, W), region, window=7))

Library lookup: ``ENH_LEE_LIBRARY`` (full path), then ``libenh_lee.so*`` in
this package's directory, then the system library path. Importing fails with
ImportError if the library is missing or its MAJOR.MINOR version differs from
:data:`ABI_VERSION`.
"""

import ctypes
import math
import numbers
import operator
from collections import namedtuple

import numpy as np

from . import _lib
from ._lib import ABI_VERSION, EnhLeeParams, library_path, status_message

__version__ = "0.1.0"

__all__ = [
    "filter",
    "filter_region",
    "source_window",
    "halo",
    "scratch_size",
    "version",
    "default_params",
    "status_message",
    "Region",
    "EnhLeeParams",
    "EnhLeeError",
    "InvalidArgumentError",
    "EnhLeeMemoryError",
    "EnhLeeRuntimeError",
    "SIGNALS",
    "STATISTICS",
    "BORDERS",
    "ABI_VERSION",
    "library_path",
]

#: Names accepted for ``signal`` and their C constants.
SIGNALS = {"intensity": _lib.ENH_LEE_SIGNAL_INTENSITY, "amplitude": _lib.ENH_LEE_SIGNAL_AMPLITUDE}
#: Names accepted for ``statistic`` and their C constants.
STATISTICS = {"window": _lib.ENH_LEE_STATISTIC_WINDOW, "residual": _lib.ENH_LEE_STATISTIC_RESIDUAL}
#: Names accepted for ``border`` and their C constants.
BORDERS = {
    "reflect": _lib.ENH_LEE_BORDER_REFLECT,
    "mirror": _lib.ENH_LEE_BORDER_MIRROR,
    "nearest": _lib.ENH_LEE_BORDER_NEAREST,
    "shrink": _lib.ENH_LEE_BORDER_SHRINK,
}

#: A rectangle of a raster in GDAL order: column and row of its top-left
#: pixel, then its width and height (all in pixels).
Region = namedtuple("Region", ["x_off", "y_off", "width", "height"])

_U32_MAX = 2**32 - 1
_F32 = np.dtype(np.float32)


# --------------------------------------------------------------------------
# Errors


class EnhLeeError(Exception):
    """An error reported by libenh_lee. ``status`` is the C status code,
    ``name`` its constant (e.g. ``"ENH_LEE_ERROR_INVALID_WINDOW"``); the message
    starts with the library's own sentence (enh_lee_status_message)."""

    def __init__(self, status, detail=""):
        self.status = int(status)
        self.name = _lib.STATUS_NAMES.get(self.status, f"status {self.status}")
        msg = status_message(self.status)
        super().__init__(f"{msg} ({detail})" if detail else msg)


class InvalidArgumentError(EnhLeeError, ValueError):
    """A bad argument: parameters, sizes, strides, overlap, region."""


class EnhLeeMemoryError(EnhLeeError, MemoryError):
    """The library could not allocate its scratch buffer."""


class EnhLeeRuntimeError(EnhLeeError, RuntimeError):
    """The worker threads could not start, or a bug in the library."""


def _raise_for(status, detail=""):
    if status == _lib.ENH_LEE_OK:
        return
    if status == _lib.ENH_LEE_ERROR_OUT_OF_MEMORY:
        raise EnhLeeMemoryError(status, detail)
    if status in (_lib.ENH_LEE_ERROR_THREAD_POOL, _lib.ENH_LEE_ERROR_INTERNAL) or not (
        0 < status < _lib.ENH_LEE_ERROR_OUT_OF_MEMORY
    ):
        raise EnhLeeRuntimeError(status, detail)
    raise InvalidArgumentError(status, detail)


# --------------------------------------------------------------------------
# Parameters


def _int_arg(name, value):
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, not bool")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None


def _real_arg(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return float(value)


def _enum_arg(name, value, table):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {', '.join(table)}; got {value!r}")
    try:
        return table[value.lower()]
    except KeyError:
        raise ValueError(
            f"unknown {name} {value!r}; use one of: {', '.join(table)}"
        ) from None


def _u32_arg(name, value, status):
    """An integer field of the C struct; values that do not fit uint32_t get
    the library's message for that field (ctypes would wrap them silently)."""
    v = _int_arg(name, value)
    if not 0 <= v <= _U32_MAX:
        raise InvalidArgumentError(status, f"{name}={v}")
    return v


def _params(window=7, looks=1.0, damping=1.0, signal="intensity", statistic="window",
            border="reflect", nodata=None, cu=None, cmax=None, threads=0):
    """Maps the keyword arguments onto an EnhLeeParams (no numeric checks:
    the library validates every field on each call)."""
    p = EnhLeeParams()
    p.window = _u32_arg("window", window, _lib.ENH_LEE_ERROR_INVALID_WINDOW)
    p.looks = _real_arg("looks", looks)
    p.damping = _real_arg("damping", damping)
    # In C, NaN means "derive it"; in Python that is None, and an explicit NaN
    # (a failed estimate, say) is an error rather than a silent default.
    for name, value in (("cu", cu), ("cmax", cmax)):
        if value is None:
            setattr(p, name, math.nan)
        else:
            v = _real_arg(name, value)
            if math.isnan(v):
                raise InvalidArgumentError(
                    _lib.ENH_LEE_ERROR_INVALID_COEFFICIENTS,
                    f"{name}=nan; pass None to derive it from looks",
                )
            setattr(p, name, v)
    p.signal = _enum_arg("signal", signal, SIGNALS)
    p.statistic = _enum_arg("statistic", statistic, STATISTICS)
    p.border = _enum_arg("border", border, BORDERS)
    if nodata is None:
        p.has_nodata, p.nodata = 0, 0.0
    else:
        p.has_nodata, p.nodata = 1, _real_arg("nodata", nodata)  # c_float rounds
    p.threads = _u32_arg("threads", threads, _lib.ENH_LEE_ERROR_INVALID_THREADS)
    return p


def _detail(status, p):
    """Context appended to the library's message."""
    s = status
    if s == _lib.ENH_LEE_ERROR_INVALID_WINDOW:
        return f"window={p.window}"
    if s == _lib.ENH_LEE_ERROR_INVALID_LOOKS:
        return f"looks={p.looks!r}"
    if s == _lib.ENH_LEE_ERROR_INVALID_DAMPING:
        return f"damping={p.damping!r}"
    if s == _lib.ENH_LEE_ERROR_INVALID_COEFFICIENTS:
        derived = " (nan: derived from looks)" if math.isnan(p.cu) or math.isnan(p.cmax) else ""
        return f"cu={p.cu!r}, cmax={p.cmax!r}{derived}"
    if s == _lib.ENH_LEE_ERROR_INVALID_THREADS:
        return f"threads={p.threads}"
    return ""


def _halo_of(p):
    n = ctypes.c_size_t()
    status = _lib.lib.enh_lee_halo(ctypes.byref(p), ctypes.byref(n))
    _raise_for(status, _detail(status, p))
    return n.value


def default_params():
    """The library's defaults (enh_lee_params_default) as an EnhLeeParams."""
    return _lib.lib.enh_lee_params_default()


def version():
    """The loaded library's version string, e.g. ``"0.1.0"``."""
    return _lib.library_version


def halo(window=7, statistic="window", **params):
    """Pixels of context a region needs on each side (enh_lee_halo).

    ``(window - 1) // 2`` for the ``window`` statistic, ``window - 1`` for
    ``residual``. Accepts every keyword of :func:`filter` (all validated by
    the library), so the same ``**params`` dict can be passed around.

    >>> enh_lee.halo(window=7), enh_lee.halo(window=7, statistic="residual")
    (3, 6)
    """
    return _halo_of(_params(window=window, statistic=statistic, **params))


def scratch_size(shape, **params):
    """Bytes of scratch the library allocates for filtering an image (or a
    region) of ``shape = (height, width)`` with these :func:`filter`
    keywords (enh_lee_scratch_size). It grows with width, window and
    threads, never with height: the in-place peak memory is the image plus
    this. With ``threads=0`` it is for the default pool (all cores).

    >>> enh_lee.scratch_size((4000, 4000), window=7, threads=2)  # doctest: +SKIP
    """
    p = _params(**params)
    height, width = (_int_arg("shape", v) for v in shape)
    if height < 0 or width < 0:
        raise InvalidArgumentError(_lib.ENH_LEE_ERROR_EMPTY_IMAGE, f"shape={(height, width)}")
    n = ctypes.c_size_t()
    status = _lib.lib.enh_lee_scratch_size(width, height, ctypes.byref(p), ctypes.byref(n))
    _raise_for(status, _detail(status, p) or f"shape={(height, width)}")
    return n.value


# --------------------------------------------------------------------------
# Arrays


def _row_stride(a):
    """The row stride in bytes if the library can use `a` as it is (native
    float32, 4-byte aligned, pixels contiguous within each row, rows at a
    positive stride that is a multiple of 4 and at least a row); else None."""
    if a.dtype != _F32 or not a.dtype.isnative:
        return None
    height, width = a.shape
    if height == 0 or width == 0:
        return 4 * max(width, 1)  # the library reports the empty image
    if a.ctypes.data % 4:
        return None
    if width > 1 and a.strides[1] != 4:
        return None
    if height == 1:
        return 4 * width
    s = a.strides[0]
    if s <= 0 or s % 4 or s < 4 * width:
        return None
    return s


def _as_image(image, name="image"):
    """(array, stride): `image` itself when usable as is, else a C-contiguous
    float32 copy."""
    a = image if isinstance(image, np.ndarray) else np.asarray(image)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows, columns), got shape {a.shape}")
    if a.dtype.kind not in "fiu":
        raise TypeError(
            f"{name} must hold real numbers (float or integer), got dtype {a.dtype}"
        )
    stride = _row_stride(a)
    if stride is None:
        # A copy that is native float32, C-contiguous and aligned (an
        # unaligned C-contiguous float32 array needs a copy too).
        a = np.require(a, np.float32, ["C_CONTIGUOUS", "ALIGNED"])
        if _row_stride(a) is None:
            a = np.array(a, dtype=np.float32, order="C", copy=True)
        stride = _row_stride(a)
    return a, stride


def _check_out(out, shape):
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.dtype != _F32 or not out.dtype.isnative:
        raise TypeError(f"out must have dtype float32 (native byte order), got {out.dtype}")
    if out.shape != tuple(shape):
        raise ValueError(f"out has shape {out.shape}, expected {tuple(shape)}")
    if not out.flags.writeable:
        raise ValueError("out is read-only")
    stride = _row_stride(out)
    if stride is None:
        raise ValueError(
            "out must be row-contiguous: 4-byte aligned float32 with strides[1] == 4 and "
            f"strides[0] a positive multiple of 4 >= 4*width; got strides {out.strides}"
        )
    return stride


def _check_in_place(image, out, name):
    if out is image and isinstance(image, np.ndarray) and image.ndim == 2:
        if _row_stride(image) is None:
            raise ValueError(
                f"filtering in place (out={name}) needs {name} to be native float32 with "
                "pixels contiguous within rows (strides[1] == 4, strides[0] a positive "
                f"multiple of 4 >= 4*width), 4-byte aligned; got dtype {image.dtype}, "
                f"strides {image.strides}. Use out=None and assign the result instead"
            )


def _ptr(a):
    return a.ctypes.data


# --------------------------------------------------------------------------
# Filtering


def filter(image, window=7, looks=1.0, damping=1.0, signal="intensity", statistic="window",
           border="reflect", nodata=None, cu=None, cmax=None, threads=0, out=None):
    """Enhanced Lee filter of a 2-D image (enh_lee_f32); returns float32.

    Parameters
    ----------
    image : 2-D array_like of real numbers
        Used without a copy when it is a native float32 ndarray whose pixels
        are contiguous within each row (``strides[1] == 4``; ``strides[0]``
        a positive multiple of 4, at least ``4 * width``, e.g. a row or
        column slice of a bigger array): its row stride is passed through.
        Anything else (float64, integers, transposed, Fortran order, slices
        with steps, big-endian, lists) is first converted to a C-contiguous
        float32 copy. The result is float32 in every case.
    window : int
        Window side, odd, >= 3.
    looks : float
        Number of looks L, > 0 (may be fractional, e.g. an ENL estimate).
    damping : float
        Damping factor K, >= 0.
    signal : {"intensity", "amplitude"}
        Sets the default ``cu``: ``1/sqrt(L)`` or ``sqrt(4/pi - 1)/sqrt(L)``.
    statistic : {"window", "residual"}
        ``window``: ``var = mean(x^2) - mean(x)^2``; ``residual``:
        ``var = mean((x_j - m_j)^2)`` as two ``uniform_filter`` passes.
    border : {"reflect", "mirror", "nearest", "shrink"}
        scipy.ndimage names; ``shrink`` uses only the pixels inside the image.
    nodata : float or None
        Pixels equal to it (as float32) are copied unchanged and ignored by
        the statistics; NaN and +-inf always are. None: no nodata value.
    cu, cmax : float or None
        Explicit coefficients (``0 <= cu < cmax``); None derives them
        (``cmax = sqrt(1 + 2/L)``).
    threads : int
        Worker threads, 0 = all cores; the result does not depend on it.
    out : ndarray or None
        Where to write: a writable native float32 array of the image's shape
        with row-contiguous pixels (else ValueError, or TypeError for a
        wrong type or dtype). ``out=image`` filters in place, with a peak
        memory of the image plus a small scratch buffer (this needs `image`
        itself to be usable without a copy). Any other overlap of the
        address ranges of `out` and `image` is an error (InvalidArgumentError),
        even when no pixel is shared, e.g. two column halves of one array.

    Returns
    -------
    numpy.ndarray
        `out` if given, else a new C-contiguous float32 array.

    Raises
    ------
    InvalidArgumentError (a ValueError)
        A bad parameter, an empty image, overlapping buffers; the message is
        the library's. Nothing is written to `out` on any error.
    ValueError, TypeError
        Unknown enum names, a non-2-D image, a wrong `out`, wrong types.

    Notes
    -----
    Scratch: the library allocates its own scratch buffer for the call
    (NULL, 0 in the C API). It is O(threads * window * width), independent of
    height (see :func:`scratch_size`), freed before the call returns, and
    its size is computed inside the call for the very thread pool that uses
    it, so a Python-allocated buffer would save nothing and could only be
    sized wrongly.

    The GIL is released during the computation: filtering in several Python
    threads runs concurrently (use ``threads=1`` per call then, to avoid
    oversubscribing the cores).

    Examples
    --------
    >>> import numpy as np, enh_lee
    >>> rng = np.random.default_rng(0)
    >>> img = (100 * rng.gamma(4, 1/4, (256, 256))).astype(np.float32)
    >>> out = enh_lee.filter(img, window=7, looks=4)
    >>> out.dtype, out.shape
    (dtype('float32'), (256, 256))
    >>> enh_lee.filter(img, window=7, looks=4, out=img) is img   # in place
    True
    """
    p = _params(window=window, looks=looks, damping=damping, signal=signal,
                statistic=statistic, border=border, nodata=nodata, cu=cu, cmax=cmax,
                threads=threads)
    _halo_of(p)  # the library validates the parameters before any allocation
    if out is not None:
        _check_in_place(image, out, "image")
        shape = np.shape(image)
        if len(shape) != 2:
            raise ValueError(f"image must be a 2-D array (rows, columns), got shape {shape}")
        dst_stride = _check_out(out, shape)
    src, src_stride = _as_image(image)
    height, width = src.shape
    if out is None:
        out = np.empty((height, width), dtype=np.float32)
        dst_stride = _row_stride(out)
    status = _lib.lib.enh_lee_f32(
        _ptr(src), src_stride, _ptr(out), dst_stride, width, height,
        ctypes.byref(p), None, 0,
    )
    _raise_for(status, _detail(status, p) or f"image shape {src.shape}")
    return out


def _region_arg(raster_shape, region):
    try:
        rh, rw = raster_shape
        x, y, w, h = region
    except (TypeError, ValueError):
        raise TypeError(
            "raster_shape must be (height, width) and region (x_off, y_off, width, height)"
        ) from None
    rh, rw = _int_arg("raster_shape", rh), _int_arg("raster_shape", rw)
    x, y = _int_arg("region", x), _int_arg("region", y)
    w, h = _int_arg("region", w), _int_arg("region", h)
    return rh, rw, Region(x, y, w, h)


def _source_window(rh, rw, r, p):
    """Mirrors the library's check order (parameters, empty, inside the
    raster) with its messages, then clips the halo-grown region."""
    n = _halo_of(p)
    detail = f"raster_shape={(rh, rw)}, region={tuple(r)}"
    if min(rh, rw, r.width, r.height, r.x_off, r.y_off) < 0:
        raise InvalidArgumentError(_lib.ENH_LEE_ERROR_INVALID_REGION, detail)
    if 0 in (rh, rw, r.width, r.height):
        raise InvalidArgumentError(_lib.ENH_LEE_ERROR_EMPTY_IMAGE, detail)
    if r.x_off + r.width > rw or r.y_off + r.height > rh:
        raise InvalidArgumentError(_lib.ENH_LEE_ERROR_INVALID_REGION, detail)
    x0, y0 = max(0, r.x_off - n), max(0, r.y_off - n)
    x1, y1 = min(rw, r.x_off + r.width + n), min(rh, r.y_off + r.height + n)
    return Region(x0, y0, x1 - x0, y1 - y0)


def source_window(raster_shape, region, **params):
    """The window of the raster to read for :func:`filter_region`.

    ``raster_shape`` is ``(height, width)`` (numpy order); ``region`` and the
    result are ``(x_off, y_off, width, height)`` (GDAL order: column, row,
    columns, rows). The result is the region grown by :func:`halo` on every
    side, clipped to the raster. Accepts every keyword of :func:`filter`;
    only ``window`` and ``statistic`` change the result.

    >>> enh_lee.source_window((1000, 800), (0, 100, 800, 50), window=7)
    Region(x_off=0, y_off=97, width=800, height=56)
    """
    rh, rw, r = _region_arg(raster_shape, region)
    return _source_window(rh, rw, r, _params(**params))


def filter_region(src, raster_shape, region, window=7, looks=1.0, damping=1.0,
                  signal="intensity", statistic="window", border="reflect", nodata=None,
                  cu=None, cmax=None, threads=0, out=None):
    """Filters one region of a larger raster (enh_lee_f32_region).

    Parameters
    ----------
    src : 2-D array_like
        The pixels of ``source_window(raster_shape, region, ...)``: the region
        grown by :func:`halo` on every side, clipped to the raster, with shape
        ``(height, width)`` of that window (checked). Converted like
        :func:`filter`'s `image`.
    raster_shape : (int, int)
        ``(height, width)`` of the whole raster (numpy order).
    region : (int, int, int, int)
        ``(x_off, y_off, width, height)`` of the region to filter, in pixels
        of the raster (GDAL order: column and row of its top-left pixel,
        then columns and rows).
    window, looks, ..., threads
        As :func:`filter`; borders apply at the raster's edges only.
    out : ndarray or None
        ``(height, width)`` of the region, float32, as in :func:`filter`. It
        may be `src` itself only when the region is the whole raster.

    Returns
    -------
    numpy.ndarray
        The filtered region, bit for bit equal to the same pixels of
        ``filter(whole_raster, ...)``: strips or tiles have no seams.

    Examples
    --------
    >>> H, W = img.shape
    >>> region = (100, 200, 64, 32)                       # x, y, width, height
    >>> x, y, w, h = enh_lee.source_window((H, W), region, window=5)
    >>> tile = enh_lee.filter_region(img[y:y+h, x:x+w], (H, W), region, window=5)
    >>> np.array_equal(tile, enh_lee.filter(img, window=5)[200:232, 100:164])
    True
    """
    p = _params(window=window, looks=looks, damping=damping, signal=signal,
                statistic=statistic, border=border, nodata=nodata, cu=cu, cmax=cmax,
                threads=threads)
    rh, rw, r = _region_arg(raster_shape, region)
    s = _source_window(rh, rw, r, p)
    want = (s.height, s.width)
    shape = np.shape(src)
    if len(shape) != 2:
        raise ValueError(f"src must be a 2-D array (rows, columns), got shape {shape}")
    if tuple(shape) != want:
        raise ValueError(
            f"src has shape {tuple(shape)}, but region {tuple(r)} of a raster of shape "
            f"{(rh, rw)} needs the source window {tuple(s)} (x_off, y_off, width, "
            f"height), i.e. shape {want}; see enh_lee.source_window()"
        )
    if out is not None:
        _check_in_place(src, out, "src")
        dst_stride = _check_out(out, (r.height, r.width))
    a, src_stride = _as_image(src, "src")
    if out is None:
        out = np.empty((r.height, r.width), dtype=np.float32)
        dst_stride = _row_stride(out)
    status = _lib.lib.enh_lee_f32_region(
        _ptr(a), src_stride, _ptr(out), dst_stride, rw, rh,
        r.x_off, r.y_off, r.width, r.height, ctypes.byref(p), None, 0,
    )
    _raise_for(status, _detail(status, p) or f"raster_shape={(rh, rw)}, region={tuple(r)}")
    return out
