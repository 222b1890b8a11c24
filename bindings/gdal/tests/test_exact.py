"""The ENHLEE driver equals the library's whole-image result bit for bit,
whatever the source layout, the driver's blocks, the reader's windows and
the destination layout; decimated reads come from filtered pixels."""

import os
import threading

import numpy as np
import pytest

import enh_lee
from conftest import gdal, mem_copy, open_options, read_f32, speckled, translate, write_tif

PARAMS = [
    dict(window=7, looks=4.4),
    dict(window=5, looks=2.0, statistic="residual", border="mirror"),
    dict(window=9, looks=1.0, damping=2.0, signal="amplitude", border="nearest"),
    dict(window=3, looks=3.0, border="shrink", cu=0.3, cmax=1.2),
    dict(filter="lee", window=7, looks=4.4),
    dict(filter="kuan", window=5, looks=2.0, statistic="residual"),
    dict(filter="gamma_map", window=9, looks=3.0, border="nearest"),
    dict(filter="frost", window=5, damping=2.0, border="shrink", nodata=0.0),
    dict(filter="refined_lee", border="mirror", nodata=0.0),
    dict(filter="lee_sigma", looks=3.0, nodata=0.0),
    dict(filter="lee_sigma", window=9, target_window=5, sigma=0.7, border="shrink"),
    dict(filter="frost", window=3, damping=2.0, compat="snap"),  # SNAP's default Frost
    dict(filter="lee_sigma", looks=2.0, compat="snap", nodata=0.0),
    dict(filter="refined_lee", compat="gee", nodata=0.0),  # the Earth Engine script's
]
LAYOUTS = {
    "strips-1-row": ["BLOCKYSIZE=1"],
    "tiles-16": ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"],
    "tiles-256": ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256"],
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("params", PARAMS, ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_gdal_translate_equals_whole_image(tmp_path, scene, layout, params):
    src = write_tif(tmp_path / "in.tif", scene, options=LAYOUTS[layout])
    translate("ENHLEE:" + src, tmp_path / "out.tif", params)
    got = read_f32(tmp_path / "out.tif")
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, enh_lee.filter(scene, **params))


@pytest.mark.parametrize("co", [
    ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"],
    ["TILED=YES", "BLOCKXSIZE=32", "BLOCKYSIZE=48"],
    ["BLOCKYSIZE=3"],
    ["INTERLEAVE=PIXEL", "COMPRESS=DEFLATE"],
])
def test_destination_tiling(tmp_path, scene_tif, scene, co):
    params = dict(window=7, looks=4.4)
    extra = [a for c in co for a in ("-co", c)]
    translate("ENHLEE:" + scene_tif, tmp_path / "out.tif", params, extra)
    np.testing.assert_array_equal(read_f32(tmp_path / "out.tif"),
                                  enh_lee.filter(scene, **params))


@pytest.mark.parametrize("block", [(1, 1), (7, 5), (37, 23), (1000, 1), (1, 1000), (256, 256)])
def test_driver_block_sizes_and_odd_windows(scene_tif, scene, block):
    """Small requests go through cached blocks, large ones are filtered
    straight into the buffer: both equal the whole image everywhere."""
    params = dict(window=5, looks=2.5, statistic="residual")
    ref = enh_lee.filter(scene, **params)
    ds = gdal.OpenEx("ENHLEE:" + scene_tif, open_options=open_options(params) + [
        f"BLOCKXSIZE={block[0]}", f"BLOCKYSIZE={block[1]}"])
    band = ds.GetRasterBand(1)
    assert band.GetBlockSize() == [min(block[0], 301), min(block[1], 257)]
    h, w = scene.shape
    for y in range(3, h, 23):
        for x in range(5, w, 37):
            ww, hh = min(37, w - x), min(23, h - y)
            np.testing.assert_array_equal(band.ReadAsArray(x, y, ww, hh), ref[y:y + hh, x:x + ww])
    np.testing.assert_array_equal(band.ReadAsArray(), ref)
    np.testing.assert_array_equal(band.ReadAsArray(11, 0, 250, 257), ref[:, 11:261])
    # Buffer types and spacings other than packed Float32 (the temp path).
    np.testing.assert_array_equal(band.ReadAsArray(buf_type=gdal.GDT_Float64), ref.astype(np.float64))
    raw = band.ReadRaster(0, 0, w, h, buf_type=gdal.GDT_Float32, buf_pixel_space=8,
                          buf_line_space=8 * w)
    np.testing.assert_array_equal(np.frombuffer(raw, np.float32)[::2][: w * h].reshape(h, w), ref)


def test_python_open_defaults(scene_tif, scene):
    ds = gdal.Open("ENHLEE:" + scene_tif)
    assert ds.GetDriver().ShortName == "ENHLEE"
    np.testing.assert_array_equal(ds.ReadAsArray(), enh_lee.filter(scene))


def test_threads_option_does_not_change_result(scene_tif, scene):
    ref = enh_lee.filter(scene, window=7, looks=4.4)
    for t in (0, 1, 2, 7):
        ds = gdal.OpenEx("ENHLEE:" + scene_tif, open_options=["WINDOW=7", "LOOKS=4.4", f"THREADS={t}"])
        np.testing.assert_array_equal(ds.ReadAsArray(), ref)


RESAMPLING = {"nearest": gdal.GRIORA_NearestNeighbour, "average": gdal.GRIORA_Average,
              "bilinear": gdal.GRIORA_Bilinear}


def _gdal_decimate(array, bx, by, resampling="nearest"):
    """What GDAL's own decimation gives for a full-resolution image."""
    ds = mem_copy(array)  # keep the dataset alive while its band is read
    return ds.GetRasterBand(1).ReadAsArray(buf_xsize=bx, buf_ysize=by,
                                           resample_alg=RESAMPLING[resampling])


def _assert_own_overview(band):
    """The band's one overview is the driver's: the band itself at full
    resolution (for gdal_translate -ovr), marked so that GDAL's RasterIO
    never picks it; never one of the source's."""
    assert band.GetOverviewCount() == 1
    ovr = band.GetOverview(0)
    assert (ovr.XSize, ovr.YSize) == (band.XSize, band.YSize)
    assert ovr.GetMetadataItem("RESAMPLING").startswith("AVERAGE_BIT2")


@pytest.mark.parametrize("buf", [(75, 64), (100, 100), (30, 257), (301, 20), (13, 7)])
def test_decimated_reads_come_from_filtered_pixels(scene_tif, scene, buf):
    ref = enh_lee.filter(scene, window=7, looks=4.4)
    ds = gdal.OpenEx("ENHLEE:" + scene_tif, open_options=["WINDOW=7", "LOOKS=4.4"])
    band = ds.GetRasterBand(1)
    _assert_own_overview(band)
    got = band.ReadAsArray(buf_xsize=buf[0], buf_ysize=buf[1])
    expect = _gdal_decimate(ref, *buf)
    np.testing.assert_array_equal(got, expect)
    assert not np.array_equal(got, _gdal_decimate(scene, *buf))
    for alg in ("average", "bilinear"):
        got = band.ReadAsArray(buf_xsize=buf[0], buf_ysize=buf[1],
                               resample_alg=RESAMPLING[alg])
        np.testing.assert_array_equal(got, _gdal_decimate(ref, *buf, alg))


@pytest.mark.parametrize("r", ["nearest", "average"])
def test_gdal_translate_outsize(tmp_path, scene_tif, scene, r):
    params = dict(window=7, looks=4.4)
    translate("ENHLEE:" + scene_tif, tmp_path / "small.tif", params,
              ["-outsize", "25%", "25%", "-r", r])
    # The same decimation applied by GDAL to the filtered full-resolution image.
    full = write_tif(tmp_path / "full.tif", enh_lee.filter(scene, **params))
    translate(full, tmp_path / "expect.tif", extra=["-outsize", "25%", "25%", "-r", r])
    got = read_f32(tmp_path / "small.tif")
    assert got.shape == (64, 75)
    np.testing.assert_array_equal(got, read_f32(tmp_path / "expect.tif"))


def test_source_overviews_are_never_used(tmp_path, scene):
    """A source with (unfiltered) overviews: the driver reports only its
    own and decimated reads are decimated filtered pixels."""
    src = write_tif(tmp_path / "in.tif", scene)
    ds = gdal.Open(src, gdal.GA_Update)
    ds.BuildOverviews("NEAREST", [2, 4])
    ds = None
    ref = enh_lee.filter(scene, window=7, looks=4.4)
    ds = gdal.OpenEx("ENHLEE:" + src, open_options=["WINDOW=7", "LOOKS=4.4"])
    band = ds.GetRasterBand(1)
    _assert_own_overview(band)
    assert band.GetOverview(1) is None
    np.testing.assert_array_equal(band.ReadAsArray(buf_xsize=76, buf_ysize=65),
                                  _gdal_decimate(ref, 76, 65))
    translate("ENHLEE:" + src, tmp_path / "small.tif", dict(window=7, looks=4.4),
              ["-outsize", "50%", "50%"])
    got = read_f32(tmp_path / "small.tif")
    np.testing.assert_array_equal(got, _gdal_decimate(ref, got.shape[1], got.shape[0]))


def test_concurrent_handles_in_threads(scene_tif, scene):
    """GDAL may read different blocks from different threads through
    different dataset handles."""
    ref = enh_lee.filter(scene, window=5, looks=3.0)
    errors = []

    def worker(seed):
        try:
            rng = np.random.default_rng(seed)
            ds = gdal.OpenEx("ENHLEE:" + scene_tif, open_options=[
                "WINDOW=5", "LOOKS=3", f"BLOCKXSIZE={17 + seed}", f"BLOCKYSIZE={9 + seed}"])
            band = ds.GetRasterBand(1)
            for _ in range(60):
                w, h = int(rng.integers(1, 301)), int(rng.integers(1, 257))
                x, y = int(rng.integers(0, 302 - w)), int(rng.integers(0, 258 - h))
                if not np.array_equal(band.ReadAsArray(x, y, w, h), ref[y:y + h, x:x + w]):
                    errors.append((seed, x, y, w, h))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_tiny_rasters(tmp_path):
    """Width or height 1 and rasters smaller than the window."""
    for shape in [(1, 1), (1, 9), (9, 1), (2, 3), (5, 40)]:
        img = speckled(shape, 2.0, seed=3)
        src = write_tif(tmp_path / f"t{shape[0]}x{shape[1]}.tif", img)
        for params in (dict(window=7), dict(window=5, statistic="residual", border="mirror")):
            ds = gdal.OpenEx("ENHLEE:" + src, open_options=open_options(params))
            np.testing.assert_array_equal(ds.ReadAsArray().reshape(shape),
                                          enh_lee.filter(img, **params))


def test_randomized_configurations(tmp_path):
    """Random rasters, parameters, driver blocks and read windows (fixed
    seed): every read equals the same pixels of the whole-image result."""
    rng = np.random.default_rng(20240601)
    for case in range(int(os.environ.get("ENHLEE_RANDOM_CASES", "40"))):
        h, w = int(rng.integers(1, 90)), int(rng.integers(1, 90))
        img = speckled((h, w), float(rng.uniform(1, 6)), seed=case)
        params = dict(window=int(rng.choice([3, 5, 7, 9, 15, 31])),
                      looks=float(rng.uniform(0.5, 8)),
                      damping=float(rng.choice([0.0, 0.5, 1.0, 3.0])),
                      statistic=str(rng.choice(["window", "residual"])),
                      border=str(rng.choice(["reflect", "mirror", "nearest", "shrink"])),
                      signal=str(rng.choice(["intensity", "amplitude"])))
        nodata = None
        if rng.random() < 0.5:
            nodata = -1.0
            img[rng.random((h, w)) < 0.05] = -1.0
        if rng.random() < 0.3:
            img[rng.random((h, w)) < 0.02] = np.nan
        src = write_tif(tmp_path / f"r{case}.tif", img, nodata=nodata)
        ref = enh_lee.filter(img, nodata=nodata, **params)
        bx, by = int(rng.integers(1, 70)), int(rng.integers(1, 70))
        ds = gdal.OpenEx("ENHLEE:" + src, open_options=open_options(params) + [
            f"BLOCKXSIZE={bx}", f"BLOCKYSIZE={by}"])
        band = ds.GetRasterBand(1)
        for _ in range(12):
            ww, hh = int(rng.integers(1, w + 1)), int(rng.integers(1, h + 1))
            x, y = int(rng.integers(0, w - ww + 1)), int(rng.integers(0, h - hh + 1))
            np.testing.assert_array_equal(
                band.ReadAsArray(x, y, ww, hh), ref[y:y + hh, x:x + ww],
                err_msg=f"case {case}: {h}x{w} {params} nodata={nodata} block {bx}x{by} "
                        f"window {x},{y} {ww}x{hh}")


def test_read_ahead_hands_over_only_the_window_it_filtered(tmp_path):
    """Large reads filter the window below ahead of time; the next read
    gets it only if it asks for exactly that window, in any buffer type,
    and whatever it asks for, every pixel is the whole image's."""
    img = speckled((700, 300), 3.0, seed=21)
    src = write_tif(tmp_path / "in.tif", img, options=["TILED=YES"])
    want = enh_lee.filter(img, window=7, looks=3.0)
    ds = gdal.OpenEx("ENHLEE:" + src, open_options=["WINDOW=7", "LOOKS=3",
                                                     "BLOCKXSIZE=32", "BLOCKYSIZE=32"])
    band = ds.GetRasterBand(1)
    handed = []
    gdal.SetConfigOption("CPL_DEBUG", "ENHLEE")
    gdal.PushErrorHandler(lambda level, no, msg: handed.append(msg))
    # Sequential strips (handed over), then a jump, a different width, a
    # shorter window at the same place, a Float64 buffer and the last rows.
    for x, y, w, h, kind in [(0, 0, 300, 128, gdal.GDT_Float32),
                             (0, 128, 300, 128, gdal.GDT_Float32),
                             (0, 256, 300, 128, gdal.GDT_Float64),
                             (0, 500, 300, 128, gdal.GDT_Float32),
                             (10, 628, 290, 72, gdal.GDT_Float32),
                             (0, 256, 300, 64, gdal.GDT_Float32),
                             (0, 320, 300, 64, gdal.GDT_Float32),
                             (0, 384, 300, 316, gdal.GDT_Float32)]:
        got = band.ReadAsArray(x, y, w, h, buf_type=kind)
        np.testing.assert_array_equal(got, want[y:y + h, x:x + w].astype(got.dtype))
    gdal.PopErrorHandler()
    gdal.SetConfigOption("CPL_DEBUG", None)
    ahead = [m for m in handed if "filtered ahead" in m]
    assert [m.split("window ")[1] for m in ahead] == [
        "0,128 300x128 of 1 band(s) filtered ahead", "0,256 300x128 of 1 band(s) filtered ahead",
        "0,320 300x64 of 1 band(s) filtered ahead"], handed
    ds = None   # closes with a read-ahead in flight


def test_reads_of_several_bands_at_once(tmp_path):
    """A pixel-interleaved source is presented pixel-interleaved; reads of
    several bands at once (gdal_translate's swaths), in any band order and
    buffer layout, give each band's filtered pixels, and sequential swaths
    are filtered ahead, every band together."""
    bands = [speckled((300, 220), 3.0, seed=s) for s in (31, 32, 33)]
    src = write_tif(tmp_path / "in.tif", bands, options=["INTERLEAVE=PIXEL", "TILED=YES"])
    want = [enh_lee.filter(b, window=5) for b in bands]
    ds = gdal.OpenEx("ENHLEE:" + src, open_options=["WINDOW=5", "BLOCKYSIZE=16"])
    assert ds.GetMetadata("IMAGE_STRUCTURE")["INTERLEAVE"] == "PIXEL"
    got = ds.ReadAsArray(0, 0, 220, 300)            # band-sequential buffer
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    for y in (0, 100, 200):                         # swaths, pixel-interleaved
        raw = ds.ReadRaster(10, y, 200, 100, band_list=[3, 1], buf_pixel_space=8,
                            buf_line_space=8 * 200, buf_band_space=4)
        pix = np.frombuffer(raw, np.float32).reshape(100, 200, 2)
        np.testing.assert_array_equal(pix[..., 0], want[2][y:y + 100, 10:210])
        np.testing.assert_array_equal(pix[..., 1], want[0][y:y + 100, 10:210])
    # Small and decimated reads of several bands go through GDAL's blocks:
    # the same pixels as each band's own reads.
    small = ds.ReadAsArray(7, 9, 30, 25)
    for g, w in zip(small, want):
        np.testing.assert_array_equal(g, w[9:34, 7:37])
    decimated = ds.ReadAsArray(0, 0, 220, 300, buf_xsize=110, buf_ysize=150)
    for i, g in enumerate(decimated, 1):
        np.testing.assert_array_equal(g, ds.GetRasterBand(i).ReadAsArray(
            0, 0, 220, 300, buf_xsize=110, buf_ysize=150))
        np.testing.assert_array_equal(g, want[i - 1][1::2, 1::2])
    out = tmp_path / "out.tif"
    translate("ENHLEE:" + src, out, dict(window=5), extra=["-co", "TILED=YES"])
    for i, w in enumerate(want, 1):
        np.testing.assert_array_equal(read_f32(out, i), w)
    # A band-interleaved source stays band-interleaved.
    bsq = write_tif(tmp_path / "bsq.tif", bands, options=["INTERLEAVE=BAND"])
    assert gdal.Open("ENHLEE:" + bsq).GetMetadata("IMAGE_STRUCTURE")["INTERLEAVE"] == "BAND"
