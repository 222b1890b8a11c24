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

import builtins
import ctypes
import inspect
import numbers
import operator
from collections import namedtuple

import numpy as np

from . import _lib
from ._lib import ABI_VERSION, EnhLeeParams, Params, library_path, status_message

__version__ = "0.5.0"

__all__ = [
    "filter",
    "filter_region",
    "source_window",
    "point_threshold",
    "point_threshold_state",
    "estimate_looks",
    "looks_state",
    "LooksSearch",
    "quality_report",
    "detect",
    "ThresholdSearch",
    "halo",
    "scratch_size",
    "version",
    "default_params",
    "status_message",
    "Region",
    "EnhLeeParams",
    "Params",
    "EnhLeeError",
    "InvalidArgumentError",
    "EnhLeeMemoryError",
    "EnhLeeRuntimeError",
    "describe",
    "Parameter",
    "PARAMETERS",
    "FILTERS",
    "SIGNALS",
    "STATISTICS",
    "BORDERS",
    "ABI_VERSION",
    "library_path",
]

#: One parameter of the library's vocabulary (enh_lee_param_info): ``kind``
#: is ``"integer"``, ``"real"`` or ``"choice"``; ``default`` is the Python
#: value (None: unset, i.e. derived or none); ``filters`` are the filters
#: that use it.
Parameter = namedtuple("Parameter", ["name", "kind", "optional", "default", "choices",
                                     "minimum", "maximum", "filters", "advanced",
                                     "description"])

_KINDS = {_lib.ENH_LEE_KIND_INTEGER: "integer", _lib.ENH_LEE_KIND_REAL: "real",
          _lib.ENH_LEE_KIND_CHOICE: "choice"}


def _vocabulary():
    """The library's parameters, in its order (enh_lee_param_info)."""
    params = []
    for i in range(_lib.lib.enh_lee_param_count()):
        info = _lib.EnhLeeParamInfo()
        status = _lib.lib.enh_lee_param_info(i, ctypes.byref(info))
        if status != _lib.ENH_LEE_OK:
            raise ImportError(f"enh_lee: enh_lee_param_info({i}) failed: {status_message(status)}")
        kind = _KINDS[info.kind]
        text = info.default_value.decode()
        default = (None if text == "" else int(text) if kind == "integer"
                   else float(text) if kind == "real" else text)
        split = lambda b: tuple(n for n in b.decode().split(",") if n)  # noqa: E731
        params.append(Parameter(
            name=info.name.decode(), kind=kind, optional=bool(info.optional), default=default,
            choices=split(info.choices), minimum=info.minimum, maximum=info.maximum,
            filters=split(info.filters), advanced=bool(info.advanced),
            description=info.description.decode()))
    return tuple(params)


#: Every parameter the library has, in its order: the keywords of
#: :func:`filter`, :func:`filter_region`, :func:`halo`, ... (and the GDAL
#: open options and QGIS parameters, all derived from the same list).
PARAMETERS = _vocabulary()
_BY_NAME = {p.name: p for p in PARAMETERS}
#: Names accepted for ``filter``, the default first.
FILTERS = _BY_NAME["filter"].choices
#: Names accepted for ``signal``.
SIGNALS = _BY_NAME["signal"].choices
#: Names accepted for ``statistic``.
STATISTICS = _BY_NAME["statistic"].choices
#: Names accepted for ``border``.
BORDERS = _BY_NAME["border"].choices
#: Side of the square blocks the looks are measured on (:class:`LooksSearch`
#: pieces must not cut them).
LOOKS_BLOCK = _lib.ENH_LEE_LOOKS_BLOCK

#: A rectangle of a raster in GDAL order: column and row of its top-left
#: pixel, then its width and height (all in pixels).
Region = namedtuple("Region", ["x_off", "y_off", "width", "height"])

_F32 = np.dtype(np.float32)


# --------------------------------------------------------------------------
# Errors


class EnhLeeError(Exception):
    """An error reported by libenh_lee. ``status`` is the C status code,
    ``name`` its constant (e.g. ``"ENH_LEE_ERROR_INVALID_WINDOW"``); the message
    starts with the library's own sentence (enh_lee_status_message)."""

    def __init__(self, status, detail="", sentence=None):
        self.status = int(status)
        self.name = _lib.STATUS_NAMES.get(self.status, f"status {self.status}")
        msg = sentence or status_message(self.status)
        super().__init__(f"{msg} ({detail})" if detail else msg)


class InvalidArgumentError(EnhLeeError, ValueError):
    """A bad argument: parameters, sizes, strides, overlap, region."""


class EnhLeeMemoryError(EnhLeeError, MemoryError):
    """The library could not allocate its scratch buffer."""


class EnhLeeRuntimeError(EnhLeeError, RuntimeError):
    """The worker threads could not start, or a bug in the library."""


def _raise_for(status, detail="", params=None):
    """Raises the error of `status`; with the `params` of the call, its
    sentence is the library's explanation for them (a filter's own rule,
    enh_lee_params_explain)."""
    if status == _lib.ENH_LEE_OK:
        return
    if status == _lib.ENH_LEE_ERROR_OUT_OF_MEMORY:
        raise EnhLeeMemoryError(status, detail)
    if status in (_lib.ENH_LEE_ERROR_THREAD_POOL, _lib.ENH_LEE_ERROR_INTERNAL) or (
        status not in _lib.STATUS_NAMES
    ):
        raise EnhLeeRuntimeError(status, detail)
    sentence = _explain(status, params) if params is not None else None
    raise InvalidArgumentError(status, detail, sentence)


def _explain(status, p):
    """What `status` means for parameters `p` (enh_lee_params_explain)."""
    buf = ctypes.create_string_buffer(512)
    n = ctypes.c_size_t()
    if _lib.lib.enh_lee_params_explain(p, int(status), buf, len(buf),
                                       ctypes.byref(n)) != _lib.ENH_LEE_OK:
        return None
    return buf.value.decode("utf-8", "replace")



# --------------------------------------------------------------------------
# Parameters


def _int_arg(name, value):
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, not bool")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _text_of(spec, value):
    """A Python value as the text enh_lee_params_set reads. Types are
    checked here (a typo never becomes a silent default); values are judged
    by the library."""
    name = spec.name
    if value is None and spec.optional:
        return ""
    if isinstance(value, str) and "\x00" in value:
        # The C ABI reads text up to its first NUL: "lee\x00x" would be "lee".
        raise ValueError(f"{name} must not contain NUL characters, got {value!r}")
    if spec.kind == "integer":
        return str(_int_arg(name, value))
    if spec.kind == "real":
        if isinstance(value, str) and spec.optional and not _is_number(value):
            return value  # a word, e.g. looks="auto": if the library knows it
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            none = " or None" if spec.optional else ""
            raise TypeError(f"{name} must be a real number{none}, got {type(value).__name__}")
        return repr(float(value))  # reads back as the same double
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {', '.join(spec.choices)}; "
                        f"got {value!r}")
    return value


def _params_from_text(texts):
    """Keywords for :func:`filter` from text values (command-line options,
    GDAL ``PixelFunctionArguments``), each read by its kind in the
    vocabulary: an optional one may be ``""`` or ``none``; a real one may be
    a word the library knows (``looks="auto"``). Unknown names and malformed
    numbers raise ValueError; the values themselves are judged by the
    library."""
    params = {}
    for key, text in texts.items():
        name, text = key.lower(), text.strip()
        spec = _BY_NAME.get(name)
        if spec is None:
            raise ValueError(f"unknown parameter {key!r}; the parameters are "
                             f"{', '.join(_BY_NAME)}")
        if spec.optional and text.lower() in ("", "none"):
            params[name] = None
        elif spec.kind == "choice":
            params[name] = text.lower()
        elif spec.kind == "integer":
            try:
                params[name] = int(text)
            except ValueError:
                raise ValueError(f"{name}={text!r} is not an integer") from None
        elif _is_number(text):
            params[name] = float(text)
        else:
            word = text.lower()
            try:  # a word the library knows where a number belongs (looks=auto)?
                _params(**{name: word})
            except (TypeError, ValueError):
                raise ValueError(f"{name}={text!r} is not a number") from None
            params[name] = word
    return params


def _params(**kwargs):
    """A parameters object (:class:`Params`) from the library's defaults and
    these keywords, each set by name through the library
    (enh_lee_params_set), which checks it."""
    p = _lib.Params()
    for name, value in kwargs.items():
        spec = _BY_NAME.get(name)
        if spec is None:
            raise TypeError(f"unexpected keyword argument {name!r}; the parameters are "
                            f"{', '.join(_BY_NAME)}")
        status = _lib.lib.enh_lee_params_set(p, name.encode(),
                                             _text_of(spec, value).encode())
        if status != _lib.ENH_LEE_OK and spec.kind == "real" and isinstance(value, str):
            # A word the library does not know where a number belongs.
            raise TypeError(f"{name} must be a real number or None, got {value!r}")
        _raise_for(status, f"{name}={value!r}")
    return p


def _get(p, name):
    """Parameter `name` of `p` as the library writes it (enh_lee_params_get)."""
    buf = ctypes.create_string_buffer(64)
    n = ctypes.c_size_t()
    status = _lib.lib.enh_lee_params_get(p, name.encode(), buf, len(buf),
                                         ctypes.byref(n))
    _raise_for(status, name)
    return buf.value.decode()


def _detail(status, p):
    """The parameters a status is about, with their values: ``window=4``."""
    names = _lib.lib.enh_lee_status_parameter(int(status)).decode()
    shown = []
    for name in builtins.filter(None, names.split(", ")):
        value = _get(p, name)
        shown.append(f"{name}={value}" if value else f"{name} derived")
    return ", ".join(shown)


def describe(**params):
    """The parameters these keywords give, every one, as text the library
    reads back exactly: ``{"filter": "enhanced_lee", "window": "7", ...}``
    (``""`` for an unset optional one). For provenance records."""
    p = _params(**params)
    return {spec.name: _get(p, spec.name) for spec in PARAMETERS}


def _provenance(params):
    """Provenance text: every parameter that is set and that the filter
    uses, as the library writes it, and the library's version."""
    values = describe(**params)
    applies = {p.name for p in PARAMETERS if values["filter"] in p.filters}
    shown = ", ".join(f"{k}={v}" for k, v in values.items()
                      if v and k != "threads" and k in applies)
    return f"Speckle filter ({shown}; libenh_lee {version()})"


def _halo_of(p):
    n = ctypes.c_size_t()
    status = _lib.lib.enh_lee_halo(p, ctypes.byref(n))
    _raise_for(status, _detail(status, p), p)
    return n.value


def default_params():
    """A new parameters object with the library's defaults
    (enh_lee_params_new), to pass to the C functions of ``_lib.lib``."""
    return _lib.Params()


def version():
    """The loaded library's version string, e.g. ``"0.1.0"``."""
    return _lib.library_version


def halo(**params):
    """Pixels of context a region needs on each side (enh_lee_halo).

    ``(window - 1) // 2`` for the ``window`` statistic, ``window - 1`` for
    ``residual``. Accepts every keyword of :func:`filter` (all validated by
    the library), so the same ``**params`` dict can be passed around.

    >>> enh_lee.halo(window=7), enh_lee.halo(window=7, statistic="residual")
    (3, 6)
    """
    return _halo_of(_params(**params))


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
    status = _lib.lib.enh_lee_scratch_size(width, height, p, ctypes.byref(n))
    _raise_for(status, _detail(status, p) or f"shape={(height, width)}", p)
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


def _as_image(image, p, name="image"):
    """(array, stride): `image` itself when usable as is, else a C-contiguous
    float32 copy; a complex image becomes its intensity or amplitude (the
    parameters `p`'s signal), computed by the library (:func:`detect`)."""
    a = image if isinstance(image, np.ndarray) else np.asarray(image)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows, columns), got shape {a.shape}")
    if isinstance(a, np.ma.MaskedArray):
        return _unmasked(a, p)
    if a.dtype.kind == "c":
        a = _detected(a, p)
        return a, _row_stride(a)
    if a.dtype.kind not in "fiu":
        raise TypeError(
            f"{name} must hold real or complex numbers, got dtype {a.dtype}"
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


def _unmasked(a, p):
    """(array, stride) of a numpy.ma masked array: a float32 copy of its data
    (detected, if complex) with NaN at its masked pixels, which every filter
    copies unchanged and leaves out of every statistic, as nodata."""
    mask = np.ma.getmaskarray(a)
    data = np.ma.getdata(a)
    if data.dtype.kind == "c":
        data = _detected(data, p)
    elif data.dtype.kind not in "fiu":
        raise TypeError(f"image must hold real or complex numbers, got dtype {data.dtype}")
    else:
        data = np.array(data, dtype=np.float32, order="C")
    data[mask] = np.nan
    return data, _row_stride(data)


def _detected(z, p):
    """The float32 intensity or amplitude (`p`'s signal) of the complex
    2-D array `z` (enh_lee_detect_cf32); complex128 is first rounded to
    complex64, as GDAL reads CFloat64 as CFloat32."""
    z = np.require(z, np.complex64, ["C_CONTIGUOUS", "ALIGNED"])
    height, width = z.shape
    out = np.empty((height, width), dtype=np.float32)
    status = _lib.lib.enh_lee_detect_cf32(
        _ptr(z), z.strides[0], _ptr(out),
        _row_stride(out), width, height, p)
    _raise_for(status, _detail(status, p) or f"image shape {z.shape}", p)
    return out


def detect(image, **params):
    """The intensity ``|z|^2`` (``signal="intensity"``, the default) or
    amplitude ``|z|`` (``signal="amplitude"``) of a complex 2-D array, as
    float32 (enh_lee_detect_cf32): the values every function here filters
    when given complex data, e.g. a Sentinel-1 SLC burst. Computed in
    float64 and rounded once, the same bits as the GDAL and QGIS front
    ends. Accepts every keyword of :func:`filter`; only ``signal`` changes
    the result.

    >>> z = np.array([[3 + 4j, 1j]], dtype=np.complex64)
    >>> enh_lee.detect(z), enh_lee.detect(z, signal="amplitude")
    (array([[25.,  1.]], dtype=float32), array([[5., 1.]], dtype=float32))
    """
    a = image if isinstance(image, np.ndarray) else np.asarray(image)
    if a.ndim != 2 or a.dtype.kind != "c":
        raise TypeError(f"image must be a 2-D complex array, got dtype {a.dtype} "
                        f"and shape {a.shape}")
    p = _params(**params)
    _halo_of(p)
    return _detected(a, p)


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


def filter(image, *, out=None, **params):
    """Speckle filter of a 2-D image (enh_lee_f32); returns float32.

    Every keyword but `out` is a parameter of the library (:data:`PARAMETERS`,
    listed below), checked by the library; ``filter="lee"`` picks the filter.

    Parameters
    ----------
    image : 2-D array_like of real or complex numbers
        Complex data (e.g. a Sentinel-1 SLC burst) is filtered as its
        intensity ``|z|^2``, or its amplitude ``|z|`` with
        ``signal="amplitude"`` (see :func:`detect`). Real data is used without a copy when it is a native float32 ndarray whose pixels
        are contiguous within each row (``strides[1] == 4``; ``strides[0]``
        a positive multiple of 4, at least ``4 * width``, e.g. a row or
        column slice of a bigger array): its row stride is passed through.
        Anything else (float64, integers, transposed, Fortran order, slices
        with steps, big-endian, lists) is first converted to a C-contiguous
        float32 copy. The result is float32 in every case. A ``numpy.ma``
        masked array's masked pixels are nodata: copied unchanged (as NaN)
        and left out of every statistic; the result is then a masked array
        with the same mask (unless ``out`` is given).
    {parameters}
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
    p = _params(**params)
    _halo_of(p)  # the library validates the parameters before any allocation
    if out is not None:
        _check_in_place(image, out, "image")
        shape = np.shape(image)
        if len(shape) != 2:
            raise ValueError(f"image must be a 2-D array (rows, columns), got shape {shape}")
        dst_stride = _check_out(out, shape)
    src, src_stride = _as_image(image, p)
    height, width = src.shape
    masked = out is None and isinstance(image, np.ma.MaskedArray)
    if out is None:
        out = np.empty((height, width), dtype=np.float32)
        dst_stride = _row_stride(out)
    status = _lib.lib.enh_lee_f32(
        _ptr(src), src_stride, _ptr(out), dst_stride, width, height,
        p, None, 0,
    )
    _raise_for(status, _detail(status, p) or f"image shape {src.shape}", p)
    if masked:
        return np.ma.MaskedArray(out, mask=np.ma.getmaskarray(image).copy())
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
    """The library's source region of region `r` (enh_lee_source_region)."""
    detail = f"raster_shape={(rh, rw)}, region={tuple(r)}"
    if min(rh, rw, *r) < 0:
        raise InvalidArgumentError(_lib.ENH_LEE_ERROR_INVALID_REGION, detail)
    out = _lib.EnhLeeRegion()
    status = _lib.lib.enh_lee_source_region(rw, rh, ctypes.byref(_lib.EnhLeeRegion(*r)),
                                            p, ctypes.byref(out))
    _raise_for(status, _detail(status, p) or detail, p)
    return Region(out.x_off, out.y_off, out.width, out.height)


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


def filter_region(src, raster_shape, region, *, out=None, **params):
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
    p = _params(**params)
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
    a, src_stride = _as_image(src, p, "src")
    if out is None:
        out = np.empty((r.height, r.width), dtype=np.float32)
        dst_stride = _row_stride(out)
    status = _lib.lib.enh_lee_f32_region(
        _ptr(a), src_stride, _ptr(out), dst_stride, rw, rh,
        r.x_off, r.y_off, r.width, r.height, p, None, 0,
    )
    _raise_for(status, _detail(status, p) or f"raster_shape={(rh, rw)}, region={tuple(r)}", p)
    return out


# --------------------------------------------------------------------------
# Lee Sigma's point threshold


def point_threshold(image, **params):
    """Lee Sigma's point threshold of a whole raster in memory
    (enh_lee_point_threshold_f32): the 98th percentile of its valid pixels
    (finite, not ``nodata``), ``inf`` if none is valid.

    :func:`filter` computes it itself for a whole image; pass it as
    ``point_threshold=`` to :func:`filter_region` (and to each strip, tile
    or chunk) so that the pieces give the whole image's result. For a
    raster that is not in memory, see :class:`ThresholdSearch`. Accepts
    every keyword of :func:`filter`; only ``nodata`` and ``threads`` change
    the result.

    >>> t = enh_lee.point_threshold(img, filter="lee_sigma")
    >>> tile = enh_lee.filter_region(src, (H, W), region, filter="lee_sigma",
    ...                              point_threshold=t)       # doctest: +SKIP
    """
    return _whole_raster_statistic(_lib.lib.enh_lee_point_threshold_f32, image, params)


def _whole_raster_statistic(function, image, params):
    """`function`'s value (an enh_lee_*_f32 that writes one double) of a
    whole raster in memory, its parameters validated first."""
    p = _params(**params)
    _halo_of(p)
    src, stride = _as_image(image, p)
    height, width = src.shape
    value = ctypes.c_double()
    status = function(_ptr(src), stride, width, height, p, ctypes.byref(value))
    _raise_for(status, _detail(status, p) or f"image shape {src.shape}", p)
    return value.value


def estimate_looks(image, **params):
    """The equivalent number of looks of a whole raster in memory
    (enh_lee_estimate_looks_f32), from its most homogeneous 16x16 blocks of
    valid pixels (docs/filters.md, "Estimating the looks"): deterministic,
    the same on every thread count. Pass it as ``looks=``. ``signal``
    (intensity or amplitude data) and ``nodata`` matter; every keyword of
    :func:`filter` is accepted and validated. Raises
    :class:`InvalidArgumentError` where no block can be measured (too small,
    every block invalid or flat).

    >>> L = enh_lee.estimate_looks(img, nodata=0)
    >>> out = enh_lee.filter(img, looks=L, nodata=0)       # doctest: +SKIP
    """
    return _whole_raster_statistic(_lib.lib.enh_lee_estimate_looks_f32, image, params)


_STATES = {_lib.ENH_LEE_WHOLE_RASTER_UNUSED: "unused", _lib.ENH_LEE_WHOLE_RASTER_NEEDED: "needed",
           _lib.ENH_LEE_WHOLE_RASTER_GIVEN: "given"}


def _state(function, params):
    p = _params(**params)
    state = ctypes.c_uint32()
    status = function(p, ctypes.byref(state))
    _raise_for(status, _detail(status, p), p)
    return _STATES[state.value]


def _report_dict(r):
    return {name: getattr(r, name) for name, _ in _lib.EnhLeeQualityReport._fields_}


def quality_report(image, filtered, **params):
    """What a filter did to a raster in memory (enh_lee_quality_report_f32;
    docs/filters.md, "Quality report"), as a dict:

    - ``looks_before``: the input's equivalent number of looks on its most
      homogeneous 16x16 blocks (:func:`estimate_looks`);
    - ``looks_after``: the filtered image's on the same blocks (``inf``
      where they came out flat);
    - ``ratio_mean``, ``ratio_std``: mean and standard deviation of the
      ratio image ``image / filtered`` (1 and about ``sqrt(1/L)`` for a
      filter that removes only speckle);
    - ``blocks``, ``pixels``: how many blocks and ratio pixels were measured.

    ``signal`` and ``nodata`` matter (give the keywords of the filtering
    call); complex images are detected first.

    >>> out = enh_lee.filter(img, looks=4)
    >>> r = enh_lee.quality_report(img, out)
    >>> sorted(r)
    ['blocks', 'looks_after', 'looks_before', 'pixels', 'ratio_mean', 'ratio_std']
    """
    p = _params(**params)
    _halo_of(p)
    src, src_stride = _as_image(image, p)
    after, after_stride = _as_image(filtered, p, "filtered")
    if src.shape != after.shape:
        raise ValueError(f"filtered has shape {after.shape}, the image {src.shape}")
    height, width = src.shape
    report = _lib.EnhLeeQualityReport()
    status = _lib.lib.enh_lee_quality_report_f32(
        _ptr(src), src_stride, _ptr(after), after_stride, width, height, p,
        ctypes.byref(report))
    _raise_for(status, _detail(status, p) or f"image shape {src.shape}", p)
    return _report_dict(report)


def point_threshold_state(**params):
    """Whether these :func:`filter` keywords need a statistic of the whole
    raster, Lee Sigma's point threshold (enh_lee_point_threshold_state):
    ``"unused"`` (the filter has none), ``"needed"`` (it is not given: a
    whole-image :func:`filter` computes it; to filter a raster in pieces,
    compute it first with :func:`point_threshold` or
    :class:`ThresholdSearch` and pass it) or ``"given"``. Front ends ask
    this rather than naming filters.

    >>> enh_lee.point_threshold_state(filter="lee"), enh_lee.point_threshold_state(filter="lee_sigma")
    ('unused', 'needed')
    """
    return _state(_lib.lib.enh_lee_point_threshold_state, params)


def looks_state(**params):
    """Whether these :func:`filter` keywords use the looks and whether they
    are given (enh_lee_looks_state): ``"unused"`` (Frost, Refined Lee, or
    ``cu`` and ``cmax`` given), ``"needed"`` (``looks="auto"``: a
    whole-image :func:`filter` estimates them; to filter a raster in
    pieces, estimate them first with :func:`estimate_looks` or
    :class:`LooksSearch` and pass them) or ``"given"``.

    >>> enh_lee.looks_state(looks="auto"), enh_lee.looks_state(filter="frost", looks="auto")
    ('needed', 'unused')
    """
    return _state(_lib.lib.enh_lee_looks_state, params)


class _Search:
    """A whole-raster value found by counting passes over the pieces of a
    raster into a table of ENH_LEE_THRESHOLD_BINS counts (bounded memory):
    the common part of :class:`ThresholdSearch` and :class:`LooksSearch`.
    Pickles as plain data (where the search stands, not the table being
    counted), for copies and Dask workers."""

    _new = _count = _step = None  # the enh_lee_*_search_* functions
    _struct = None

    def __init__(self, **params):
        self._kwargs = dict(params)
        self._p = _params(**params)
        _halo_of(self._p)
        self._search = self._new()
        self._table = np.zeros(_lib.ENH_LEE_THRESHOLD_BINS, dtype=np.uint64)
        self._value = None

    def __getstate__(self):
        return {"params": self._kwargs, "search": bytes(self._search), "value": self._value}

    def __setstate__(self, state):
        # Where the search stands, on a search that the subclass's
        # __setstate__ has just made from the same parameters.
        self._search = self._struct.from_buffer_copy(state["search"])
        self._value = state["value"]

    @property
    def done(self):
        """Whether the search has found its value."""
        return self._value is not None

    def _counted(self, piece, where):
        table = np.zeros(_lib.ENH_LEE_THRESHOLD_BINS, dtype=np.uint64)
        src, stride = _as_image(piece, self._p, "piece")
        height, width = src.shape
        status = self._count(ctypes.byref(self._search), _ptr(src), stride, *where(width, height),
                             self._p, _ptr(table))
        _raise_for(status, _detail(status, self._p) or f"piece shape {src.shape}", self._p)
        return table

    def step(self, counts=None):
        """Ends the pass with ``counts`` (the whole raster's table; default:
        what :meth:`count` added). Returns the value when done, else None
        (count another pass)."""
        table = self._table if counts is None else np.ascontiguousarray(counts, np.uint64)
        if table.shape != (_lib.ENH_LEE_THRESHOLD_BINS,):
            raise ValueError(f"counts must have {_lib.ENH_LEE_THRESHOLD_BINS} entries, "
                             f"got shape {table.shape}")
        value = ctypes.c_double()
        done = ctypes.c_uint32()
        status = self._step(ctypes.byref(self._search), _ptr(table), ctypes.byref(value),
                            ctypes.byref(done))
        _raise_for(status, "the search")
        self._table[:] = 0
        if done.value:
            self._value = value.value
        return self._value


class ThresholdSearch(_Search):
    """Lee Sigma's point threshold of a raster read in pieces (strips,
    tiles, Dask chunks: any sizes, any order), exact and in bounded memory
    (a table of 65536 counts): the library's two counting passes.

    ::

        search = enh_lee.ThresholdSearch(nodata=0)
        while not search.done:
            for piece in pieces_of_the_raster():   # every pixel once per pass
                search.count(piece)
            search.step()
        t = search.threshold                       # == point_threshold(whole)

    :meth:`counts` gives one piece's table instead (to count pieces
    elsewhere, e.g. in Dask workers); pass their sum to :meth:`step`. The
    keywords are :func:`filter`'s; only ``nodata`` and ``threads`` matter.
    """

    _struct = _lib.EnhLeeThresholdSearch

    def __init__(self, **params):
        self._new = _lib.lib.enh_lee_threshold_search_new
        self._count = _lib.lib.enh_lee_threshold_search_count_f32
        self._step = _lib.lib.enh_lee_threshold_search_step
        super().__init__(**params)

    def __setstate__(self, state):
        self.__init__(**state["params"])
        super().__setstate__(state)

    @property
    def threshold(self):
        """The threshold once :attr:`done`, else None."""
        return self._value

    def counts(self, piece):
        """The count table of one piece for the current pass (a new array)."""
        return self._counted(piece, lambda w, h: (w, h))

    def count(self, piece):
        """Adds one piece to this pass's table."""
        self._table += self.counts(piece)


class LooksSearch(_Search):
    """The looks of a raster read in pieces, bit for bit
    :func:`estimate_looks` of the whole raster, in bounded memory: the
    library's three counting passes (docs/filters.md, "Estimating the
    looks"). Pieces are placed by their offset ``(x_off, y_off)`` in the
    raster and must not cut its 16x16 blocks: offsets that are multiples of
    16, and sides that are too except at the raster's right and bottom
    edges (strips of 16k rows do).

    ::

        search = enh_lee.LooksSearch((H, W), nodata=0)
        while not search.done:
            for y in range(0, H, 1024):                  # every block once per pass
                search.count(read_rows(y, 1024), (0, y))
            search.step()
        looks = search.looks                             # == estimate_looks(whole)

    The keywords are :func:`filter`'s; ``nodata``, ``signal`` and
    ``threads`` matter.
    """

    _struct = _lib.EnhLeeLooksSearch

    def __init__(self, raster_shape, **params):
        self._shape = tuple(int(v) for v in raster_shape)
        if len(self._shape) != 2:
            raise ValueError(f"raster_shape must be (height, width), got {raster_shape!r}")
        self._new = _lib.lib.enh_lee_looks_search_new
        self._count = _lib.lib.enh_lee_looks_search_count_f32
        self._step = self._step_with_params
        super().__init__(**params)

    def _step_with_params(self, search, table, value, done):
        return _lib.lib.enh_lee_looks_search_step(search, table, self._p, value,
                                                  done)

    def __getstate__(self):
        return dict(super().__getstate__(), shape=self._shape)

    def __setstate__(self, state):
        self.__init__(state["shape"], **state["params"])
        super().__setstate__(state)

    @property
    def looks(self):
        """The looks once :attr:`done`, else None."""
        return self._value

    def counts(self, piece, offset):
        """The count table of one piece, whose top left pixel is ``offset =
        (x_off, y_off)`` of the raster, for the current pass (a new array)."""
        x_off, y_off = (_int_arg("offset", v) for v in offset)
        if x_off < 0 or y_off < 0:
            raise ValueError(f"offset must not be negative, got {offset!r}")
        h, w = self._shape
        return self._counted(piece, lambda pw, ph: (w, h, x_off, y_off, pw, ph))

    def count(self, piece, offset):
        """Adds one piece to this pass's table."""
        self._table += self.counts(piece, offset)

    @property
    def ranked(self):
        """Whether the homogeneous blocks are found (after two passes), so
        that :meth:`report_counts` can count."""
        return getattr(self._search, "pass") >= 2

    def report_counts(self, piece, filtered, offset):
        """The quality report's table of one piece of the raster and the
        same piece of its filtered image (pieces as :meth:`counts`), once
        :attr:`ranked`; pass the sum over the whole raster to
        :meth:`report`."""
        x_off, y_off = (_int_arg("offset", v) for v in offset)
        src, src_stride = _as_image(piece, self._p, "piece")
        after, after_stride = _as_image(filtered, self._p, "filtered")
        if src.shape != after.shape:
            raise ValueError(f"filtered has shape {after.shape}, the piece {src.shape}")
        height, width = src.shape
        h, w = self._shape
        table = np.zeros(_lib.ENH_LEE_THRESHOLD_BINS, dtype=np.uint64)
        status = _lib.lib.enh_lee_report_count_f32(
            ctypes.byref(self._search), _ptr(src), src_stride, _ptr(after), after_stride, w, h,
            x_off, y_off, width, height, self._p, _ptr(table))
        _raise_for(status, _detail(status, self._p) or f"piece shape {src.shape}", self._p)
        return table

    def report(self, counts):
        """The quality report (a dict, as :func:`quality_report`) of the
        whole raster's summed :meth:`report_counts`."""
        table = np.ascontiguousarray(counts, np.uint64)
        if table.shape != (_lib.ENH_LEE_THRESHOLD_BINS,):
            raise ValueError(f"counts must have {_lib.ENH_LEE_THRESHOLD_BINS} entries, "
                             f"got shape {table.shape}")
        report = _lib.EnhLeeQualityReport()
        status = _lib.lib.enh_lee_report_finish(_ptr(table), self._p,
                                                ctypes.byref(report))
        _raise_for(status, "the report")
        return _report_dict(report)


def _whole_raster_values(bands, raster_shape, read_rows, report=False, progress=None,
                         rows=None):
    """For a raster read in strips of rows, never whole: completes each
    band's keywords (``bands``, one dict per band, changed in place) with the
    whole-raster values they leave to be computed, the looks (``"auto"``:
    :class:`LooksSearch`) and Lee Sigma's point threshold
    (:class:`ThresholdSearch`), bit for bit those of the whole band.
    ``read_rows(y, h)`` returns rows ``[y, y + h)`` of every band, shape
    ``(bands, h, width)``; the strips' heights are multiples of the looks'
    blocks. With ``report``, returns per band a :class:`LooksSearch` that
    has found the homogeneous blocks (:attr:`LooksSearch.ranked`, for
    :meth:`LooksSearch.report_counts`), else None. ``progress()`` is called
    after each strip read; ``rows`` (a multiple of the looks' blocks) is
    the strips' height, default :func:`_search_rows`."""
    H, W = raster_shape
    looks = [report or looks_state(**b) == "needed" for b in bands]
    thresholds = [point_threshold_state(**b) == "needed" for b in bands]
    searches = []
    for b, params in enumerate(bands):
        keep = {k: v for k, v in params.items() if k not in ("looks", "point_threshold")}
        for wanted, new in ((looks[b], lambda: LooksSearch((H, W), **params)),
                            (thresholds[b], lambda: ThresholdSearch(**keep))):
            if wanted:
                searches.append((b, new()))
    rows = rows or _search_rows(W, len(bands))

    def finished(b, search):
        if not isinstance(search, LooksSearch):
            return search.done
        return search.done if looks_state(**bands[b]) == "needed" else search.ranked

    while not all(finished(b, s) for b, s in searches):
        for y in range(0, H, rows):
            strip = read_rows(y, min(rows, H - y))
            for b, search in searches:
                if finished(b, search):
                    continue
                if isinstance(search, LooksSearch):
                    search.count(strip[b], (0, y))
                else:
                    search.count(strip[b])
            if progress:
                progress()
        for b, search in searches:
            if not finished(b, search):
                search.step()
    ranked = [None] * len(bands)
    for b, search in searches:
        if isinstance(search, LooksSearch):
            ranked[b] = search
            if search.done:
                bands[b]["looks"] = search.looks
        else:
            bands[b]["point_threshold"] = search.threshold
    return ranked if report else None


def _search_rows(width, count):
    """Rows of the strips :func:`_whole_raster_values` reads: about 16 MiB of
    float32 pixels of `count` bands, a multiple of the looks' blocks."""
    rows = (16 << 20) // (4 * max(1, width) * max(1, count))
    return max(LOOKS_BLOCK, rows // LOOKS_BLOCK * LOOKS_BLOCK)


def _whole_raster_passes(bands, report=False):
    """How many times :func:`_whole_raster_values` reads the raster."""
    passes = 0
    for params in bands:
        if looks_state(**params) == "needed":
            passes = max(passes, 3)
        elif report:
            passes = max(passes, 2)
        if point_threshold_state(**params) == "needed":
            passes = max(passes, 2)
    return passes


# --------------------------------------------------------------------------
# Keywords from the vocabulary


def _parameter_docs(defaults):
    """The keyword section of the docstrings, from the library's list."""
    out = []
    for spec in PARAMETERS:
        kind = {"integer": "int", "real": "float", "choice": "str"}[spec.kind]
        if spec.optional:
            kind += " or None"
        if spec.choices:
            kind = "{" + ", ".join(repr(c) for c in spec.choices) + "}"
        used = "" if len(spec.filters) == len(FILTERS) else (
            f" Used by: {', '.join(spec.filters)}.")
        default = defaults.get(spec.name, spec.default)
        out.append(f"    {spec.name} : {kind}, default {default!r}\n"
                   f"        {spec.description}.{used}")
    return "\n".join(out)


def _with_parameters(fn, fixed, defaults=None):
    """Gives `fn` the library's parameters as keyword-only arguments in its
    signature (for help() and editors) and its docstring; `defaults`
    overrides the library's default of some (enh_lee.dask's threads)."""
    defaults = defaults or {}
    sig = inspect.signature(fn)
    kept = [p for p in sig.parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD]
    kept += [inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY,
                               default=defaults.get(spec.name, spec.default))
             for spec in PARAMETERS if spec.name not in fixed]
    fn.__signature__ = sig.replace(parameters=kept)
    fn.__doc__ = fn.__doc__.replace("    {parameters}", _parameter_docs(defaults))
    return fn


for _fn in (filter, filter_region, halo, scratch_size, source_window, describe,
            point_threshold, detect):
    _with_parameters(_fn, ())
del _fn

# da.enh_lee.filter(...) for xarray users, registered when xarray is
# imported (now, or later: importing enh_lee does not import xarray).
from . import _xarray  # noqa: E402

_xarray.install()
