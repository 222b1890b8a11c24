"""Array handling, out=, in place, errors and regions of enh_lee.filter / filter_region."""

import os
import re

import numpy as np
import pytest

import enh_lee
from _reference import assert_matches_spec, speckled


@pytest.fixture(scope="module")
def img():
    im = speckled((45, 38), 2.0, seed=21)
    im[3, 4] = np.nan
    im[10:12, 20:23] = -9999.0
    return im


def lib_message(code):
    return enh_lee.status_message(code)


def filt(a, **kw):
    kw.setdefault("window", 5)
    kw.setdefault("nodata", -9999.0)
    return enh_lee.filter(a, **kw)


# ---------------------------------------------------------------- layouts

def test_result_is_new_c_contiguous_float32(img):
    out = filt(img)
    assert out.dtype == np.float32 and out.flags.c_contiguous and out.shape == img.shape
    assert not np.shares_memory(out, img)
    assert_matches_spec(out, img, window=5, nodata=-9999.0)


def test_in_place_equals_out_of_place_bit_for_bit(img):
    for statistic in ("window", "residual"):
        for border in ("reflect", "shrink"):
            expected = filt(img, statistic=statistic, border=border)
            a = img.copy()
            res = filt(a, statistic=statistic, border=border, out=a)
            assert res is a
            np.testing.assert_array_equal(a, expected)


def test_non_contiguous_and_other_dtypes_give_the_float32_copy_result(img):
    big = speckled((90, 80), 2.0, seed=22)
    cases = [
        big[::2, ::2],                 # steps in both directions
        big[1::3, :],                  # step in rows only: row-strided, used as is
        big[:, ::-1],                  # negative column stride
        big[::-1, :],                  # negative row stride
        big.T,                         # transposed
        np.asfortranarray(big),        # Fortran order
        big.astype(np.float64),
        big.astype(">f4"),             # big-endian float32
        np.clip(big, -32768, 32767).astype(np.int16),
        np.clip(big / 4, 0, 255).astype(np.uint8),
        np.clip(big, 0, 6e4).astype(np.float16),
        big.tolist(),                  # nested lists
    ]
    for case in cases:
        ref = filt(np.ascontiguousarray(np.asarray(case), dtype=np.float32))
        got = filt(case)
        assert got.dtype == np.float32 and got.flags.c_contiguous
        np.testing.assert_array_equal(got, ref)


def test_unaligned_float32_arrays_are_copied_not_refused(img):
    # A C-contiguous float32 view at an odd address (as distributed can
    # deliver blocks) is copied to an aligned array, then filtered.
    raw = np.zeros(img.size * 4 + 1, np.uint8)[1:]
    unaligned = raw.view(np.float32).reshape(img.shape)
    unaligned[...] = img
    assert unaligned.ctypes.data % 4 != 0
    expected = enh_lee.filter(img)
    assert np.array_equal(enh_lee.filter(unaligned), expected, equal_nan=True)
    region = enh_lee.filter_region(unaligned, img.shape, (0, 0, img.shape[1], img.shape[0]))
    assert np.array_equal(region, expected, equal_nan=True)


def test_row_strided_views_are_used_without_a_copy():
    base = speckled((60, 50), 2.0, seed=23)
    keep = base.copy()
    view = base[7:40, 5:31]           # strides (200, 4): rows of a larger array
    assert view.strides == (200, 4)
    expected = filt(view.copy())
    np.testing.assert_array_equal(filt(view), expected)
    # In place through the view: only the view's pixels change, which proves
    # the row stride reached the library (no copy was filtered instead).
    filt(view, out=view)
    np.testing.assert_array_equal(base[7:40, 5:31], expected)
    outside = np.ones(base.shape, bool)
    outside[7:40, 5:31] = False
    np.testing.assert_array_equal(base[outside], keep[outside])
    # A single column and a single row of a larger array, in place.
    col = base[:, 3:4]
    exp_col = filt(col.copy())
    filt(col, out=col)
    np.testing.assert_array_equal(base[:, 3:4], exp_col)
    row = base[::-1][5:6]             # one row, negative row stride: fine for height 1
    exp_row = filt(row.copy())
    filt(row, out=row)
    np.testing.assert_array_equal(row, exp_row)


def test_memmap_in_place(tmp_path, img):
    path = tmp_path / "img.f32"
    img.tofile(path)
    mm = np.memmap(path, dtype=np.float32, mode="r+", shape=img.shape)
    assert enh_lee.filter(mm, window=5, nodata=-9999.0, out=mm) is mm
    mm.flush()
    del mm
    np.testing.assert_array_equal(np.fromfile(path, np.float32).reshape(img.shape), filt(img))


def test_readonly_input_is_fine(img):
    ro = img.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(filt(ro), filt(img))


# ---------------------------------------------------------------- out=

def test_out_other_array(img):
    out = np.full(img.shape, 7.0, np.float32)
    assert filt(img, out=out) is out
    np.testing.assert_array_equal(out, filt(img))
    # A row-strided out (a window of a larger array) is fine too.
    canvas = np.zeros((img.shape[0] + 4, img.shape[1] + 6), np.float32)
    sub = canvas[2:-2, 3:-3]
    assert filt(img.astype(np.float64), out=sub) is sub
    np.testing.assert_array_equal(sub, filt(img))
    assert canvas[:2].sum() == 0 and canvas[:, :3].sum() == 0


def test_bad_out(img):
    def expect(exc, out, match):
        with pytest.raises(exc, match=match):
            filt(img, out=out)

    expect(ValueError, np.empty((45, 37), np.float32), "shape")
    expect(ValueError, np.empty((38, 45), np.float32), "shape")
    expect(TypeError, np.empty(img.shape, np.float64), "float32")
    expect(TypeError, np.empty(img.shape, ">f4"), "float32")
    expect(TypeError, [[0.0] * 38] * 45, "ndarray")
    expect(ValueError, np.empty((45, 76), np.float32)[:, ::2], "row-contiguous")
    expect(ValueError, np.empty((38, 45), np.float32).T, "row-contiguous")
    ro = np.empty(img.shape, np.float32)
    ro.flags.writeable = False
    expect(ValueError, ro, "read-only")
    # In place needs an image the library can use as is.
    for a in (img.astype(np.float64), np.asfortranarray(img), img[::2, ::2].copy()[:, ::1].T):
        with pytest.raises(ValueError, match="in place"):
            filt(a, out=a)


def test_partial_overlap_is_an_error_and_writes_nothing():
    base = speckled((40, 30), 2.0, seed=24)
    image, out = base[:-1], base[1:]
    before = base.copy()
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        filt(image, out=out)
    assert lib_message(16) in str(e.value) and e.value.status == 16
    assert e.value.name == "ENH_LEE_ERROR_PARTIAL_OVERLAP"
    np.testing.assert_array_equal(base, before)
    # Overlap with the original is fine when the input had to be copied anyway.
    b64 = base.astype(np.float64)
    dst = np.zeros((39, 30), np.float32)
    np.testing.assert_array_equal(filt(b64[:-1], out=dst), filt(base[:-1].copy()))


# ---------------------------------------------------------------- errors

BAD_PARAMS = [
    (dict(window=4), 6), (dict(window=1), 6), (dict(window=0), 6), (dict(window=-3), 6),
    (dict(window=2**32 + 3), 6),
    (dict(looks=0), 7), (dict(looks=-1.0), 7), (dict(looks=float("nan")), 7),
    (dict(looks=float("inf")), 7),
    (dict(damping=-0.1), 8), (dict(damping=float("inf")), 8),
    (dict(cu=1.0, cmax=1.0), 9), (dict(cu=2.0, cmax=1.0), 9), (dict(cu=-0.1), 9),
    (dict(cu=float("nan")), 9), (dict(cmax=float("inf")), 9),
    (dict(looks=0.5, cu=2.5), 9),  # cu >= derived cmax = sqrt(5)
    (dict(threads=1025), 14), (dict(threads=-1), 14),
]


@pytest.mark.parametrize("kw,code", BAD_PARAMS, ids=[str(k) for k, _ in BAD_PARAMS])
def test_bad_numbers_raise_the_librarys_message(img, kw, code):
    out = np.full(img.shape, 123.0, np.float32)
    for fn in (lambda: filt(img, out=out, **kw),
               lambda: enh_lee.filter_region(img, img.shape, (0, 0, 38, 45), out=out, **kw),
               lambda: enh_lee.halo(**kw),
               lambda: enh_lee.scratch_size(img.shape, **kw)):
        with pytest.raises(ValueError) as e:
            fn()
        assert isinstance(e.value, enh_lee.InvalidArgumentError)
        assert e.value.status == code
        assert str(e.value).startswith(lib_message(code))
    assert (out == 123.0).all()  # nothing half-written


@pytest.mark.parametrize("name", ["signal", "statistic", "border"])
def test_unknown_names(img, name):
    allowed = {"signal": enh_lee.SIGNALS, "statistic": enh_lee.STATISTICS,
               "border": enh_lee.BORDERS}[name]
    with pytest.raises(ValueError) as e:
        filt(img, **{name: "bogus"})
    for n in allowed:
        assert n in str(e.value)
    with pytest.raises(TypeError):
        filt(img, **{name: 1})
    # Names are case-insensitive.
    first = next(iter(allowed))
    np.testing.assert_array_equal(filt(img, **{name: first.upper()}), filt(img, **{name: first}))


def test_wrong_types(img):
    for kw in (dict(window=7.0), dict(window="7"), dict(window=True), dict(looks="1"),
               dict(damping=None), dict(cu="0.5"), dict(nodata="x"), dict(threads=1.5)):
        with pytest.raises(TypeError):
            filt(img, **kw)
    # Complex images are filtered as their intensity (test_complex.py).
    np.testing.assert_array_equal(filt(img.astype(np.complex64)), filt(img * img))
    with pytest.raises(TypeError):
        filt(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(TypeError):
        filt(img > 0)  # bool images are rejected rather than guessed at
    # numpy scalars are accepted.
    np.testing.assert_array_equal(
        filt(img, window=np.int64(5), looks=np.float32(1.0)), filt(img, window=5, looks=1.0))


def test_bad_shapes():
    # 3-D is a stack of planes (tests/test_planes.py); 4-D and 1-D are refused.
    for a in (np.zeros((2, 3, 4, 5), np.float32), np.zeros(5, np.float32), np.float32(1.0)):
        with pytest.raises(ValueError, match="2-D"):
            enh_lee.filter(a)
    for shape in ((0, 5), (5, 0), (0, 0)):
        with pytest.raises(enh_lee.InvalidArgumentError) as e:
            enh_lee.filter(np.zeros(shape, np.float32))
        assert str(e.value).startswith(lib_message(2))
        with pytest.raises(enh_lee.InvalidArgumentError) as e:
            enh_lee.filter(np.zeros(shape, np.float64), out=np.zeros(shape, np.float32))
        assert str(e.value).startswith(lib_message(2))


def test_status_messages_and_version():
    assert enh_lee.version().split(".")[:2] == enh_lee.ABI_VERSION.split(".")[:2]
    # The package, its pyproject and the Rust crate carry one version.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    versions = set()
    for path in (os.path.join(root, "pyproject.toml"), os.path.join(root, "Cargo.toml")):
        with open(path) as f:
            versions |= set(re.findall(r'^version = "([0-9.]+)"$', f.read(), re.M)[:1])
    assert versions == {enh_lee.__version__}
    for code in range(0, 26):
        assert isinstance(lib_message(code), str) and lib_message(code)


def test_halo_and_scratch_size():
    for w in (3, 5, 7, 11, 31):
        assert enh_lee.halo(window=w) == (w - 1) // 2
        assert enh_lee.halo(window=w, statistic="residual") == w - 1
    s1 = enh_lee.scratch_size((100, 1000), window=7, threads=1)
    assert s1 > 0
    assert enh_lee.scratch_size((100000, 1000), window=7, threads=1) == s1  # not with height
    assert enh_lee.scratch_size((100, 4000), window=7, threads=1) > s1       # with width
    with pytest.raises(TypeError):
        enh_lee.halo(windw=7)  # unknown keywords are not ignored
    with pytest.raises(enh_lee.InvalidArgumentError):
        enh_lee.scratch_size((0, 10))


# ---------------------------------------------------------------- regions

def tiles(h, w, th, tw):
    for y in range(0, h, th):
        for x in range(0, w, tw):
            yield (x, y, min(tw, w - x), min(th, h - y))


@pytest.mark.parametrize("statistic", ["window", "residual"])
@pytest.mark.parametrize("border", ["reflect", "mirror", "nearest", "shrink"])
def test_tiling_reproduces_the_whole_image(img, statistic, border):
    params = dict(window=7, looks=2.0, statistic=statistic, border=border, nodata=-9999.0)
    whole = enh_lee.filter(img, **params)
    H, W = img.shape
    assert enh_lee.halo(**params) in (3, 6)
    # Tiles smaller than the halo, odd sizes, strips, the whole raster.
    for th, tw in ((1, 1), (2, 3), (5, 4), (7, 11), (16, W), (H, 9), (H, W)):
        got = np.full((H, W), np.nan, np.float32)
        for region in tiles(H, W, th, tw):
            x, y, w, h = enh_lee.source_window((H, W), region, **params)
            src = img[y:y + h, x:x + w]   # a view: row stride passed through
            got[region[1]:region[1] + region[3], region[0]:region[0] + region[2]] = \
                enh_lee.filter_region(src, (H, W), region, **params)
        np.testing.assert_array_equal(got, whole, err_msg=f"tiles {th}x{tw}")


def test_region_out_and_in_place(img):
    H, W = img.shape
    whole = filt(img)
    region = (5, 6, 20, 13)
    x, y, w, h = enh_lee.source_window((H, W), region, window=5)
    out = np.empty((13, 20), np.float32)
    assert enh_lee.filter_region(img[y:y + h, x:x + w], (H, W), region, window=5,
                                 nodata=-9999.0, out=out) is out
    np.testing.assert_array_equal(out, whole[6:19, 5:25])
    # Written straight into the matching window of a full-size output.
    full = np.zeros_like(img)
    enh_lee.filter_region(img[y:y + h, x:x + w].astype(np.float64), (H, W), region, window=5,
                          nodata=-9999.0, out=full[6:19, 5:25])
    np.testing.assert_array_equal(full[6:19, 5:25], whole[6:19, 5:25])
    # In place is allowed for the whole raster only.
    a = img.copy()
    enh_lee.filter_region(a, (H, W), (0, 0, W, H), window=5, nodata=-9999.0, out=a)
    np.testing.assert_array_equal(a, whole)
    # A region's output overlapping its source is an error (status 16), nothing written.
    a = img.copy()
    src = a[y:y + h, x:x + w]
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        enh_lee.filter_region(src, (H, W), region, window=5, out=a[6:19, 5:25])
    assert e.value.status == 16
    np.testing.assert_array_equal(a, img)


def test_source_window():
    sw = enh_lee.source_window
    assert sw((1000, 800), (0, 100, 800, 50), window=7) == (0, 97, 800, 56)
    assert sw((1000, 800), (0, 0, 800, 50), window=7) == (0, 0, 800, 53)
    assert sw((1000, 800), (10, 990, 5, 10), window=7, statistic="residual") == (4, 984, 17, 16)
    r = sw((10, 10), (2, 3, 4, 5), window=21)
    assert r == (0, 0, 10, 10) and r.x_off == 0 and isinstance(r, enh_lee.Region)
    # A window wider than twice the raster plus one is refused, naming it.
    with pytest.raises(enh_lee.InvalidArgumentError, match="window"):
        sw((10, 10), (2, 3, 4, 5), window=23)


def test_bad_regions(img):
    H, W = img.shape
    bad = [((H, W), (0, 0, W + 1, H), 17), ((H, W), (1, 0, W, H), 17),
           ((H, W), (0, H, 1, 1), 17), ((H, W), (-1, 0, 2, 2), 17),
           ((H, W), (0, 0, 0, 5), 2), ((H, W), (0, 0, 5, 0), 2), ((0, W), (0, 0, 1, 1), 2)]
    for shape, region, code in bad:
        for fn in (lambda: enh_lee.source_window(shape, region),
                   lambda: enh_lee.filter_region(img, shape, region)):
            with pytest.raises(enh_lee.InvalidArgumentError) as e:
                fn()
            assert e.value.status == code and str(e.value).startswith(lib_message(code))
    with pytest.raises(ValueError, match="source window"):
        enh_lee.filter_region(img[:, :-1], (H, W), (0, 0, W, H))  # src too small: never read
    with pytest.raises(ValueError, match="source window"):
        enh_lee.filter_region(img, (H, W), (0, 0, 10, 10), window=5)
    with pytest.raises(ValueError, match="shape"):
        enh_lee.filter_region(img, (H, W), (0, 0, W, H), out=np.empty((H, W - 1), np.float32))
    with pytest.raises(TypeError):
        enh_lee.filter_region(img, (H, W), (0, 0, W))
