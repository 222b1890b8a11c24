"""Sentinel-1 rasters as they come: UInt16 dual-pol GRD amplitudes with
zero-valued borders, complex SLC bands, scale and offset, and source
statistics that do not describe the filtered pixels."""

import numpy as np
import pytest

import enh_lee
from conftest import gdal, speckled, translate, write_tif

H, W = 150, 130


def grd_band(seed, level):
    """A UInt16 amplitude band (the square root of 4-look speckle) with
    zero-valued borders, as Sentinel-1 GRD products have them."""
    amp = np.sqrt(speckled((H, W), 4.0, seed=seed) * level)
    img = np.round(amp).clip(1, 65535).astype(np.uint16)
    img[:, :23] = 0          # the swath's edge
    img[-17:, :] = 0         # the last lines
    return img


def test_uint16_dual_pol_with_zero_borders(tmp_path):
    vv, vh = grd_band(1, 400.0), grd_band(2, 60.0)
    src = write_tif(tmp_path / "grd.tif", [vv, vh], dtype=gdal.GDT_UInt16, nodata=0,
                    options=["INTERLEAVE=PIXEL", "TILED=YES", "BLOCKXSIZE=64",
                             "BLOCKYSIZE=64"])
    params = dict(window=7, looks=4.4, signal="amplitude")
    out = tmp_path / "out.tif"
    translate("ENHLEE:" + src, out, params)
    ds = gdal.Open(str(out))
    assert ds.RasterCount == 2
    for i, band in enumerate((vv, vh), 1):
        got = ds.GetRasterBand(i).ReadAsArray()
        want = enh_lee.filter(band.astype(np.float32), nodata=0, **params)
        np.testing.assert_array_equal(got, want)
        assert ds.GetRasterBand(i).GetNoDataValue() == 0
        assert (got[:, :23] == 0).all() and (got[-17:, :] == 0).all()
        # The three columns next to the border (the window's reach) keep
        # the level of the three beside them: the zeros are not averaged
        # in. Without the nodata value they darken them by about 6%.
        inner = got[10:100, 26:29].mean()
        assert got[10:100, 23:26].mean() / inner > 0.97
        dark = enh_lee.filter(band.astype(np.float32), **params)
        assert dark[10:100, 23:26].mean() / inner < 0.96


def test_source_statistics_are_not_copied(tmp_path):
    img = speckled((H, W), 3.0, seed=4)
    src = write_tif(tmp_path / "in.tif", img)
    ds = gdal.Open(src, gdal.GA_Update)
    ds.GetRasterBand(1).ComputeStatistics(False)
    ds.GetRasterBand(1).SetMetadataItem("POLARISATION", "VV")
    ds = None
    assert "STATISTICS_MEAN" in gdal.Open(src).GetRasterBand(1).GetMetadata()
    filtered = gdal.Open("ENHLEE:" + src)
    assert filtered.GetRasterBand(1).GetMetadata() == {"POLARISATION": "VV"}
    translate("ENHLEE:" + src, tmp_path / "out.tif")
    out = gdal.Open(str(tmp_path / "out.tif"))
    md = out.GetRasterBand(1).GetMetadata()
    assert not any(k.startswith("STATISTICS_") for k in md), md


def slc(seed, dtype):
    """A complex band: circular Gaussian speckle over two reflectivities."""
    rng = np.random.default_rng(seed)
    level = np.where(np.arange(W) < W // 2, 300.0, 5000.0)
    z = (rng.standard_normal((H, W)) + 1j * rng.standard_normal((H, W))) * np.sqrt(level / 2)
    if dtype == gdal.GDT_CInt16:
        z = np.round(z.real) + 1j * np.round(z.imag)
    return z.astype(np.complex64)


@pytest.mark.parametrize("dtype", [gdal.GDT_CInt16, gdal.GDT_CFloat32])
@pytest.mark.parametrize("params", [dict(window=5),
                                    dict(window=7, signal="amplitude", filter="lee"),
                                    dict(window=7, filter="lee_sigma")],
                         ids=["intensity", "amplitude", "lee_sigma"])
def test_complex_bands_filter_their_intensity_or_amplitude(tmp_path, dtype, params):
    z = [slc(1, dtype), slc(2, dtype)]
    src = write_tif(tmp_path / "slc.tif", z, dtype=dtype)
    out = tmp_path / "out.tif"
    translate("ENHLEE:" + src, out, params, extra=["-co", "TILED=YES"])
    ds = gdal.Open(str(out))
    signal = params.get("signal", "intensity")
    for i in (1, 2):
        band = ds.GetRasterBand(i)
        assert band.DataType == gdal.GDT_Float32
        assert band.GetMetadataItem("ENHLEE_COMPLEX_AS") == signal
        np.testing.assert_array_equal(band.ReadAsArray(), enh_lee.filter(z[i - 1], **params))


def test_complex_and_real_bands_together(tmp_path):
    real = speckled((H, W), 2.0, seed=3)
    z = slc(5, gdal.GDT_CFloat32)
    r = write_tif(tmp_path / "r.tif", real)
    c = write_tif(tmp_path / "c.tif", z, dtype=gdal.GDT_CFloat32)
    vrt = tmp_path / "mixed.vrt"
    vrt.write_text(f"""<VRTDataset rasterXSize="{W}" rasterYSize="{H}">
  <VRTRasterBand dataType="Float32" band="1"><SimpleSource>
    <SourceFilename>{r}</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand>
  <VRTRasterBand dataType="CFloat32" band="2"><SimpleSource>
    <SourceFilename>{c}</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand>
</VRTDataset>""")
    ds = gdal.OpenEx(f"ENHLEE:{vrt}", open_options=["WINDOW=5"])
    np.testing.assert_array_equal(ds.GetRasterBand(1).ReadAsArray(),
                                  enh_lee.filter(real, window=5))
    np.testing.assert_array_equal(ds.GetRasterBand(2).ReadAsArray(),
                                  enh_lee.filter(z, window=5))
    assert ds.GetRasterBand(1).GetMetadataItem("ENHLEE_COMPLEX_AS") is None


@pytest.mark.parametrize("scale,offset", [(1.0, -10.0), (-2.0, 0.0), (0.01, 5.0)])
def test_raw_numbers_under_an_offset_are_refused(tmp_path, scale, offset):
    img = np.round(speckled((H, W), 3.0, seed=6)).clip(0, 60000).astype(np.uint16)
    src = write_tif(tmp_path / "in.tif", img, dtype=gdal.GDT_UInt16)
    ds = gdal.Open(src, gdal.GA_Update)
    ds.GetRasterBand(1).SetScale(scale)
    ds.GetRasterBand(1).SetOffset(offset)
    ds = None
    with pytest.raises(RuntimeError, match="not proportional to the physical values"):
        gdal.Open("ENHLEE:" + src)
    p = translate("ENHLEE:" + src, tmp_path / "o.tif", check=False)
    assert p.returncode == 1 and "-unscale" in p.stderr
    assert not (tmp_path / "o.tif").exists()
    # The way the message gives: a VRT of the physical values.
    phys = tmp_path / "physical.vrt"
    gdal.Translate(str(phys), src, format="VRT", outputType=gdal.GDT_Float32, unscale=True)
    got = gdal.OpenEx(f"ENHLEE:{phys}").ReadAsArray()
    physical = (img.astype(np.float64) * scale + offset).astype(np.float32)
    np.testing.assert_allclose(got, enh_lee.filter(physical), rtol=1e-5, atol=1e-5)


def test_looks_auto_is_the_whole_bands_estimate(tmp_path):
    """LOOKS=auto: each band's looks estimated over the whole band (three
    strip passes), written to the metadata, the same as the library's
    in-memory estimate; blocks of any size then filter with it."""
    vv, vh = grd_band(1, 400.0), grd_band(2, 60.0)
    src = write_tif(tmp_path / "grd.tif", [vv, vh], dtype=gdal.GDT_UInt16, nodata=0)
    params = dict(window=7, looks="auto", signal="amplitude")
    ds = gdal.OpenEx("ENHLEE:" + src, open_options=["WINDOW=7", "LOOKS=auto",
                                                     "SIGNAL=amplitude", "BLOCKYSIZE=20"])
    assert ds.GetMetadata("ENHLEE")["LOOKS"] == "auto"
    out = tmp_path / "out.tif"
    p = translate("ENHLEE:" + src, out, params)
    assert "Warning" not in p.stderr, p.stderr     # LOOKS=auto is a valid value
    written = gdal.Open(str(out))
    for i, band in enumerate((vv, vh), 1):
        f32 = band.astype(np.float32)
        looks = enh_lee.estimate_looks(f32, nodata=0, signal="amplitude")
        assert 3.0 < looks < 5.0, looks      # 4-look speckle, amplitude model
        b = ds.GetRasterBand(i)
        md = b.GetMetadata("ENHLEE")
        assert float(md["LOOKS"]) == looks and md["LOOKS_SOURCE"] == "estimated"
        assert float(b.GetMetadataItem("ENHLEE_LOOKS")) == looks
        want = enh_lee.filter(f32, nodata=0, window=7, looks=looks, signal="amplitude")
        np.testing.assert_array_equal(b.ReadAsArray(), want)
        np.testing.assert_array_equal(b.ReadAsArray(10, 33, 50, 41), want[33:74, 10:60])
        # ... and gdal_translate keeps the value with the pixels.
        wb = written.GetRasterBand(i)
        assert float(wb.GetMetadataItem("ENHLEE_LOOKS")) == looks
        np.testing.assert_array_equal(wb.ReadAsArray(), want)
    # Given back, the value filters a window of the raster alone the same.
    given = ds.GetRasterBand(1).GetMetadata("ENHLEE")["LOOKS"]
    part = gdal.OpenEx(f"ENHLEE:{src}", open_options=["WINDOW=7", f"LOOKS={given}",
                                                       "SIGNAL=amplitude"])
    assert part.GetRasterBand(1).GetMetadata("ENHLEE").get("LOOKS_SOURCE") is None
    np.testing.assert_array_equal(part.GetRasterBand(1).ReadAsArray(),
                                  ds.GetRasterBand(1).ReadAsArray())


def test_looks_auto_on_a_flat_band_says_why(tmp_path):
    src = write_tif(tmp_path / "flat.tif", np.full((40, 40), 7.0, np.float32))
    with pytest.raises(RuntimeError, match="looks cannot be estimated"):
        gdal.OpenEx("ENHLEE:" + src, open_options=["LOOKS=auto"])


@pytest.mark.parametrize("looks", ["auto", "4.4"])
def test_quality_report(tmp_path, looks):
    """REPORT=YES: each band's quality report in its metadata, which
    gdal_translate copies, equal to the library's in-memory report."""
    vv, vh = grd_band(3, 400.0), grd_band(4, 60.0)
    src = write_tif(tmp_path / "grd.tif", [vv, vh], dtype=gdal.GDT_UInt16, nodata=0)
    params = dict(window=7, looks=looks, signal="amplitude")
    out = tmp_path / "out.tif"
    translate("ENHLEE:" + src, out, params, extra=["-oo", "REPORT=YES"])
    ds = gdal.Open(str(out))
    for i, band in enumerate((vv, vh), 1):
        f32 = band.astype(np.float32)
        filtered = ds.GetRasterBand(i).ReadAsArray()
        want = enh_lee.quality_report(f32, filtered, nodata=0, signal="amplitude")
        md = ds.GetRasterBand(i).GetMetadata()
        for name, value in want.items():
            assert float(md["ENHLEE_REPORT_" + name.upper()]) == value, (i, name)
        assert want["looks_after"] > 3 * want["looks_before"]
        assert abs(want["ratio_mean"] - 1) < 0.05
    # Without REPORT, no report.
    plain = gdal.Open("ENHLEE:" + src)
    assert not any(k.startswith("ENHLEE_REPORT") for k in plain.GetRasterBand(1).GetMetadata())


def test_integer_bands_without_signal_say_what_is_assumed(tmp_path):
    """An integer raster opened without SIGNAL is filtered as intensity,
    with a warning that names SIGNAL=amplitude (issue 35); with SIGNAL
    given, no warning."""
    src = write_tif(tmp_path / "u16.tif", [grd_band(3, 100.0)], dtype=gdal.GDT_UInt16,
                    nodata=0)
    p = translate("ENHLEE:" + src, tmp_path / "a.tif", {"looks": 4})
    assert "SIGNAL is not set" in p.stderr and "SIGNAL=amplitude" in p.stderr
    p = translate("ENHLEE:" + src, tmp_path / "b.tif", {"looks": 4, "signal": "amplitude"})
    assert "SIGNAL" not in p.stderr


def test_the_readme_sentinel1_route(tmp_path):
    """README.md's Sentinel-1 example, run as written on a 2-band UInt16
    GRD-like raster with zero borders (nodata 0)."""
    import os
    import re
    import subprocess

    readme = os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md")
    (block,) = [b for b in re.findall(r"^```sh\n(.*?)^```", open(readme).read(), re.S | re.M)
                if "s1_grd_vv_vh.tif" in b]
    write_tif(tmp_path / "s1_grd_vv_vh.tif", [grd_band(1, 100.0), grd_band(2, 20.0)],
              dtype=gdal.GDT_UInt16, nodata=0)
    r = subprocess.run(block, shell=True, cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for item in ("ENHLEE_LOOKS", "ENHLEE_REPORT_LOOKS_BEFORE", "ENHLEE_REPORT_RATIO_MEAN"):
        assert item in r.stdout, (item, r.stdout)
    out = gdal.Open(str(tmp_path / "filtered.tif"))
    assert out.RasterCount == 2 and out.GetRasterBand(1).GetNoDataValue() == 0
