"""Loading libenh_lee and declaring its C ABI (include/enh_lee.h) for ctypes.

Nothing here computes anything: this module finds the shared library, checks
its version, and declares the argument and result types of every exported
function so that ctypes converts (and checks) every argument.

Lookup order (the first that exists wins):

1. the environment variable ``ENH_LEE_LIBRARY``: the full path of the library
   (if set, it must load: there is no silent fallback to another copy);
2. a ``libenh_lee.so*`` (``libenh_lee*.dylib``, ``enh_lee.dll``) in the
   ``enh_lee/`` package directory, for wheels and QGIS plugins that bundle it;
3. the system search path: ``ctypes.util.find_library("enh_lee")``, then
   ``libenh_lee.so.0.4`` (the SONAME) and ``libenh_lee.so`` (``LD_LIBRARY_PATH``,
   ldconfig).
"""

import ctypes
import ctypes.util
import glob
import os
import sys

#: The C ABI version this module was written for; the library must have the
#: same MAJOR.MINOR (a different PATCH is fine).
ABI_VERSION = "0.4.0"

_ENV = "ENH_LEE_LIBRARY"

_HOW_TO_FIX = (
    "If you installed enh-lee with pip, its wheel carries the library: "
    "reinstall it (`pip install --force-reinstall enh-lee`, or `pip install .` "
    "at the repository root for a source checkout). Otherwise set the "
    "environment variable ENH_LEE_LIBRARY to the full path of "
    "libenh_lee.so (for a source checkout: run `cargo build --release` at the "
    "repository root, then use target/release/libenh_lee.so), copy the library "
    "into the enh_lee package directory, or install it on the system library "
    "path (e.g. `cmake --install` / ldconfig)."
)


class EnhLeeParams(ctypes.Structure):
    """``struct EnhLeeParams`` of include/enh_lee.h, field for field.

    The binding builds one for each call; you only need this class to call the
    C functions of :data:`lib` yourself.
    """

    _fields_ = [
        ("filter", ctypes.c_uint32),
        ("window", ctypes.c_uint32),
        ("looks", ctypes.c_double),
        ("damping", ctypes.c_double),
        ("cu", ctypes.c_double),
        ("cmax", ctypes.c_double),
        ("signal", ctypes.c_uint32),
        ("statistic", ctypes.c_uint32),
        ("border", ctypes.c_uint32),
        ("has_nodata", ctypes.c_uint32),
        ("nodata", ctypes.c_float),
        ("threads", ctypes.c_uint32),
        ("target_window", ctypes.c_uint32),
        ("compat", ctypes.c_uint32),
        ("sigma", ctypes.c_double),
        ("point_threshold", ctypes.c_double),
    ]

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name, _ in self._fields_)
        return f"EnhLeeParams({fields})"


class EnhLeeParamInfo(ctypes.Structure):
    """``struct EnhLeeParamInfo`` of include/enh_lee.h (enh_lee_param_info)."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("kind", ctypes.c_uint32),
        ("optional", ctypes.c_uint32),
        ("default_value", ctypes.c_char_p),
        ("choices", ctypes.c_char_p),
        ("minimum", ctypes.c_double),
        ("maximum", ctypes.c_double),
        ("filters", ctypes.c_char_p),
        ("advanced", ctypes.c_uint32),
        ("description", ctypes.c_char_p),
    ]


class EnhLeeRegion(ctypes.Structure):
    """``struct EnhLeeRegion`` of include/enh_lee.h."""

    _fields_ = [(name, ctypes.c_size_t) for name in ("x_off", "y_off", "width", "height")]


_SEARCH_FIELDS = [
    ("pass_", ctypes.c_uint32),
    ("prefix", ctypes.c_uint32),
    ("rank", ctypes.c_uint64),
    ("key", ctypes.c_uint32),
    ("reserved", ctypes.c_uint32),
]


class EnhLeeThresholdSearch(ctypes.Structure):
    """``struct EnhLeeThresholdSearch`` of include/enh_lee.h."""

    _fields_ = _SEARCH_FIELDS


class EnhLeeQualityReport(ctypes.Structure):
    """``struct EnhLeeQualityReport`` of include/enh_lee.h."""

    _fields_ = [(name, ctypes.c_double)
                for name in ("looks_before", "looks_after", "ratio_mean", "ratio_std")]
    _fields_ += [("blocks", ctypes.c_uint64), ("pixels", ctypes.c_uint64)]


class EnhLeeLooksSearch(ctypes.Structure):
    """``struct EnhLeeLooksSearch`` of include/enh_lee.h."""

    _fields_ = _SEARCH_FIELDS


EnhLeeStatus = ctypes.c_int32

# Constants of include/enh_lee.h.
ENH_LEE_FILTER_ENHANCED_LEE = 0
ENH_LEE_FILTER_LEE = 1
ENH_LEE_FILTER_KUAN = 2
ENH_LEE_FILTER_GAMMA_MAP = 3
ENH_LEE_FILTER_FROST = 4
ENH_LEE_FILTER_REFINED_LEE = 5
ENH_LEE_FILTER_LEE_SIGMA = 6
ENH_LEE_THRESHOLD_BINS = 65536
ENH_LEE_LOOKS_BLOCK = 16
ENH_LEE_WHOLE_RASTER_UNUSED = 0
ENH_LEE_WHOLE_RASTER_NEEDED = 1
ENH_LEE_WHOLE_RASTER_GIVEN = 2
ENH_LEE_KIND_INTEGER = 0
ENH_LEE_KIND_REAL = 1
ENH_LEE_KIND_CHOICE = 2
ENH_LEE_SIGNAL_INTENSITY = 0
ENH_LEE_SIGNAL_AMPLITUDE = 1
ENH_LEE_STATISTIC_WINDOW = 0
ENH_LEE_STATISTIC_RESIDUAL = 1
ENH_LEE_BORDER_REFLECT = 0
ENH_LEE_BORDER_MIRROR = 1
ENH_LEE_BORDER_NEAREST = 2
ENH_LEE_BORDER_SHRINK = 3
ENH_LEE_COMPAT_NONE = 0
ENH_LEE_COMPAT_SNAP = 1
ENH_LEE_COMPAT_GEE = 2

ENH_LEE_OK = 0
ENH_LEE_ERROR_NULL_POINTER = 1
ENH_LEE_ERROR_EMPTY_IMAGE = 2
ENH_LEE_ERROR_SIZE_OVERFLOW = 3
ENH_LEE_ERROR_INVALID_STRIDE = 4
ENH_LEE_ERROR_MISALIGNED = 5
ENH_LEE_ERROR_INVALID_WINDOW = 6
ENH_LEE_ERROR_INVALID_LOOKS = 7
ENH_LEE_ERROR_INVALID_DAMPING = 8
ENH_LEE_ERROR_INVALID_COEFFICIENTS = 9
ENH_LEE_ERROR_INVALID_SIGNAL = 10
ENH_LEE_ERROR_INVALID_STATISTIC = 11
ENH_LEE_ERROR_INVALID_BORDER = 12
ENH_LEE_ERROR_INVALID_NODATA_FLAG = 13
ENH_LEE_ERROR_INVALID_THREADS = 14
ENH_LEE_ERROR_SCRATCH_TOO_SMALL = 15
ENH_LEE_ERROR_PARTIAL_OVERLAP = 16
ENH_LEE_ERROR_INVALID_REGION = 17
ENH_LEE_ERROR_OUT_OF_MEMORY = 18
ENH_LEE_ERROR_THREAD_POOL = 19
ENH_LEE_ERROR_INTERNAL = 20
ENH_LEE_ERROR_UNKNOWN_PARAMETER = 21
ENH_LEE_ERROR_INVALID_FILTER = 22
ENH_LEE_ERROR_INVALID_NODATA = 23
ENH_LEE_ERROR_BUFFER_TOO_SMALL = 24
ENH_LEE_ERROR_INVALID_SIGMA = 25
ENH_LEE_ERROR_INVALID_TARGET_WINDOW = 26
ENH_LEE_ERROR_INVALID_POINT_THRESHOLD = 27
ENH_LEE_ERROR_INVALID_COMPAT = 28
ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE = 29

#: Status code -> constant name, for messages and EnhLeeError.name.
STATUS_NAMES = {
    value: name
    for name, value in list(globals().items())
    if name.startswith("ENH_LEE_ERROR_") or name == "ENH_LEE_OK"
}


def _candidates():
    """(path, origin) pairs in lookup order, not counting ENH_LEE_LIBRARY."""
    here = os.path.dirname(os.path.abspath(__file__))
    bundled = []
    for pattern in ("libenh_lee.so", "libenh_lee.so.*", "libenh_lee*.dylib", "enh_lee.dll"):
        bundled.extend(sorted(glob.glob(os.path.join(here, pattern))))
    found = [(p, "next to the enh_lee package") for p in bundled]
    name = ctypes.util.find_library("enh_lee")
    system = [name] if name else []
    if sys.platform.startswith("linux"):
        major, minor = ABI_VERSION.split(".")[:2]
        abi = f"{major}.{minor}" if major == "0" else major  # the SONAME's version
        system += [f"libenh_lee.so.{abi}", "libenh_lee.so"]
    found += [(p, "on the system library path") for p in system]
    return found


def _declare(cdll):
    """Declares argtypes/restype of every function of enh_lee.h on `cdll`."""
    P = ctypes.POINTER(EnhLeeParams)
    R = ctypes.POINTER(EnhLeeRegion)
    S = ctypes.POINTER(EnhLeeThresholdSearch)
    L = ctypes.POINTER(EnhLeeLooksSearch)
    text = ctypes.c_char_p
    size_t = ctypes.c_size_t
    size_p = ctypes.POINTER(ctypes.c_size_t)
    buf = ctypes.c_void_p  # float* / void*: passed as integer addresses
    decl = {
        "enh_lee_params_default": (EnhLeeParams, []),
        "enh_lee_scratch_size": (EnhLeeStatus, [size_t, size_t, P, size_p]),
        "enh_lee_halo": (EnhLeeStatus, [P, size_p]),
        "enh_lee_f32": (
            EnhLeeStatus,
            [buf, size_t, buf, size_t, size_t, size_t, P, buf, size_t],
        ),
        "enh_lee_f32_region": (
            EnhLeeStatus,
            [buf, size_t, buf, size_t, size_t, size_t, size_t, size_t, size_t, size_t,
             P, buf, size_t],
        ),
        "enh_lee_status_message": (ctypes.c_char_p, [EnhLeeStatus]),
        "enh_lee_version": (ctypes.c_char_p, []),
        "enh_lee_params_set": (EnhLeeStatus, [P, text, text]),
        "enh_lee_params_get": (EnhLeeStatus, [P, text, ctypes.c_char_p, size_t, size_p]),
        "enh_lee_params_validate": (EnhLeeStatus, [P]),
        "enh_lee_param_count": (size_t, []),
        "enh_lee_param_info": (EnhLeeStatus, [size_t, ctypes.POINTER(EnhLeeParamInfo)]),
        "enh_lee_status_parameter": (ctypes.c_char_p, [EnhLeeStatus]),
        "enh_lee_source_region": (EnhLeeStatus, [size_t, size_t, R, P, R]),
        "enh_lee_point_threshold_f32": (
            EnhLeeStatus, [buf, size_t, size_t, size_t, P, ctypes.POINTER(ctypes.c_double)],
        ),
        "enh_lee_point_threshold_state": (EnhLeeStatus, [P, ctypes.POINTER(ctypes.c_uint32)]),
        "enh_lee_estimate_looks_f32": (
            EnhLeeStatus, [buf, size_t, size_t, size_t, P, ctypes.POINTER(ctypes.c_double)],
        ),
        "enh_lee_detect_cf32": (
            EnhLeeStatus, [buf, size_t, buf, size_t, size_t, size_t, P],
        ),
        "enh_lee_looks_state": (EnhLeeStatus, [P, ctypes.POINTER(ctypes.c_uint32)]),
        "enh_lee_looks_search_new": (EnhLeeLooksSearch, []),
        "enh_lee_looks_search_count_f32": (
            EnhLeeStatus,
            [L, buf, size_t, size_t, size_t, size_t, size_t, size_t, size_t, P, buf],
        ),
        "enh_lee_looks_search_step": (
            EnhLeeStatus,
            [L, buf, P, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_uint32)],
        ),
        "enh_lee_quality_report_f32": (
            EnhLeeStatus,
            [buf, size_t, buf, size_t, size_t, size_t, P, ctypes.POINTER(EnhLeeQualityReport)],
        ),
        "enh_lee_report_count_f32": (
            EnhLeeStatus,
            [L, buf, size_t, buf, size_t, size_t, size_t, size_t, size_t, size_t, size_t, P,
             buf],
        ),
        "enh_lee_report_finish": (
            EnhLeeStatus, [buf, P, ctypes.POINTER(EnhLeeQualityReport)],
        ),
        "enh_lee_threshold_search_new": (EnhLeeThresholdSearch, []),
        "enh_lee_threshold_search_count_f32": (
            EnhLeeStatus, [S, buf, size_t, size_t, size_t, P, buf],
        ),
        "enh_lee_threshold_search_step": (
            EnhLeeStatus,
            [S, buf, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_uint32)],
        ),
    }
    for fname, (restype, argtypes) in decl.items():
        fn = getattr(cdll, fname)  # AttributeError if the symbol is missing
        fn.restype = restype
        fn.argtypes = argtypes


def _open(path):
    """Opens `path`, checks its version, declares its functions; returns
    (CDLL, version). The version is checked first, so that a library of
    another version is reported as such, not as a missing symbol."""
    # ctypes.CDLL (not PyDLL): every foreign call releases the GIL.
    cdll = ctypes.CDLL(path)
    cdll.enh_lee_version.restype = ctypes.c_char_p
    cdll.enh_lee_version.argtypes = []
    version = _check_version(cdll, path)
    _declare(cdll)
    return cdll, version


def _check_version(cdll, path):
    got = cdll.enh_lee_version().decode("ascii", "replace")
    want = ABI_VERSION.split(".")[:2]
    if got.split(".")[:2] != want:
        raise ImportError(
            f"enh_lee: the library {path} is version {got}, but this Python "
            f"module was written for the C ABI {ABI_VERSION} (needs "
            f"{'.'.join(want)}.x). Use a matching library or module. " + _HOW_TO_FIX
        )
    return got


def load():
    """Finds, opens and checks the library; returns (CDLL, path, version).

    Raises ImportError with a message that says how to fix it.
    """
    explicit = os.environ.get(_ENV)
    if explicit:
        try:
            cdll, version = _open(explicit)
        except (OSError, AttributeError) as e:
            raise ImportError(
                f"enh_lee: cannot load the library named by {_ENV}={explicit!r}: {e}. "
                + _HOW_TO_FIX
            ) from e
        return cdll, explicit, version

    tried = []
    for path, origin in _candidates():
        try:
            cdll, version = _open(path)
        except (OSError, AttributeError) as e:
            tried.append(f"{path} ({origin}): {e}")
            continue
        return cdll, getattr(cdll, "_name", path), version
    detail = ("; tried: " + "; ".join(tried)) if tried else ""
    raise ImportError(
        f"enh_lee: the shared library libenh_lee was not found{detail}. " + _HOW_TO_FIX
    )


lib, library_path, library_version = load()


def status_message(status):
    """The library's sentence for a status code (enh_lee_status_message)."""
    return lib.enh_lee_status_message(int(status)).decode("utf-8", "replace")
