"""enh_lee.dask.filter on a real 2-worker distributed cluster is bit for bit
enh_lee.filter of the whole array: every chunking (uneven, one row, one
column, smaller than the halo, one chunk), every border, both statistics,
invalid pixels, every parameter, input dtypes, 3-D stacks."""

import itertools

import dask
import dask.array as da
import numpy as np
import pytest

import enh_lee
import enh_lee.dask as eld
from _dask_helpers import same_bits, speckled, with_invalid

IMG = with_invalid(speckled((60, 50), seed=1))
SMALL = with_invalid(speckled((26, 21), seed=2))

# name: (image, chunks). With window=7 the halo is 3 ("window") or 6 ("residual").
CHUNKINGS = {
    "regular": (IMG, (16, 12)),
    "uneven": (IMG, ((10, 3, 37, 10), (1, 2, 30, 17))),
    "one-row": (IMG, (1, 50)),
    "one-column": (IMG, (60, 1)),
    "smaller-than-halo": (SMALL, (2, 3)),
    "uneven-smaller-than-halo": (SMALL, ((1, 5, 2, 4, 1, 13), (7, 1, 1, 2, 10))),
    "single-chunk": (IMG, (60, 50)),
}

COMBOS = list(itertools.product(enh_lee.BORDERS, enh_lee.STATISTICS))


@pytest.mark.parametrize("name", CHUNKINGS)
def test_bit_identical_every_border_and_statistic(client, name):
    img, chunks = CHUNKINGS[name]
    x = da.from_array(img, chunks=chunks)
    params = dict(window=7, looks=2.0, nodata=-1.0)
    lazy = [eld.filter(x, border=b, statistic=s, **params) for b, s in COMBOS]
    for y in lazy:
        assert y.chunks == x.chunks and y.dtype == np.float32 and y.shape == x.shape
    results = client.compute(lazy, sync=True)  # on the 2 worker processes
    for (b, s), got in zip(COMBOS, results):
        ref = enh_lee.filter(img, border=b, statistic=s, **params)
        assert same_bits(got, ref), (name, b, s)


PARAMS = [
    dict(window=3),
    dict(window=5, looks=4.4, damping=0.0),
    dict(window=9, looks=1.0, damping=3.0, signal="amplitude"),
    dict(window=7, looks=2.0, cu=0.3, cmax=1.9, statistic="residual"),
    dict(window=7, looks=2.0, cu=np.sqrt(1 / 2.0), cmax=np.sqrt(1 + 2 * 2.0),
         statistic="residual", border="reflect"),  # the question's code
    dict(window=51, statistic="residual", border="mirror"),  # halo 50 > the raster
    dict(window=101, border="nearest"),
    dict(window=7, nodata=np.float32(100.0)),
    dict(filter="lee", window=7, looks=3.0),
    dict(filter="kuan", window=5, looks=2.0, statistic="residual", border="shrink"),
    dict(filter="gamma_map", window=9, looks=4.4, nodata=-1.0),
    dict(filter="frost", window=7, damping=2.0, border="mirror"),
    dict(filter="refined_lee", nodata=-1.0),
    # Lee Sigma: the point threshold from counting tasks over all chunks.
    dict(filter="lee_sigma", looks=2.0, nodata=-1.0),
    dict(filter="lee_sigma", window=9, target_window=5, point_threshold=50.0),
    # SNAP's statistics: sample variance, clipped windows, Chebyshev Frost.
    dict(filter="frost", window=5, damping=2.0, compat="snap", border="mirror"),
    dict(filter="refined_lee", compat="snap", nodata=-1.0),
    # The Earth Engine script's Refined Lee.
    dict(filter="refined_lee", compat="gee", border="shrink"),
]


def test_every_parameter(client):
    x = da.from_array(IMG, chunks=((10, 3, 37, 10), (1, 2, 30, 17)))
    lazy = [eld.filter(x, **p) for p in PARAMS]
    for p, got in zip(PARAMS, client.compute(lazy, sync=True)):
        assert same_bits(got, enh_lee.filter(IMG, **p)), p


@pytest.mark.parametrize("dtype", [np.float64, np.int16, np.uint8, np.float32])
def test_input_dtypes(client, dtype):
    img = np.clip(IMG, 0, 250) if np.dtype(dtype).kind in "iu" else IMG
    img = np.nan_to_num(img, nan=5, posinf=7, neginf=0).astype(dtype) \
        if np.dtype(dtype).kind in "iu" else img.astype(dtype)
    x = da.from_array(img, chunks=(7, 9))
    got = client.compute(eld.filter(x, window=5), sync=True)
    assert same_bits(got, enh_lee.filter(img, window=5))


@pytest.mark.parametrize("signal", ["intensity", "amplitude"])
def test_complex_chunks_filter_their_intensity_or_amplitude(client, signal):
    rng = np.random.default_rng(4)
    z = (rng.standard_normal((40, 33)) + 1j * rng.standard_normal((40, 33))).astype(np.complex64)
    x = da.from_array(z, chunks=((10, 3, 27), (2, 31)))
    for flt in ("enhanced_lee", "lee_sigma"):
        got = client.compute(eld.filter(x, window=5, signal=signal, filter=flt), sync=True)
        assert same_bits(got, enh_lee.filter(z, window=5, signal=signal, filter=flt))


def test_3d_stack_filtered_plane_by_plane(client):
    stack = np.stack([speckled((40, 30), seed=s) for s in range(5)])
    stack[2, 10:12, 3] = np.nan
    x = da.from_array(stack, chunks=((2, 1, 2), (15, 25), (7, 7, 16)))
    y = eld.filter(x, window=5, statistic="residual", border="shrink")
    assert y.chunks == x.chunks
    got = client.compute(y, sync=True)
    ref = np.stack([enh_lee.filter(p, window=5, statistic="residual", border="shrink")
                    for p in stack])
    assert same_bits(got, ref)


def test_lee_sigma_stack_has_one_threshold_per_plane(client):
    # Planes of very different brightness: each gets its own whole-plane
    # threshold, even when a chunk holds several planes.
    stack = np.stack([speckled((40, 30), seed=s) * (1 + 10 * s) for s in range(3)])
    x = da.from_array(stack, chunks=((2, 1), (15, 25), (7, 23)))
    y = eld.filter(x, filter="lee_sigma", looks=3)
    got = client.compute(y, sync=True)
    ref = np.stack([enh_lee.filter(p, filter="lee_sigma", looks=3) for p in stack])
    assert same_bits(got, ref)


def _filter_tasks(y):
    return [t for k, t in dict(y.dask).items() if k[0] == y.name]


def test_threads(client):
    x = da.from_array(IMG, chunks=(20, 20))
    # threads=None (the default) means 1 library thread per task: Dask
    # already runs tasks in parallel.
    for threads, want in [(None, 1), (0, 0), (2, 2)]:
        y = eld.filter(x, threads=threads)
        tasks = _filter_tasks(y)
        plans = [v for v in dict(y.dask).values() if isinstance(v, enh_lee.Plan)]
        assert len(tasks) == 9 and len(plans) == 1
        assert f" threads={want}" in plans[0].provenance()
    lazy = [eld.filter(x), eld.filter(x, threads=0), eld.filter(x, threads=2)]
    for got in client.compute(lazy, sync=True):
        assert same_bits(got, enh_lee.filter(IMG))


def _unaligned(block):
    """The block as a float32 array at an odd address (as distributed may
    deserialise one out of a message frame)."""
    raw = np.empty(block.size * 4 + 1, dtype=np.uint8)[1:]
    out = raw.view(np.float32).reshape(block.shape)
    out[...] = block
    assert not out.flags.aligned
    return out


@pytest.mark.parametrize("chunks", [(60, 50), (16, 12)])
def test_unaligned_blocks(client, chunks):
    x = da.from_array(IMG, chunks=chunks).map_blocks(_unaligned, dtype=np.float32)
    got = client.compute(eld.filter(x, nodata=-1.0), sync=True)
    assert same_bits(got, enh_lee.filter(IMG, nodata=-1.0))


def test_empty_chunks(client):
    # Dask allows chunks of size 0 (e.g. after slicing); they stay empty.
    x = da.from_array(IMG, chunks=((0, 30, 0, 30), (25, 0, 25)))
    y = eld.filter(x, window=5)
    assert y.chunks == x.chunks
    assert same_bits(client.compute(y, sync=True), enh_lee.filter(IMG, window=5))


@pytest.mark.filterwarnings("ignore:Running on a single-machine scheduler")
def test_synchronous_and_threaded_schedulers():
    x = da.from_array(SMALL, chunks=(4, 5))
    ref = enh_lee.filter(SMALL, statistic="residual")
    for scheduler in ("sync", "threads"):
        got = eld.filter(x, statistic="residual").compute(scheduler=scheduler)
        assert same_bits(got, ref), scheduler


def test_deterministic_names():
    x = da.from_array(IMG, chunks=(16, 12))
    assert eld.filter(x, window=5).name == eld.filter(x, window=5).name
    assert eld.filter(x, window=5).name != eld.filter(x, window=7).name
    assert eld.filter(x, window=5).name != eld.filter(x, window=5, border="mirror").name


@pytest.mark.filterwarnings("ignore:Running on a single-machine scheduler")
def test_lazy_nothing_computed_until_asked():
    calls = []

    def boom():
        calls.append(1)
        raise RuntimeError("the input was computed")

    x = da.from_delayed(dask.delayed(boom)(), shape=(60, 50), dtype=np.float32)
    y = eld.filter(x, window=7)
    assert calls == [] and isinstance(y, da.Array)
    with pytest.raises(RuntimeError, match="the input was computed"):
        y.compute(scheduler="sync")


@pytest.mark.filterwarnings("ignore:Running on a single-machine scheduler")
def test_each_task_gets_only_its_chunk_plus_halo(monkeypatch):
    """No task receives more input than its source window (neighbour chunks
    are cut to the halo strips before they reach the filter task), and
    Dask's graph optimisation keeps those cuts as separate tasks, so only
    halo strips travel between workers."""
    seen = []
    real = eld._filter_block

    def spy(grid, region, plan):
        seen.append((region, sum(p.size for row in grid for p in row)))
        return real(grid, region, plan)

    monkeypatch.setattr(eld, "_filter_block", spy)
    img = speckled((200, 150), seed=3)
    x = da.from_array(img, chunks=(50, 40))
    params = dict(window=7, statistic="residual")
    y = eld.filter(x, **params)
    assert same_bits(y.compute(scheduler="sync"), enh_lee.filter(img, **params))
    assert len(seen) == 4 * 4
    for region, size in seen:
        sx, sy, sw, sh = enh_lee.source_window(img.shape, region, **params)
        assert size == sw * sh, region
    (opt,) = dask.optimize(y)
    halo_keys = [k for k in dict(opt.dask) if "enh-lee-halo" in k[0]]
    assert len(halo_keys) == len([k for k in dict(y.dask) if "enh-lee-halo" in k[0]]) > 0


def test_errors_are_raised_before_computing():
    x = da.from_array(IMG, chunks=(16, 12))
    for bad, exc in [(dict(window=4), enh_lee.InvalidArgumentError),
                     (dict(looks=0), enh_lee.InvalidArgumentError),
                     (dict(damping=-1), enh_lee.InvalidArgumentError),
                     (dict(cu=2.0, cmax=1.0), enh_lee.InvalidArgumentError),
                     (dict(cu=float("nan")), enh_lee.InvalidArgumentError),
                     (dict(threads=-1), enh_lee.InvalidArgumentError),
                     (dict(border="wrap"), ValueError),
                     (dict(window="7"), TypeError)]:
        with pytest.raises(exc) as got:
            eld.filter(x, **bad)
        with pytest.raises(exc) as want:
            enh_lee.filter(IMG, **bad)
        assert str(got.value) == str(want.value), bad
    for shape in [(0, 5), (5, 0), (2, 0, 5)]:
        with pytest.raises(enh_lee.InvalidArgumentError) as got:
            eld.filter(da.zeros(shape, chunks=1))
        assert got.value.name == "ENH_LEE_ERROR_EMPTY_IMAGE"
    with pytest.raises(TypeError, match="enh_lee.filter"):
        eld.filter(IMG)
    with pytest.raises(TypeError):
        eld.filter([[1.0, 2.0]])
    with pytest.raises(ValueError, match="2 dimensions"):
        eld.filter(da.ones(10, chunks=5))
    with pytest.raises(TypeError, match="real or complex numbers"):
        eld.filter(da.ones((5, 5), chunks=2, dtype=bool))
    with pytest.raises(TypeError, match="spatial_dims"):
        eld.filter(x, spatial_dims=("y", "x"))
    unknown = x[x[:, 0] > 100]  # rows of unknown count
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        eld.filter(unknown)


@pytest.mark.filterwarnings("ignore:Running on a single-machine scheduler")
def test_a_window_of_the_result_computes_only_its_chunks(monkeypatch):
    """Dask culls the graph: a slice of the result runs only the filter tasks
    of the chunks it touches (and reads only their source windows)."""
    regions = []
    real = eld._filter_block

    def spy(grid, region, plan):
        regions.append(region)
        return real(grid, region, plan)

    monkeypatch.setattr(eld, "_filter_block", spy)
    img = speckled((200, 150), seed=4)
    y = eld.filter(da.from_array(img, chunks=(50, 40)), window=5)
    got = y[60:90, 45:70].compute(scheduler="sync")
    assert same_bits(got, enh_lee.filter(img, window=5)[60:90, 45:70])
    assert sorted(regions) == [(40, 50, 40, 50)]


def test_keywords_are_the_librarys():
    """enh_lee.dask.filter takes the library's parameters (threads defaults
    to 1 per task) and rejects others with the library's list."""
    import inspect

    sig = inspect.signature(eld.filter)
    names = [p.name for p in enh_lee.PARAMETERS]
    assert [n for n in sig.parameters if n not in ("array", "spatial_dims")] == names
    assert sig.parameters["threads"].default == 1
    assert sig.parameters["window"].default == 7
    with pytest.raises(TypeError, match="radius"):
        eld.filter(da.ones((5, 5), chunks=2), radius=3)


@pytest.mark.parametrize("chunks", [((10, 3, 37, 10), (1, 2, 30, 17)), (16, 50), (7, 9)])
def test_looks_auto_is_each_planes_whole_estimate(client, chunks):
    img = np.nan_to_num(IMG, nan=0, posinf=0, neginf=0)
    img = np.abs(img) + 1
    x = da.from_array(img, chunks=chunks)
    got = client.compute(eld.filter(x, window=5, looks="auto"), sync=True)
    looks = enh_lee.estimate_looks(img)
    assert same_bits(got, enh_lee.filter(img, window=5, looks=looks))
    stack = np.stack([img, img[::-1] * 3 + 5])
    xs = da.from_array(stack, chunks=(1,) + tuple(chunks))
    got = client.compute(eld.filter(xs, window=5, looks="auto"), sync=True)
    ref = np.stack([enh_lee.filter(p, window=5, looks="auto") for p in stack])
    assert same_bits(got, ref)
