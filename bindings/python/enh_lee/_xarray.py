"""The xarray accessor ``da.enh_lee.filter(...)`` and the DataArray handling
shared with :mod:`enh_lee.dask`.

``import enh_lee`` does not import xarray: it registers the accessor when
xarray is (or gets) imported. The accessor filters numpy-backed DataArrays
eagerly (:func:`enh_lee.filter`, plane by plane) and Dask-backed ones lazily
(:func:`enh_lee.dask.filter`); it keeps dims, coords (rioxarray's
``spatial_ref``: CRS and transform), name and attrs, takes the nodata value
from rioxarray (``rio.nodata``; ``rio.encoded_nodata`` is kept for writing)
or from ``attrs["_FillValue"]`` without it, and records the parameters in
``attrs["enh_lee"]``.
"""

import importlib
import importlib.util
import sys

import numpy as np

# The package, whatever it is called: ``enh_lee``, or ``enhlee.enh_lee``
# where the QGIS plugin vendors it (an absolute ``import enh_lee`` fails
# there).
enh_lee = importlib.import_module(__package__)

#: The accessor's name (``da.enh_lee``) and the attribute that records the
#: parameters used.
NAME = ATTR = "enh_lee"

# Encoding keys that describe the *input's* on-disk type; the result is float32.
_STALE_ENCODING = ("dtype", "scale_factor", "add_offset", "_Unsigned", "missing_value",
                   "_FillValue", "chunks", "preferred_chunks", "zlib", "complevel",
                   "compression", "contiguous", "chunksizes", "source")


def spatial_order(arr, spatial_dims):
    """The (row, column) dims of `arr`: `spatial_dims`, checked, or the last two."""
    if arr.ndim < 2:
        raise ValueError(f"the DataArray must have at least 2 dims, got {arr.dims}")
    if spatial_dims is None:
        return tuple(arr.dims[-2:])
    if isinstance(spatial_dims, str) or len(spatial_dims) != 2:
        raise ValueError(f"spatial_dims must be two dim names (rows, columns), got "
                         f"{spatial_dims!r}")
    ydim, xdim = spatial_dims
    for d in (ydim, xdim):
        if d not in arr.dims:
            raise ValueError(f"spatial dim {d!r} is not a dim of the DataArray {arr.dims}")
    if ydim == xdim:
        raise ValueError(f"spatial_dims must be two different dims, got {spatial_dims!r}")
    return ydim, xdim


def filtered(arr, spatial_dims, params, compute):
    """`arr` filtered: `compute(data, params)` filters its data, transposed so
    that the (row, column) dims come last, and returns it with the plan's
    provenance line; the result keeps dims (in their order), coords, name
    and attrs, records the provenance in ``attrs["enh_lee"]`` (after an
    earlier filter's: "...; then ...") and keeps the encoding but the keys
    of the input's storage type."""
    ydim, xdim = spatial_order(arr, spatial_dims)
    order = tuple(d for d in arr.dims if d not in (ydim, xdim)) + (ydim, xdim)
    t = arr.transpose(*order)
    data, text = compute(t.data, params)
    res = t.copy(deep=False, data=data)
    res.attrs = dict(arr.attrs)
    prev = arr.attrs.get(ATTR)
    res.attrs[ATTR] = f"{prev}; then {text}" if prev else text
    res.encoding = {k: v for k, v in arr.encoding.items() if k not in _STALE_ENCODING}
    return res.transpose(*arr.dims)


def _filter_planes(data, params):
    """Every plane (last two axes) of a numpy array, filtered now: one plan
    of all the planes, counted and filtered in one call each; returns
    (filtered, provenance)."""
    data = np.asarray(data)
    H, W = data.shape[-2:]
    stack = data.reshape((-1, H, W))
    plan = enh_lee.Plan((H, W), stack.shape[0], **params)
    plan.prepare(lambda: [(stack, (0, 0))])
    out = plan.filter_region(stack, (0, 0, W, H))
    return out.reshape(data.shape), plan.provenance()


def _rio(arr):
    """rioxarray's accessor of `arr`, or None without rioxarray."""
    if "rioxarray" not in sys.modules:
        try:
            importlib.import_module("rioxarray")  # registers .rio
        except ImportError:
            return None
    return getattr(arr, "rio", None)


class FilterAccessor:
    """``da.enh_lee``: the library's filters on a DataArray."""

    def __init__(self, obj):
        self._obj = obj

    def filter(self, *, spatial_dims=None, **params):
        """The DataArray filtered: eagerly (numpy data) or lazily (Dask data,
        through :func:`enh_lee.dask.filter`), every plane of its
        (row, column) dims (``spatial_dims``, default the last two).

        ``nodata`` defaults to the array's: rioxarray's ``rio.nodata`` (NaN
        pixels are always left alone), else ``attrs["_FillValue"]``. The
        result is float32 and keeps dims, coords (CRS and transform), name,
        attrs and nodata, with the parameters in ``attrs["enh_lee"]``.
        The keywords are :func:`enh_lee.filter`'s.
        """
        arr = self._obj
        rio = _rio(arr)
        if "nodata" not in params:
            nodata = rio.nodata if rio is not None else arr.attrs.get("_FillValue")
            if nodata is not None and not np.isnan(nodata):
                params["nodata"] = float(nodata)
        if type(arr.data).__module__.split(".")[0] == "dask":
            res = importlib.import_module(".dask", __package__).filter(arr, spatial_dims=spatial_dims, **params)
        else:
            enh_lee.halo(**params)  # the library judges every value first
            res = filtered(arr, spatial_dims, params, _filter_planes)
        if rio is not None:
            if rio.encoded_nodata is not None:
                res = res.rio.write_nodata(rio.encoded_nodata, encoded=True)
            elif rio.nodata is not None:
                res = res.rio.write_nodata(rio.nodata)
        return res


def register(xarray):
    """Registers ``DataArray.enh_lee`` in the module `xarray` (once)."""
    if not hasattr(xarray.DataArray, NAME):
        xarray.register_dataarray_accessor(NAME)(FilterAccessor)


class ImportHook:
    """A meta path finder that registers the accessor as soon as xarray has
    been imported (so that ``import enh_lee`` need not import xarray)."""

    def find_spec(self, name, path=None, target=None):
        if name != "xarray":
            return None
        sys.meta_path.remove(self)  # once, and not for the lookup below
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_register(module):
            exec_module(module)
            register(module)

        spec.loader.exec_module = exec_and_register
        return spec


def install():
    """Registers the accessor now if xarray is imported, else when it is."""
    if "xarray" in sys.modules:
        register(sys.modules["xarray"])
    elif not any(isinstance(f, ImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, ImportHook())
