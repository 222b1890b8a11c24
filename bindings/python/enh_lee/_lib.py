"""Loading libenh_lee and declaring its C ABI (include/enh_lee.h) for ctypes.

Nothing here computes anything: this module finds the shared library, checks
its version, and declares the argument and result types of every exported
function so that ctypes converts (and checks) every argument. The
declarations, types and constants are read from the C header itself
(:mod:`enh_lee._header`), never copied by hand.

Lookup order (the first that exists wins):

1. the environment variable ``ENH_LEE_LIBRARY``: the full path of the library
   (if set, it must load: there is no silent fallback to another copy);
2. a ``libenh_lee.so*`` (``libenh_lee*.dylib``, ``enh_lee.dll``) in the
   ``enh_lee/`` package directory, for wheels and QGIS plugins that bundle it;
3. the system search path: ``ctypes.util.find_library("enh_lee")``, then
   ``libenh_lee.so.0.5`` (the SONAME) and ``libenh_lee.so`` (``LD_LIBRARY_PATH``,
   ldconfig).
"""

import ctypes
import ctypes.util
import glob
import os
import sys

from . import _header

#: The C ABI version this module was written for; the library must have the
#: same MAJOR.MINOR (a different PATCH is fine).
ABI_VERSION = "0.5.0"

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


#: The header's declarations (enh_lee/_header.py): the C ABI as the library
#: was built with it, not a copy kept by hand.
HEADER_PATH = _header.header_path()
_DECLARATIONS = _header.load(HEADER_PATH)

# The header's types and integer constants (ENH_LEE_OK, ENH_LEE_ERROR_*,
# ENH_LEE_ELEMENT_FLOAT32, ...), as module attributes.
EnhLeeParams = _DECLARATIONS.types["EnhLeeParams"]  # opaque: only pointers
EnhLeeParamInfo = _DECLARATIONS.types["EnhLeeParamInfo"]
EnhLeeRegion = _DECLARATIONS.types["EnhLeeRegion"]
EnhLeeImage = _DECLARATIONS.types["EnhLeeImage"]
EnhLeePlan = _DECLARATIONS.types["EnhLeePlan"]  # opaque: only pointers
EnhLeeQualityReport = _DECLARATIONS.types["EnhLeeQualityReport"]
EnhLeeStatus = _DECLARATIONS.types["EnhLeeStatus"]
globals().update(_DECLARATIONS.constants)

_header_version = "{ENH_LEE_VERSION_MAJOR}.{ENH_LEE_VERSION_MINOR}.{ENH_LEE_VERSION_PATCH}".format(
    **_DECLARATIONS.constants)
if _header_version.split(".")[:2] != ABI_VERSION.split(".")[:2]:
    raise ImportError(
        f"enh_lee: the header {HEADER_PATH} is version {_header_version}, but this Python "
        f"module was written for the C ABI {ABI_VERSION}. " + _HOW_TO_FIX
    )

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
    for fname, (restype, argtypes) in _DECLARATIONS.functions.items():
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


class Params:
    """A parameters object of the library (``EnhLeeParams *``, from
    ``enh_lee_params_new``): passed to every C function that takes
    parameters, freed when it is garbage-collected or at the end of a
    ``with`` block. Values are set and read by name through
    ``enh_lee_params_set``/``enh_lee_params_get`` (``enh_lee.describe``).
    Several threads may use one object at once, as long as none sets it
    meanwhile."""

    def __init__(self, _handle=None):
        handle = lib.enh_lee_params_new() if _handle is None else _handle
        if not handle:
            raise MemoryError("enh_lee: cannot allocate parameters")
        # ctypes passes `_as_parameter_` for a Params argument.
        self._as_parameter_ = handle

    def copy(self):
        """An independent copy (enh_lee_params_copy)."""
        return Params(lib.enh_lee_params_copy(self))

    def close(self):
        """Frees the library's object now (also done by the garbage collector)."""
        # Afterwards the object is passed as NULL, which every call refuses.
        handle = getattr(self, "_as_parameter_", None)
        self._as_parameter_ = ctypes.POINTER(EnhLeeParams)()
        if handle and lib is not None:
            lib.enh_lee_params_free(handle)

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "Params(<freed>)" if not self._as_parameter_ else "Params()"


def status_message(status):
    """The library's sentence for a status code (enh_lee_status_message)."""
    return lib.enh_lee_status_message(int(status)).decode("utf-8", "replace")
