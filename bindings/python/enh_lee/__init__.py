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

Stacks and whole-raster values
------------------------------
A 3-D ``(planes, rows, columns)`` array (bands, dates) is filtered in one
library call, each plane bit for bit as on its own. Values of the whole
raster (``looks="auto"``, Lee Sigma's point threshold, the quality report)
of a raster read in pieces are planned by a :class:`Plan`: count the
pieces while ``plan.tally_len``, ``plan.step(tally)``, then
``plan.filter_region`` every region of every plane.

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
    "estimate_looks",
    "quality_report",
    "detect",
    "Plan",
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


def _strides(a):
    """(row stride, plane stride) in bytes if the library can use `a`, a
    2-D (rows, columns) or 3-D (planes, rows, columns) array, as it is
    (native float32, 4-byte aligned, pixels contiguous within each row,
    rows and planes at positive strides that are multiples of 4, planes
    not sharing bytes); else None."""
    if a.dtype != _F32 or not a.dtype.isnative:
        return None
    height, width = a.shape[-2:]
    planes = a.shape[0] if a.ndim == 3 else 1
    if 0 in a.shape:
        row = 4 * max(width, 1)
        return row, row * max(height, 1)  # the library reports the empty image
    if a.ctypes.data % 4:
        return None
    if width > 1 and a.strides[-1] != 4:
        return None
    row = 4 * width if height == 1 else a.strides[-2]
    if row <= 0 or row % 4 or row < 4 * width:
        return None
    plane = (height - 1) * row + 4 * width
    if planes == 1:
        return row, plane
    s = a.strides[0]
    if s <= 0 or s % 4 or s < plane:
        return None
    return row, s


def _row_stride(a):
    """The row stride in bytes if the library can use `a` as it is; else None."""
    strides = _strides(a)
    return None if strides is None else strides[0]


def _image(a, strides):
    """The library's descriptor (EnhLeeImage) of the float32 array `a`
    (2-D, or 3-D: planes first) with `strides` from :func:`_strides`."""
    height, width = a.shape[-2:]
    planes = a.shape[0] if a.ndim == 3 else 1
    return _lib.EnhLeeImage(a.ctypes.data, _lib.ENH_LEE_ELEMENT_FLOAT32, 0, width, height,
                            strides[0], planes, strides[1])


def _dims(a, name, planes=True):
    if a.ndim != 2 and not (planes and a.ndim == 3):
        what = "a 2-D array (rows, columns)"
        if planes:
            what += " or a 3-D array (planes, rows, columns)"
        raise ValueError(f"{name} must be {what}, got shape {a.shape}")


def _as_image(image, p, name="image", planes=True):
    """(array, strides): `image` itself when usable as is, else a C-contiguous
    float32 copy; a complex image becomes its intensity or amplitude (the
    parameters `p`'s signal), computed by the library (:func:`detect`)."""
    a = image if isinstance(image, np.ndarray) else np.asarray(image)
    _dims(a, name, planes)
    if isinstance(a, np.ma.MaskedArray):
        return _unmasked(a, p)
    if a.dtype.kind == "c":
        a = _detected(a, p)
        return a, _strides(a)
    if a.dtype.kind not in "fiu":
        raise TypeError(
            f"{name} must hold real or complex numbers, got dtype {a.dtype}"
        )
    strides = _strides(a)
    if strides is None:
        # A copy that is native float32, C-contiguous and aligned (an
        # unaligned C-contiguous float32 array needs a copy too).
        a = np.require(a, np.float32, ["C_CONTIGUOUS", "ALIGNED"])
        if _strides(a) is None:
            a = np.array(a, dtype=np.float32, order="C", copy=True)
        strides = _strides(a)
    return a, strides


def _unmasked(a, p):
    """(array, strides) of a numpy.ma masked array: a float32 copy of its
    data (detected, if complex) with NaN at its masked pixels, which every
    filter copies unchanged and leaves out of every statistic, as nodata."""
    mask = np.ma.getmaskarray(a)
    data = np.ma.getdata(a)
    if data.dtype.kind == "c":
        data = _detected(data, p)
    elif data.dtype.kind not in "fiu":
        raise TypeError(f"image must hold real or complex numbers, got dtype {data.dtype}")
    else:
        data = np.array(data, dtype=np.float32, order="C")
    data[mask] = np.nan
    return data, _strides(data)


def _detected(z, p):
    """The float32 intensity or amplitude (`p`'s signal) of the complex
    array `z` (each plane through enh_lee_detect_cf32); complex128 is first
    rounded to complex64, as GDAL reads CFloat64 as CFloat32."""
    z = np.require(z, np.complex64, ["C_CONTIGUOUS", "ALIGNED"])
    out = np.empty(z.shape, dtype=np.float32)
    height, width = z.shape[-2:]
    for idx in np.ndindex(*z.shape[:-2]):
        status = _lib.lib.enh_lee_detect_cf32(
            _ptr(z[idx]), z.strides[-2], _ptr(out[idx]), out.strides[-2], width, height, p)
        _raise_for(status, _detail(status, p) or f"image shape {z.shape}", p)
    return out


def detect(image, **params):
    """The intensity ``|z|^2`` (``signal="intensity"``, the default) or
    amplitude ``|z|`` (``signal="amplitude"``) of a complex 2-D array (or
    3-D: planes first), as float32 (enh_lee_detect_cf32): the values every
    function here filters when given complex data, e.g. a Sentinel-1 SLC
    burst. Computed in float64 and rounded once, the same bits as the GDAL
    and QGIS front ends. Accepts every keyword of :func:`filter`; only
    ``signal`` changes the result.

    >>> z = np.array([[3 + 4j, 1j]], dtype=np.complex64)
    >>> enh_lee.detect(z), enh_lee.detect(z, signal="amplitude")
    (array([[25.,  1.]], dtype=float32), array([[5., 1.]], dtype=float32))
    """
    a = image if isinstance(image, np.ndarray) else np.asarray(image)
    if a.ndim not in (2, 3) or a.dtype.kind != "c":
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
    strides = _strides(out)
    if strides is None:
        raise ValueError(
            "out must be row-contiguous: 4-byte aligned float32 with strides[-1] == 4, "
            "strides[-2] a positive multiple of 4 >= 4*width (and planes that do not "
            f"overlap); got strides {out.strides}"
        )
    return strides


def _check_in_place(image, out, name):
    if out is image and isinstance(image, np.ndarray) and image.ndim in (2, 3):
        if _strides(image) is None:
            raise ValueError(
                f"filtering in place (out={name}) needs {name} to be native float32 with "
                "pixels contiguous within rows (strides[-1] == 4, strides[-2] a positive "
                f"multiple of 4 >= 4*width), 4-byte aligned; got dtype {image.dtype}, "
                f"strides {image.strides}. Use out=None and assign the result instead"
            )


def _ptr(a):
    return a.ctypes.data


def _per_plane(params):
    """(common keywords, {name: per-plane values}): a list or tuple value
    gives each plane its own (``nodata=[0, None, -1]``)."""
    common = {k: v for k, v in params.items() if not isinstance(v, (list, tuple))}
    each = {k: list(v) for k, v in params.items() if isinstance(v, (list, tuple))}
    return common, each


# --------------------------------------------------------------------------
# Filtering


def filter(image, *, out=None, **params):
    """Speckle filter of a 2-D image, or of every plane of a 3-D
    ``(planes, rows, columns)`` stack in one call (enh_lee_filter); returns
    float32.

    Every keyword but `out` is a parameter of the library (:data:`PARAMETERS`,
    listed below), checked by the library; ``filter="lee"`` picks the filter.

    Parameters
    ----------
    image : 2-D or 3-D array_like of real or complex numbers
        A 3-D array is a stack of planes (bands, dates), each filtered as a
        2-D call on it alone would filter it (its own estimated looks and
        point threshold), bit for bit. Complex data (e.g. a Sentinel-1 SLC
        burst) is filtered as its intensity ``|z|^2``, or its amplitude
        ``|z|`` with ``signal="amplitude"`` (see :func:`detect`). Real data
        is used without a copy when it is a native float32 ndarray whose
        pixels are contiguous within each row (``strides[-1] == 4``;
        ``strides[-2]`` a positive multiple of 4, at least ``4 * width``,
        e.g. a row or column slice of a bigger array; planes at a positive
        stride that do not overlap): its strides are passed through.
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

    A list or tuple value for a parameter a plane may have of its own
    (``nodata``, ``looks``, ``point_threshold``) gives each plane of a 3-D
    image its value (``nodata=[0, None, -1]``); the planes are then
    filtered through a :class:`Plan`.

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
        Unknown enum names, an image neither 2-D nor 3-D, a wrong `out`,
        wrong types.

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
    common, each = _per_plane(params)
    if each:
        a = image if isinstance(image, np.ndarray) else np.asarray(image)
        _dims(a, "image")
        planes = a.shape[0] if a.ndim == 3 else 1
        plan = Plan(a.shape[-2:], planes, **params)
        src, _ = _as_image(a, plan._p)
        plan.prepare(lambda: [(src, (0, 0))])
        H, W = a.shape[-2:]
        res = plan.filter_region(src, (0, 0, W, H), out=out)
        if out is None and isinstance(image, np.ma.MaskedArray):
            return np.ma.MaskedArray(res, mask=np.ma.getmaskarray(image).copy())
        return res
    p = _params(**common)
    _halo_of(p)  # the library validates the parameters before any allocation
    if out is not None:
        _check_in_place(image, out, "image")
        shape = np.shape(image)
        if len(shape) not in (2, 3):
            _dims(np.empty(shape), "image")
        dst_strides = _check_out(out, shape)
    src, src_strides = _as_image(image, p)
    masked = out is None and isinstance(image, np.ma.MaskedArray)
    if out is None:
        out = np.empty(src.shape, dtype=np.float32)
        dst_strides = _strides(out)
    status = _lib.lib.enh_lee_filter(p, ctypes.byref(_image(src, src_strides)),
                                     ctypes.byref(_image(out, dst_strides)), None, 0)
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
    common, _ = _per_plane(params)
    return _source_window(rh, rw, r, _params(**common))


def filter_region(src, raster_shape, region, *, out=None, **params):
    """Filters one region of a larger raster, every plane of a 3-D
    ``(planes, rows, columns)`` source in one call (a :class:`Plan` of the
    raster, enh_lee_plan_filter_region).

    Parameters
    ----------
    src : 2-D or 3-D array_like
        The pixels of ``source_window(raster_shape, region, ...)``: the region
        grown by :func:`halo` on every side, clipped to the raster, with shape
        ``(height, width)`` of that window (checked), planes first for a
        stack. Converted like :func:`filter`'s `image`.
    raster_shape : (int, int)
        ``(height, width)`` of the whole raster (numpy order).
    region : (int, int, int, int)
        ``(x_off, y_off, width, height)`` of the region to filter, in pixels
        of the raster (GDAL order: column and row of its top-left pixel,
        then columns and rows).
    window, looks, ..., threads
        As :func:`filter`; borders apply at the raster's edges only. Values
        of the whole raster (``looks="auto"``, Lee Sigma's point threshold)
        cannot be computed from a region: give them, or make a
        :class:`Plan` of the raster, count it, and use
        :meth:`Plan.filter_region`.
    out : ndarray or None
        ``(height, width)`` of the region (planes first for a stack),
        float32, as in :func:`filter`. It may be `src` itself only when the
        region is the whole raster.

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
    shape = np.shape(src)
    if len(shape) not in (2, 3):
        raise ValueError(f"src must be a 2-D array (rows, columns) or a 3-D array (planes, "
                         f"rows, columns), got shape {shape}")
    rh, rw, r = _region_arg(raster_shape, region)
    plan = Plan((rh, rw), shape[0] if len(shape) == 3 else 1, **params)
    if plan.tally_len:
        # The plan needs the whole raster, which is not at hand.
        _raise_for(_lib.ENH_LEE_ERROR_PLAN_STATE, _needed(plan), plan._p)
    return plan.filter_region(src, r, out=out)


def _needed(plan):
    """The parameters a plan computes from the whole raster, for messages."""
    return ("the parameters leave values of the whole raster to compute ("
            + plan.provenance().partition(": ")[2] + "); give them, or count a Plan "
            "of the raster and use Plan.filter_region")


# --------------------------------------------------------------------------
# The plan of a whole raster


def _load_plan(text, params):
    """A :class:`Plan` from :meth:`Plan.save`'s text (unpickling)."""
    return Plan.load(text, **params)


class Plan:
    """The plan of a whole raster of ``planes`` planes of ``raster_shape =
    (height, width)`` pixels, filtered in pieces (strips, tiles, Dask
    chunks) bit for bit as a whole-raster :func:`filter` of each plane
    (``EnhLeePlan``, enh_lee_plan_*).

    Some parameters leave values of the whole raster to compute
    (``looks="auto"``, Lee Sigma's point threshold; ``report=True``
    measures the quality report too). The plan knows which; while
    :attr:`tally_len` is not 0, count every piece of the raster (any
    sizes, any order, offsets multiples of :attr:`alignment`) and step::

        plan = enh_lee.Plan((H, W), 3, looks="auto", nodata=[0, 0, -1])
        while plan.tally_len:
            tally = plan.tally()
            for y in range(0, H, plan.strip_rows):
                plan.count(read_rows(y, plan.strip_rows), (0, y), tally)
            plan.step(tally)
        out = plan.filter_region(src, region)        # every plane, one call

    (:meth:`prepare` is that loop.) A list or tuple value gives each plane
    its own (``nodata``, ``looks``, ``point_threshold``). The plan pickles
    (as :meth:`save`'s text) for Dask workers; several threads may count
    and filter with one plan at once.
    """

    def __init__(self, raster_shape, planes=1, *, report=False, **params):
        try:
            height, width = (_int_arg("raster_shape", v) for v in raster_shape)
        except ValueError:
            raise TypeError(f"raster_shape must be (height, width), got {raster_shape!r}") from None
        planes = _int_arg("planes", planes)
        if min(height, width, planes) < 0:
            raise InvalidArgumentError(_lib.ENH_LEE_ERROR_EMPTY_IMAGE,
                                       f"raster_shape={(height, width)}, planes={planes}")
        common, each = _per_plane(params)
        p = _params(**common)
        self._p, self._kwargs = p, common
        _halo_of(p)
        handle = ctypes.POINTER(_lib.EnhLeePlan)()
        status = _lib.lib.enh_lee_plan_new(p, width, height, planes,
                                           _lib.ENH_LEE_PLAN_REPORT if report else 0,
                                           ctypes.byref(handle))
        _raise_for(status, _detail(status, p) or
                   f"raster_shape={(height, width)}, planes={planes}", p)
        self._as_parameter_ = handle
        self.shape = (planes, height, width)
        for name, values in each.items():
            if len(values) != planes:
                raise ValueError(f"{name} has {len(values)} values for {planes} planes")
            for plane, value in enumerate(values):
                self.set(plane, name, value)

    @classmethod
    def load(cls, text, **params):
        """The plan :meth:`save` wrote (enh_lee_plan_load); `params`: the
        keywords it was made with (``signal`` reads complex pieces)."""
        handle = ctypes.POINTER(_lib.EnhLeePlan)()
        data = text.encode() if isinstance(text, str) else bytes(text)
        _raise_for(_lib.lib.enh_lee_plan_load(data, ctypes.byref(handle)), "Plan.load")
        plan = cls.__new__(cls)
        plan._as_parameter_ = handle
        plan._p, plan._kwargs = _params(**params), params
        plan.shape = tuple(int(v) for v in plan._shape_of(data.decode()))
        return plan

    @staticmethod
    def _shape_of(text):
        for line in text.splitlines():
            words = line.split()
            if words[:1] == ["raster"]:
                width, height, planes = (int(w) for w in words[1:4])
                return planes, height, width
        raise InvalidArgumentError(_lib.ENH_LEE_ERROR_INVALID_PLAN, "no raster line")

    def _resolved_params(self, plane):
        out = ctypes.POINTER(EnhLeeParams)()
        status = _lib.lib.enh_lee_plan_params(self, _int_arg("plane", plane), ctypes.byref(out))
        _raise_for(status, f"Plan.params({plane})" + (
            ": the plan is not ready (count the raster first)"
            if status == _lib.ENH_LEE_ERROR_PLAN_STATE else ""))
        return _lib.Params(out)

    def save(self):
        """The plan as text (enh_lee_plan_save), which :meth:`load` reads
        back in another process."""
        return self._text(_lib.lib.enh_lee_plan_save)

    def __reduce__(self):
        return _load_plan, (self.save(), self._kwargs)

    def close(self):
        """Frees the library's plan now (also done by the garbage collector)."""
        handle = getattr(self, "_as_parameter_", None)
        self._as_parameter_ = ctypes.POINTER(_lib.EnhLeePlan)()
        if handle and _lib.lib is not None:
            _lib.lib.enh_lee_plan_free(handle)

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        planes, height, width = self.shape
        return f"Plan(({height}, {width}), {planes}): {self.provenance()}"

    def _size(self, function):
        n = ctypes.c_size_t()
        _raise_for(function(self, ctypes.byref(n)), "the plan")
        return n.value

    def _text(self, function):
        n = ctypes.c_size_t()
        _raise_for(function(self, None, 0, ctypes.byref(n)), "the plan")
        buf = ctypes.create_string_buffer(n.value + 1)
        _raise_for(function(self, buf, len(buf), ctypes.byref(n)), "the plan")
        return buf.value.decode("utf-8")

    def set(self, plane, name, value):
        """Gives plane `plane` its own value of parameter `name` (a band's
        ``nodata``), before the first :meth:`step` (enh_lee_plan_set)."""
        spec = _BY_NAME.get(name)
        if spec is None:
            raise TypeError(f"unexpected parameter {name!r}; the parameters are "
                            f"{', '.join(_BY_NAME)}")
        status = _lib.lib.enh_lee_plan_set(self, _int_arg("plane", plane), name.encode(),
                                           _text_of(spec, value).encode())
        _raise_for(status, f"{name}={value!r} for plane {plane}")

    @property
    def tally_len(self):
        """Entries of the tally the next count needs; 0 when the plan is
        ready to filter."""
        return self._size(_lib.lib.enh_lee_plan_tally_len)

    @property
    def passes_left(self):
        """At most this many counting passes remain (0: ready), for code
        that lays its passes out ahead (a Dask graph)."""
        return self._size(_lib.lib.enh_lee_plan_passes_left)

    @property
    def joint(self):
        """True when the planes are filtered together (every output plane
        reads every plane): a region must come with all of them."""
        flag = ctypes.c_uint32()
        _raise_for(_lib.lib.enh_lee_plan_joint(self, ctypes.byref(flag)), "the plan")
        return bool(flag.value)

    @property
    def alignment(self):
        """Pieces' offsets (and sides, except at the raster's right and
        bottom edges) are multiples of this."""
        return self._size(_lib.lib.enh_lee_plan_alignment)

    @property
    def strip_rows(self):
        """Rows per strip suggested for reading the raster in strips."""
        return self._size(_lib.lib.enh_lee_plan_strip_rows)

    def tally(self):
        """A zeroed tally for the next count."""
        return np.zeros(self.tally_len, dtype=np.uint64)

    def _piece(self, piece, name):
        a, strides = _as_image(piece, self._p, name)
        return a, _image(a, strides)

    def count(self, piece, offset, tally):
        """Adds `piece` (every plane of the raster's pixels from ``offset =
        (x_off, y_off)``; 2-D for one plane) to `tally` (a uint64 array from
        :meth:`tally`, or the sum of several); returns `tally`."""
        x_off, y_off = (_int_arg("offset", v) for v in offset)
        if not (isinstance(tally, np.ndarray) and tally.dtype == np.uint64 and
                tally.flags.c_contiguous and tally.flags.writeable):
            raise TypeError("tally must be a writable C-contiguous uint64 array (Plan.tally())")
        a, image = self._piece(piece, "piece")
        status = _lib.lib.enh_lee_plan_count(self, ctypes.byref(image), x_off, y_off,
                                             _ptr(tally), tally.size)
        _raise_for(status, _detail(status, self._p) or
                   f"piece shape {a.shape} at {(x_off, y_off)}", self._p)
        return tally

    def counts(self, piece, offset=(0, 0)):
        """The tally of one piece (a new array): sum the pieces' and pass
        the sum to :meth:`step` (for pieces counted elsewhere)."""
        return self.count(piece, offset, self.tally())

    def step(self, tally):
        """Ends a count with the tally of the whole raster."""
        t = np.ascontiguousarray(tally, np.uint64)
        status = _lib.lib.enh_lee_plan_step(self, _ptr(t), t.size)
        _raise_for(status, "the plan's tally", self._p)

    def prepare(self, pieces):
        """Counts the raster until the plan is ready: ``pieces()`` yields
        ``(piece, (x_off, y_off))`` covering the raster once, each time it
        is called. Returns the plan."""
        while self.tally_len:
            tally = self.tally()
            for piece, offset in pieces():
                self.count(piece, offset, tally)
            self.step(tally)
        return self

    def source_window(self, region):
        """The window of the raster to read for :meth:`filter_region`."""
        _, height, width = self.shape
        rh, rw, r = _region_arg((height, width), region)
        return _source_window(rh, rw, r, self._p)

    def filter_region(self, src, region, *, out=None):
        """Filters `region` of every plane (enh_lee_plan_filter_region):
        `src` holds :meth:`source_window`'s pixels, planes first (2-D for
        one plane); returns the region's pixels (`out` if given)."""
        planes, height, width = self.shape
        rh, rw, r = _region_arg((height, width), region)
        s = _source_window(rh, rw, r, self._p)
        shape = tuple(np.shape(src))
        want = (s.height, s.width) if len(shape) == 2 else (planes, s.height, s.width)
        if shape != want:
            raise ValueError(
                f"src has shape {shape}, but region {tuple(r)} of a raster of shape "
                f"{(rh, rw)} needs the source window {tuple(s)} (x_off, y_off, width, "
                f"height), i.e. shape {want}; see enh_lee.source_window()"
            )
        dst_shape = shape[:-2] + (r.height, r.width)
        if out is not None:
            _check_in_place(src, out, "src")
            dst_strides = _check_out(out, dst_shape)
        a, image = self._piece(src, "src")
        if out is None:
            out = np.empty(dst_shape, dtype=np.float32)
            dst_strides = _strides(out)
        status = _lib.lib.enh_lee_plan_filter_region(
            self, ctypes.byref(image), _lib.EnhLeeRegion(*r),
            ctypes.byref(_image(out, dst_strides)), None, 0)
        _raise_for(status, _detail(status, self._p) or
                   f"raster_shape={(rh, rw)}, region={tuple(r)}", self._p)
        return out

    def params(self, plane=0):
        """Plane `plane`'s parameters as the library writes them, resolved
        (the values the plan computed included), once ready."""
        p = self._resolved_params(plane)
        return {spec.name: _get(p, spec.name) for spec in PARAMETERS}

    def provenance(self):
        """One line saying what the filter does with this plan, for
        metadata and attributes (enh_lee_plan_provenance)."""
        return self._text(_lib.lib.enh_lee_plan_provenance)

    def report_tally(self):
        """A zeroed tally for :meth:`report_count` (``report=True`` plans)."""
        return np.zeros(self._size(_lib.lib.enh_lee_plan_report_tally_len), dtype=np.uint64)

    def report_count(self, piece, filtered, offset, tally):
        """Adds a piece of the input and the same piece filtered (pieces as
        :meth:`count`'s) to the report's `tally`; returns `tally`."""
        x_off, y_off = (_int_arg("offset", v) for v in offset)
        a, image = self._piece(piece, "piece")
        b, after = self._piece(filtered, "filtered")
        if a.shape != b.shape:
            raise ValueError(f"filtered has shape {b.shape}, the piece {a.shape}")
        status = _lib.lib.enh_lee_plan_report_count(self, ctypes.byref(image),
                                                    ctypes.byref(after), x_off, y_off,
                                                    _ptr(tally), tally.size)
        _raise_for(status, _detail(status, self._p) or
                   f"piece shape {a.shape} at {(x_off, y_off)}", self._p)
        return tally

    def report_finish(self, tally):
        """Ends the report with the tally of the whole raster."""
        t = np.ascontiguousarray(tally, np.uint64)
        _raise_for(_lib.lib.enh_lee_plan_report_finish(self, _ptr(t), t.size),
                   "the report's tally")

    def report(self, plane=0):
        """Plane `plane`'s quality report (a dict, as :func:`quality_report`)."""
        r = _lib.EnhLeeQualityReport()
        status = _lib.lib.enh_lee_plan_report(self, _int_arg("plane", plane), ctypes.byref(r))
        _raise_for(status, f"the report of plane {plane}")
        return _report_dict(r)


def _report_dict(r):
    return {name: getattr(r, name) for name, _ in _lib.EnhLeeQualityReport._fields_}


def _whole(image, params, name="image", report=False, **fixed):
    """(plan, float32 image) of a 2-D raster in memory, counted: a plan of
    `params`' values that matter to whole-raster values (nodata, signal,
    threads) and `fixed`, after every keyword is validated."""
    p = _params(**params)
    _halo_of(p)
    src, _ = _as_image(image, p, name, planes=False)
    kept = {k: v for k, v in params.items() if k in ("nodata", "signal", "threads")}
    plan = Plan(src.shape, 1, report=report, **dict(kept, **fixed))
    plan.prepare(lambda: [(src, (0, 0))])
    return plan, src


def point_threshold(image, **params):
    """Lee Sigma's point threshold of a whole 2-D raster in memory (a
    :class:`Plan` of ``filter="lee_sigma"``): the 98th percentile of its
    valid pixels (finite, not ``nodata``), ``inf`` if none is valid.

    :func:`filter` computes it itself for a whole image; pass it as
    ``point_threshold=`` to :func:`filter_region` (and to each strip, tile
    or chunk) so that the pieces give the whole image's result, or use a
    :class:`Plan`. Accepts every keyword of :func:`filter`; only ``nodata``
    and ``threads`` change the result.

    >>> t = enh_lee.point_threshold(img, filter="lee_sigma")
    >>> tile = enh_lee.filter_region(src, (H, W), region, filter="lee_sigma",
    ...                              point_threshold=t)       # doctest: +SKIP
    """
    plan, _ = _whole(image, params, filter="lee_sigma", point_threshold=None)
    return float(plan.params(0)["point_threshold"])


def estimate_looks(image, **params):
    """The equivalent number of looks of a whole 2-D raster in memory (a
    :class:`Plan` of ``looks="auto"``), from its most homogeneous 16x16
    blocks of valid pixels (docs/filters.md, "Estimating the looks"):
    deterministic, the same on every thread count. Pass it as ``looks=``.
    ``signal`` (intensity or amplitude data) and ``nodata`` matter; every
    keyword of :func:`filter` is accepted and validated. Raises
    :class:`InvalidArgumentError` where no block can be measured (too small,
    every block invalid or flat).

    >>> L = enh_lee.estimate_looks(img, nodata=0)
    >>> out = enh_lee.filter(img, looks=L, nodata=0)       # doctest: +SKIP
    """
    plan, _ = _whole(image, params, filter="enhanced_lee", looks="auto", cu=None,
                     cmax=None)
    return float(plan.params(0)["looks"])


def quality_report(image, filtered, **params):
    """What a filter did to a 2-D raster in memory (a :class:`Plan` with
    ``report=True``; docs/filters.md, "Quality report"), as a dict:

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
    after = filtered if isinstance(filtered, np.ndarray) else np.asarray(filtered)
    if np.shape(image) != after.shape:
        raise ValueError(f"filtered has shape {after.shape}, the image {np.shape(image)}")
    plan, src = _whole(image, params, report=True)
    tally = plan.report_count(src, after, (0, 0), plan.report_tally())
    plan.report_finish(tally)
    return plan.report(0)


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
