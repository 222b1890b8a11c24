"""Finds the ``enh_lee`` Python binding the plugin uses.

The plugin ZIP (build-zip.sh) vendors the binding as the sub-package
``enhlee/enh_lee/`` with ``libenh_lee.so`` inside it, where the binding looks
for its library first after ``ENH_LEE_LIBRARY``. Imported as
``enhlee.enh_lee`` it never clashes with another ``enh_lee`` on sys.path.
In a source checkout (no vendored copy) the plugin falls back to a top-level
``enh_lee`` (e.g. ``PYTHONPATH=bindings/python`` and ``ENH_LEE_LIBRARY``).

The import happens once, on first use, so that a missing or broken library
never stops QGIS from loading the plugin: the algorithm reports the
ImportError's message (which says how to fix it) as a Processing error.
"""

import importlib
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
VENDORED_DIR = os.path.join(_HERE, "enh_lee")

_module = None
_error = None


def vendored():
    """True when the plugin carries its own copy of the binding."""
    return os.path.isfile(os.path.join(VENDORED_DIR, "__init__.py"))


def load():
    """The ``enh_lee`` module, or raises ImportError (cached either way)."""
    global _module, _error
    if _module is not None:
        return _module
    if _error is not None:
        raise ImportError(_error)
    name = (__package__ + ".enh_lee") if vendored() else "enh_lee"
    try:
        _module = importlib.import_module(name)
    except Exception as e:  # ImportError, OSError from ctypes, ...
        where = VENDORED_DIR if vendored() else "the Python path"
        _error = (f"Enhanced Lee: cannot load the enh_lee binding ({name}, from {where}): {e}")
        raise ImportError(_error) from e
    return _module


def describe():
    """One line on what is loaded, for logs: version and library path."""
    try:
        m = load()
    except ImportError as e:
        return str(e)
    return f"enh_lee {m.__version__}, libenh_lee {m.version()} from {m.library_path}"
