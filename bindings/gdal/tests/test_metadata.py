"""What the filtered dataset keeps from its source: size, georeferencing,
projection, GCPs, nodata, band descriptions and metadata; every band
filtered, as Float32."""

import numpy as np

import enh_lee
from conftest import GT, gdal, read_f32, speckled, srs_wkt, translate, write_tif

H, W = 120, 90


def _nodata_scene(value):
    img = speckled((H, W), 3.0, seed=11)
    img[30:40, 20:35] = value          # a nodata patch
    img[5, 5] = value
    img[60, 70] = np.nan               # NaN is always invalid
    return img


def test_source_nodata_is_honoured_by_default(tmp_path):
    img = _nodata_scene(-9999.0)
    src = write_tif(tmp_path / "in.tif", img, nodata=-9999.0)
    ds = gdal.OpenEx("ENHLEE:" + src, open_options=["WINDOW=5", "LOOKS=3"])
    band = ds.GetRasterBand(1)
    assert band.GetNoDataValue() == -9999.0
    got = band.ReadAsArray()
    np.testing.assert_array_equal(got, enh_lee.filter(img, window=5, looks=3.0, nodata=-9999.0))
    assert (got[30:40, 20:35] == -9999.0).all() and np.isnan(got[60, 70])
    # Without the nodata value the patch would leak into its neighbours.
    assert not np.array_equal(got, enh_lee.filter(img, window=5, looks=3.0))
    # gdal_translate keeps it.
    translate("ENHLEE:" + src, tmp_path / "out.tif", dict(window=5, looks=3))
    out = gdal.Open(str(tmp_path / "out.tif"))
    assert out.GetRasterBand(1).GetNoDataValue() == -9999.0
    np.testing.assert_array_equal(out.GetRasterBand(1).ReadAsArray(), got)


def test_nodata_option(tmp_path):
    img = _nodata_scene(0.0)
    src = write_tif(tmp_path / "in.tif", img, nodata=-1.0)
    # NODATA=0 replaces the source's -1.
    ds = gdal.OpenEx("ENHLEE:" + src, open_options=["WINDOW=5", "NODATA=0"])
    assert ds.GetRasterBand(1).GetNoDataValue() == 0.0
    np.testing.assert_array_equal(ds.ReadAsArray(), enh_lee.filter(img, window=5, nodata=0.0))
    # NODATA=NONE: no nodata value at all.
    ds = gdal.OpenEx("ENHLEE:" + src, open_options=["WINDOW=5", "NODATA=none"])
    assert ds.GetRasterBand(1).GetNoDataValue() is None
    np.testing.assert_array_equal(ds.ReadAsArray(), enh_lee.filter(img, window=5))


def test_integer_source_nodata_and_nan_nodata(tmp_path):
    img = np.round(speckled((H, W), 3.0, seed=2)).clip(1, 60000).astype(np.uint16)
    img[10:20, 10:20] = 65535
    src = write_tif(tmp_path / "u16.tif", img, dtype=gdal.GDT_UInt16, nodata=65535)
    ds = gdal.Open("ENHLEE:" + src)
    band = ds.GetRasterBand(1)
    assert band.DataType == gdal.GDT_Float32 and band.GetNoDataValue() == 65535.0
    np.testing.assert_array_equal(
        band.ReadAsArray(), enh_lee.filter(img.astype(np.float32), nodata=65535.0))

    f = _nodata_scene(np.nan)
    src = write_tif(tmp_path / "nan.tif", f, nodata=float("nan"))
    ds = gdal.Open("ENHLEE:" + src)
    assert np.isnan(ds.GetRasterBand(1).GetNoDataValue())
    np.testing.assert_array_equal(ds.ReadAsArray(), enh_lee.filter(f), strict=True)


def test_multiband_georeferencing_and_metadata(tmp_path):
    bands = [speckled((H, W), 2.0, seed=s) for s in range(3)]
    bands_i16 = [np.round(b).clip(0, 32000).astype(np.int16) for b in bands]
    src = write_tif(tmp_path / "rgb.tif", bands_i16, dtype=gdal.GDT_Int16, nodata=-1,
                    options=["INTERLEAVE=PIXEL", "TILED=YES", "BLOCKXSIZE=32", "BLOCKYSIZE=32"])
    ds = gdal.Open(src, gdal.GA_Update)
    ds.SetMetadata({"ACQUISITION": "2024-01-02", "SENSOR": "test SAR"})
    for i, name in enumerate(["HH", "HV", "VV"], 1):
        b = ds.GetRasterBand(i)
        b.SetDescription(name)
        b.SetMetadata({"POLARISATION": name, "INDEX": str(i)})
        b.SetScale(0.5)
        b.SetOffset(0.0)
        b.SetUnitType("dB")
    ds = None

    f = gdal.OpenEx("ENHLEE:" + src, open_options=["WINDOW=5", "LOOKS=2"])
    assert (f.RasterXSize, f.RasterYSize, f.RasterCount) == (W, H, 3)
    assert f.GetGeoTransform() == GT
    assert f.GetSpatialRef().IsSame(gdal.osr.SpatialReference(wkt=srs_wkt()))
    md = f.GetMetadata()
    assert md["ACQUISITION"] == "2024-01-02" and md["SENSOR"] == "test SAR"
    # The source's interleaving (gdal_translate then copies it swath by swath).
    assert f.GetMetadata("IMAGE_STRUCTURE").get("INTERLEAVE") == "PIXEL"
    prov = f.GetMetadata("ENHLEE")
    assert prov["WINDOW"] == "5" and float(prov["LOOKS"]) == 2.0
    assert prov["LIBRARY_VERSION"] == enh_lee.version()
    # The library's line of the plan, also where gdal_translate copies it.
    assert prov["PROVENANCE"].startswith(f"enh-lee {enh_lee.version()}: filter=enhanced_lee")
    assert " window=5 " in prov["PROVENANCE"] and " looks=2 " in prov["PROVENANCE"]
    assert md["ENHLEE_PROVENANCE"] == prov["PROVENANCE"]
    for i, name in enumerate(["HH", "HV", "VV"], 1):
        b = f.GetRasterBand(i)
        assert b.DataType == gdal.GDT_Float32
        assert b.GetDescription() == name
        assert b.GetMetadata() == {"POLARISATION": name, "INDEX": str(i)}
        band_prov = b.GetMetadata("ENHLEE")
        assert band_prov["WINDOW"] == "5" and float(band_prov["NODATA"]) == -1.0
        assert "LOOKS_SOURCE" not in band_prov     # given, not estimated
        assert b.GetNoDataValue() == -1.0
        assert b.GetScale() == 0.5 and b.GetOffset() == 0.0 and b.GetUnitType() == "dB"
        np.testing.assert_array_equal(
            b.ReadAsArray(),
            enh_lee.filter(bands_i16[i - 1].astype(np.float32), window=5, looks=2.0, nodata=-1.0))

    # ... and gdal_translate writes all of it.
    translate("ENHLEE:" + src, tmp_path / "out.tif", dict(window=5, looks=2))
    out = gdal.Open(str(tmp_path / "out.tif"))
    assert out.GetGeoTransform() == GT
    assert out.GetSpatialRef().IsSame(f.GetSpatialRef())
    assert out.GetMetadataItem("SENSOR") == "test SAR"
    for i in range(1, 4):
        assert out.GetRasterBand(i).GetDescription() == f.GetRasterBand(i).GetDescription()
        assert out.GetRasterBand(i).GetNoDataValue() == -1.0
        np.testing.assert_array_equal(read_f32(tmp_path / "out.tif", i),
                                      f.GetRasterBand(i).ReadAsArray())


def test_gcps_are_kept(tmp_path):
    img = speckled((H, W), 2.0, seed=9)
    src = write_tif(tmp_path / "gcp.tif", img, gt=None, wkt=None)
    ds = gdal.Open(src, gdal.GA_Update)
    gcps = [gdal.GCP(10.0 + i, 50.0 + i, 0.0, px, py)
            for i, (px, py) in enumerate([(0, 0), (W, 0), (0, H), (W, H)])]
    ds.SetGCPs(gcps, srs_wkt(4326))
    ds = None
    f = gdal.Open("ENHLEE:" + src)
    assert f.GetGCPCount() == 4
    assert [(g.GCPX, g.GCPY, g.GCPPixel, g.GCPLine) for g in f.GetGCPs()] == \
        [(g.GCPX, g.GCPY, g.GCPPixel, g.GCPLine) for g in gcps]
    src_ds = gdal.Open(src)
    assert f.GetGCPSpatialRef().ExportToWkt() == src_ds.GetGCPSpatialRef().ExportToWkt()
    assert f.GetGCPSpatialRef().GetAuthorityCode(None) == "4326"


def test_any_gdal_source_vrt_and_subwindow(tmp_path, scene, scene_tif):
    """ENHLEE:<any GDAL source>: here a VRT cutting a window of the scene."""
    vrt = str(tmp_path / "cut.vrt")
    gdal.Translate(vrt, scene_tif, format="VRT", srcWin=[17, 9, 200, 150])
    f = gdal.OpenEx("ENHLEE:" + vrt, open_options=["WINDOW=3"])
    np.testing.assert_array_equal(f.ReadAsArray(),
                                  enh_lee.filter(scene[9:159, 17:217], window=3))
    # Filtering twice: ENHLEE:ENHLEE:...
    twice = gdal.Open("ENHLEE:ENHLEE:" + scene_tif)
    np.testing.assert_array_equal(twice.ReadAsArray(), enh_lee.filter(enh_lee.filter(scene)))


def test_lee_sigma_point_threshold_per_band(tmp_path):
    """Each band's threshold is its own whole band's 98th percentile
    (estimated by the plan when the dataset opens, with the band's nodata),
    reported in the band's ENHLEE metadata (and ENHLEE_POINT_THRESHOLD in
    the default domain); -oo POINT_THRESHOLD gives it instead."""
    bands = [speckled((H, W), 2.0, seed=s) * (1 + 9 * s) for s in range(2)]
    bands[1][:, :7] = 0.0  # a zero border, nodata
    src = write_tif(tmp_path / "two.tif", bands, nodata=0.0, options=["BLOCKYSIZE=7"])
    f = gdal.OpenEx("ENHLEE:" + src, open_options=["FILTER=lee_sigma", "LOOKS=2"])
    for i, b in enumerate(bands, 1):
        band = f.GetRasterBand(i)
        want = enh_lee.point_threshold(b, nodata=0.0)
        assert float(band.GetMetadataItem("POINT_THRESHOLD", "ENHLEE")) == want
        assert band.GetMetadataItem("POINT_THRESHOLD_SOURCE", "ENHLEE") == "estimated"
        assert float(band.GetMetadataItem("ENHLEE_POINT_THRESHOLD")) == want
        np.testing.assert_array_equal(
            band.ReadAsArray(), enh_lee.filter(b, filter="lee_sigma", looks=2, nodata=0.0))
    g = gdal.OpenEx("ENHLEE:" + src, open_options=["FILTER=lee_sigma", "LOOKS=2",
                                                   "POINT_THRESHOLD=5.5"])
    band = g.GetRasterBand(2)
    assert band.GetMetadataItem("POINT_THRESHOLD_SOURCE", "ENHLEE") is None  # given
    assert band.GetMetadataItem("ENHLEE_POINT_THRESHOLD") is None
    assert float(band.GetMetadataItem("POINT_THRESHOLD", "ENHLEE")) == 5.5
    np.testing.assert_array_equal(
        band.ReadAsArray(),
        enh_lee.filter(bands[1], filter="lee_sigma", looks=2, nodata=0.0, point_threshold=5.5))
    assert f.GetRasterBand(1).GetMetadataItem("POINT_THRESHOLD", "ENHLEE") != \
        f.GetRasterBand(2).GetMetadataItem("POINT_THRESHOLD", "ENHLEE")
