"""Enhanced Lee on Dask arrays and xarray DataArrays: lazy, chunked, exact.

:func:`filter` takes a ``dask.array.Array`` or an ``xarray.DataArray`` backed
by one and returns the same kind, lazily, with the same chunks (and, for
xarray, the same dims, coords and attrs). The result is bit for bit
``enh_lee.filter`` of the whole raster, for any chunking, every border and
both statistics: each output chunk is one task that calls
:func:`enh_lee.filter_region` on the chunk grown by the halo (clipped to the
raster), knowing the chunk's position in the whole raster, so borders follow
SPEC at the raster's edges only and there are no seams between chunks.

    import dask.array as da
    import enh_lee.dask

    x = da.random.gamma(4.0, 0.25, size=(20000, 20000), chunks=2048).astype("f4")
    y = enh_lee.dask.filter(x, window=7, looks=4)          # lazy, same chunks
    y.to_zarr("smooth.zarr")                              # or y.sum().compute(), ...

Graph
-----
For the output chunk covering rows ``[r0, r1)`` and columns ``[c0, c1)``, the
source window is ``enh_lee.source_window((H, W), (c0, r0, c1-c0, r1-r0))``:
the chunk grown by ``enh_lee.halo(...)`` on each side, clipped to the raster.
It usually spans several input chunks (many, when chunks are smaller than the
halo). For each input chunk it touches, the graph has one small ``getitem``
task that cuts out just the overlapping part (none when the whole input chunk
is needed), so only halo strips travel between workers; the filter task puts
the pieces into one float32 buffer and calls ``filter_region``. Memory per
task is its chunk plus halo (input and float32 output) plus the library's
O(window * width) scratch; nothing ever holds the whole raster.

``dask.array.map_overlap`` is not used: up to at least dask 2022.12 it
rechunks when the halo is larger than a chunk (so the output chunks would
differ from the input's, and ``trim=False`` fails outright), and it would
need the block positions reconstructed from ``block_info``.

dask is optional for ``enh_lee``: ``import enh_lee`` never imports it, and
importing this module without dask raises ImportError saying what to install.
xarray is imported only when a DataArray is passed.
"""

import copy
import sys

import numpy as np

try:
    import dask
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph
except ImportError as exc:  # pragma: no cover - exercised by the tests in a subprocess
    raise ImportError(
        "enh_lee.dask needs dask (dask.array): install the 'dask' extra, "
        "`pip install 'enh-lee[dask]'` (dask, distributed, xarray, rioxarray), "
        "or on Debian/Ubuntu `apt install python3-dask python3-distributed "
        "python3-xarray python3-rioxarray`. The numpy API (enh_lee.filter) works "
        f"without it. ({exc})"
    ) from exc

import enh_lee
from enh_lee import _xarray

__all__ = ["filter", "ATTR"]

#: Name of the attribute that :func:`filter` adds to a DataArray's attrs: a
#: string naming the filter, its parameters and the library version.
ATTR = _xarray.ATTR


def filter(array, *, spatial_dims=None, **params):
    """A filter of the Enhanced Lee family (``filter=``) of a Dask array or a
    Dask-backed xarray.DataArray.

    Parameters
    ----------
    array : dask.array.Array or xarray.DataArray
        A Dask array of real numbers with 2 or more dimensions: the last two
        are (rows, columns) and every plane is filtered on its own (e.g. a
        ``(band, y, x)`` stack). Any chunking, including chunks smaller than
        the halo, uneven chunks and chunks of one row; the sizes must be known
        (no NaN chunks). A DataArray must be backed by a Dask array (use
        ``.chunk(...)``, or ``enh_lee.filter`` for numpy data).
    spatial_dims : (str, str) or None
        DataArray only: the (row, column) dimensions, e.g. ``("y", "x")``.
        Default: the last two dims. Every other dim (band, time) is looped
        over, plane by plane.
    {parameters}

    The keywords are :func:`enh_lee.filter`'s (:data:`enh_lee.PARAMETERS`),
    all validated now, before any computation (same exceptions and messages),
    except that ``threads`` (library threads per task) defaults to 1 here,
    and None means 1 too, because Dask already runs tasks in parallel.

    Returns
    -------
    dask.array.Array or xarray.DataArray
        float32, lazy, with the input's shape and chunks; bit for bit equal to
        ``enh_lee.filter`` of each whole plane. A DataArray keeps its dims (in
        their order), coords, name and attrs, and gets ``attrs["enh_lee"]``
        describing the filter (appended to an existing one: "...; then ..."); its encoding is kept except the keys that
        describe the input's storage type (dtype, scale_factor, add_offset,
        _FillValue, chunking, compression).

    Raises
    ------
    TypeError
        Not a Dask array / Dask-backed DataArray, or not real numbers.
    ValueError
        Fewer than 2 dims, unknown chunk sizes, bad ``spatial_dims``, or a bad
        parameter (``enh_lee.InvalidArgumentError`` is a ValueError).

    Notes
    -----
    Workers need ``enh_lee`` importable and the library findable (e.g.
    ``ENH_LEE_LIBRARY`` in their environment); a ``LocalCluster`` inherits the
    client's environment and ``sys.path``.
    """
    if params.get("threads") is None:  # unset or None: one per task
        params["threads"] = 1
    if isinstance(array, da.Array):
        if spatial_dims is not None:
            raise TypeError("spatial_dims is only for xarray.DataArray input; a dask array "
                            "is filtered over its last two axes")
        return _filter_dask(array, params)
    if _is_dataarray(array):
        return _filter_xarray(array, params, spatial_dims)
    if isinstance(array, np.ndarray):
        raise TypeError("enh_lee.dask.filter takes a dask array or a Dask-backed "
                        "xarray.DataArray; for a numpy array use enh_lee.filter, or wrap it "
                        "with dask.array.from_array(a, chunks=...)")
    hint = ""
    if type(array).__name__ == "Dataset":
        hint = "; for a Dataset, filter its variables one by one (ds[name])"
    raise TypeError("enh_lee.dask.filter takes a dask.array.Array or an xarray.DataArray "
                    f"backed by one, got {type(array).__name__}{hint}")


# --------------------------------------------------------------------------
# Dask


def _offsets(chunks):
    out = [0]
    for c in chunks:
        out.append(out[-1] + c)
    return out


def _pieces_along(offsets, lo, hi):
    """Input blocks overlapping [lo, hi) along one axis, each as
    (block index, slice inside the block, whole block?)."""
    res = []
    # first block with end > lo
    b = int(np.searchsorted(offsets, lo, side="right")) - 1
    while b < len(offsets) - 1 and offsets[b] < hi:
        s, e = offsets[b], offsets[b + 1]
        if e > s:  # skip empty blocks
            a, z = max(lo, s) - s, min(hi, e) - s
            res.append((b, slice(a, z), a == 0 and z == e - s))
        b += 1
    return res


def _filter_dask(x, params):
    return _filter_dask_plan(x, params)[0]


def _plane_params(params, total):
    """`params` with each per-plane list checked against the `total` planes."""
    _, each = enh_lee._per_plane(params)
    for name, values in each.items():
        if len(values) != total:
            raise ValueError(f"{name} has {len(values)} values for {total} planes")
    return each


def _filter_dask_plan(x, params):
    """(filtered dask array, provenance) of `x`: one plan per block of the
    leading dims (its planes together), counted by tasks over the blocks
    when the plan needs the whole raster, and one filter call per chunk for
    all its planes."""
    if x.ndim < 2:
        raise ValueError(f"the array must have at least 2 dimensions (rows, columns), got "
                         f"shape {x.shape}")
    if x.dtype.kind not in "fiuc":
        raise TypeError(f"the array must hold real or complex numbers, got dtype "
                        f"{x.dtype}")
    if any(np.isnan(c) for cs in x.chunks for c in cs):
        raise ValueError("the array has unknown chunk sizes (NaN); call "
                         "x.compute_chunk_sizes() first")
    H, W = (int(v) for v in x.shape[-2:])
    lead_shape = tuple(int(v) for v in x.shape[:-2])
    total = int(np.prod(lead_shape, dtype=np.int64))
    each = _plane_params(params, total)
    # Validates every parameter in the library (with its messages) and reports
    # an empty raster as enh_lee.filter does; nothing is computed yet.
    enh_lee.source_window((H, W), (0, 0, W, H), **params)
    n = enh_lee.halo(**enh_lee._per_plane(params)[0])
    whole = enh_lee.Plan((H, W), max(1, total), **params)
    if whole.joint and any(len(c) > 1 for c in x.chunks[:-2]):
        # The planes are filtered together: every chunk holds all of them.
        x = x.rechunk({k: -1 for k in range(x.ndim - 2)})

    lead_chunks = x.chunks[:-2]
    rchunks, cchunks = x.chunks[-2:]
    roff, coff = _offsets(rchunks), _offsets(cchunks)
    token = tokenize(x, sorted((k, repr(v)) for k, v in params.items()), "enh_lee.dask.filter")
    name = "enh-lee-" + token
    piece_name = "enh-lee-halo-" + token
    plan_name = "enh-lee-plan-" + token
    numbers = np.arange(total).reshape(lead_shape) if lead_shape else np.arange(1)

    layer = {}
    dependencies = [x]
    counted = x
    if whole.tally_len:
        side = whole.alignment
        if side > 1 and any(c % side for cs in (rchunks[:-1], cchunks[:-1]) for c in cs):
            # Pieces must not cut the plan's blocks: count a copy whose
            # chunks are multiples of them.
            counted = x.rechunk({x.ndim - 2: _multiple(rchunks, side),
                                 x.ndim - 1: _multiple(cchunks, side)})
            dependencies.append(counted)
    plans = {}
    for lead in np.ndindex(*(len(c) for c in lead_chunks)):
        box = tuple(slice(_offsets(lead_chunks[k])[b], _offsets(lead_chunks[k])[b + 1])
                    for k, b in enumerate(lead))
        planes = numbers[box].ravel() if lead_shape else numbers
        if planes.size == 0:
            continue
        plane_params = dict(params, **{k: [v[i] for i in planes] for k, v in each.items()})
        plan = enh_lee.Plan((H, W), planes.size, **plane_params)
        key = (plan_name,) + lead
        layer[key] = plan
        if plan.tally_len:
            key = _count_layer(layer, counted, lead, key, plan_name, plan.passes_left)
        plans[lead] = key

    for i, (r0, r1) in enumerate(zip(roff[:-1], roff[1:])):
        rows = _pieces_along(roff, max(0, r0 - n), min(H, r1 + n))
        for j, (c0, c1) in enumerate(zip(coff[:-1], coff[1:])):
            cols = _pieces_along(coff, max(0, c0 - n), min(W, c1 + n))
            region = (c0, r0, c1 - c0, r1 - r0)
            for lead in np.ndindex(*(len(c) for c in lead_chunks)):
                shape = tuple(lead_chunks[k][b] for k, b in enumerate(lead))
                if r1 == r0 or c1 == c0 or lead not in plans:
                    # An empty chunk (dask allows them): nothing to filter.
                    layer[(name,) + lead + (i, j)] = (
                        np.empty, shape + (r1 - r0, c1 - c0), np.float32)
                    continue
                grid = []
                for bi, rs, rfull in rows:
                    row = []
                    for bj, cs, cfull in cols:
                        key = (x.name,) + lead + (bi, bj)
                        if not (rfull and cfull):
                            pkey = (piece_name,) + lead + (i, j, bi, bj)
                            layer[pkey] = (_cut, key, rs, cs)
                            key = pkey
                        row.append(key)
                    grid.append(row)
                layer[(name,) + lead + (i, j)] = (_filter_block, grid, region, plans[lead])

    graph = HighLevelGraph.from_collections(name, layer, dependencies=dependencies)
    meta = np.empty((0,) * x.ndim, dtype=np.float32)
    return (da.Array(graph, name, chunks=x.chunks, dtype=np.float32, meta=meta),
            whole.provenance())


def _count_layer(layer, x, lead, plan_key, name, rounds):
    """Adds to `layer` the counting of the plan at `plan_key` over the
    blocks of `x` at lead block `lead`: per round (`rounds`, the most the
    plan says it needs), a task per block that counts it (nothing once the
    plan is ready), one that sums their tallies and one that steps a copy
    of the plan with the sum. Returns the key of the ready plan."""
    roff, coff = _offsets(x.chunks[-2]), _offsets(x.chunks[-1])
    blocks = [(bi, bj) for bi in range(len(roff) - 1) for bj in range(len(coff) - 1)
              if roff[bi + 1] > roff[bi] and coff[bj + 1] > coff[bj]]
    state = plan_key
    for count in range(rounds):
        tag = lead + (count,)
        tallies = []
        for bi, bj in blocks:
            key = (name + "-count",) + tag + (bi, bj)
            layer[key] = (_count_block, state, (x.name,) + lead + (bi, bj), (coff[bj], roff[bi]))
            tallies.append(key)
        total = (name + "-tally",) + tag
        layer[total] = (_sum_tallies, tallies)
        step = (name + "-step",) + tag
        layer[step] = (_stepped, state, total)
        state = step
    return state


def _multiple(chunks, side):
    """A chunk size that is a multiple of `side`, about the largest of `chunks`."""
    return max(side, -(-max(chunks) // side) * side)


def _planes(block):
    """A block's planes, the leading dims flattened: (planes, rows, columns)."""
    return block.reshape((-1,) + block.shape[-2:])


def _count_block(plan, block, offset):
    """One block's tally for the plan (None once the plan is ready)."""
    if not plan.tally_len:
        return None
    return plan.counts(_planes(block), offset)


def _sum_tallies(tallies):
    tallies = [t for t in tallies if t is not None]
    return np.sum(tallies, axis=0, dtype=np.uint64) if tallies else None


def _stepped(plan, total):
    """A copy of `plan` after the count whose tally is `total` (the plan
    itself once it is ready)."""
    if total is None:
        return plan
    nxt = copy.copy(plan)
    nxt.step(total)
    return nxt


def _cut(block, rows, cols):
    """The part of an input block that a neighbouring chunk needs: a copy, so
    that the small piece does not keep the whole block alive after Dask has
    released it (Dask counts a view's own bytes only)."""
    return block[..., rows, cols].copy()


def _filter_block(grid, region, plan):
    """One output chunk: assemble the source window from its pieces (a grid
    of arrays, rows of pieces left to right) and filter all its planes in
    one call of the plan."""
    heights = [row[0].shape[-2] for row in grid]
    widths = [p.shape[-1] for p in grid[0]]
    lead = grid[0][0].shape[:-2]
    if len(grid) == 1 and len(grid[0]) == 1:
        src = _planes(grid[0][0])
        if not src.flags.aligned:
            # Blocks deserialised by distributed can sit at odd addresses.
            src = np.array(src)
    else:
        # Complex pieces stay complex until the library detects them.
        work = np.complex64 if grid[0][0].dtype.kind == "c" else np.float32
        buf = np.empty(lead + (sum(heights), sum(widths)), dtype=work)
        y = 0
        for row, h in zip(grid, heights):
            xo = 0
            for piece, w in zip(row, widths):
                buf[..., y:y + h, xo:xo + w] = piece  # casts to `work`
                xo += w
            y += h
        src = _planes(buf)
    out = plan.filter_region(src, region)
    return out.reshape(lead + out.shape[-2:])


# --------------------------------------------------------------------------
# xarray


def _is_dataarray(obj):
    # No xarray import: if xarray was never imported, obj cannot be a DataArray.
    xr = sys.modules.get("xarray")
    return xr is not None and isinstance(obj, xr.DataArray)


def _filter_xarray(arr, params, spatial_dims):
    _xarray.spatial_order(arr, spatial_dims)
    if not isinstance(arr.data, da.Array):
        raise TypeError(
            "the DataArray is not backed by a dask array; chunk it first "
            "(arr.chunk({...}), or rioxarray.open_rasterio(path, chunks=...)), or "
            "use enh_lee.filter(arr.values) for numpy data")
    return _xarray.filtered(arr, spatial_dims, params, _filter_dask_plan)


enh_lee._with_parameters(filter, (), defaults={"threads": 1})
