"""Several bands, one plan (issue 32): the driver filters every band of a
window in one call of the library (enh_lee_plan_filter_region), each band
with its own nodata and its own whole-raster values, bit for bit what
filtering each band alone gives."""

import numpy as np
import pytest

import enh_lee
from conftest import gdal, speckled, translate, write_tif

H, W = 131, 149


@pytest.fixture(scope="module")
def three_bands(tmp_path_factory):
    """A 3-band raster whose bands differ (seeds, levels, looks); band 2
    has its own nodata (-1, a border and a patch of it), the others none;
    and each band alone as a 1-band VRT with that band's nodata."""
    d = tmp_path_factory.mktemp("three")
    bands = [speckled((H, W), 4.0, seed=41),
             speckled((H, W), 2.0, seed=42) * 7.5,
             speckled((H, W), 1.0, seed=43) * 0.01]
    bands[1][:, :5] = -1.0
    bands[1][60:75, 80:110] = -1.0
    bands[2][10, 10] = np.nan
    tif = write_tif(d / "three.tif", bands, options=["INTERLEAVE=BAND"])
    vrt = str(d / "three.vrt")
    gdal.Translate(vrt, tif, format="VRT")
    ds = gdal.Open(vrt, gdal.GA_Update)
    ds.GetRasterBand(2).SetNoDataValue(-1.0)
    ds = None
    alone = []
    for i in (1, 2, 3):
        one = str(d / f"band{i}.vrt")
        gdal.Translate(one, vrt, format="VRT", bandList=[i])
        alone.append(one)
    nodata = [None, -1.0, None]
    return vrt, bands, alone, nodata


def _params(name):
    # Every filter with the options it needs on this raster: Lee Sigma and
    # the others with the default looks (Lee Sigma estimates its point
    # threshold per band); LOOKS=auto where the filter reads looks and can
    # take an estimate.
    return {"lee": ["LOOKS=auto"], "enhanced_lee": ["LOOKS=auto"]}.get(name, [])


@pytest.mark.parametrize("name", enh_lee.FILTERS)
def test_three_bands_in_one_call_equal_each_band_alone(tmp_path, three_bands, name):
    vrt, bands, alone, nodata = three_bands
    opts = [f"FILTER={name}"] + _params(name)
    ds = gdal.OpenEx("ENHLEE:" + vrt, open_options=opts + ["BLOCKXSIZE=40",
                                                           "BLOCKYSIZE=24"])
    assert ds.RasterCount == 3
    assert ds.GetRasterBand(2).GetNoDataValue() == -1.0
    assert ds.GetRasterBand(1).GetNoDataValue() is None
    for i in range(3):
        one = gdal.OpenEx("ENHLEE:" + alone[i], open_options=opts)
        want = one.GetRasterBand(1).ReadAsArray()
        # The band's resolved values (its nodata, the estimates) are its own.
        assert ds.GetRasterBand(i + 1).GetMetadata("ENHLEE") == \
            one.GetRasterBand(1).GetMetadata("ENHLEE"), (name, i)
        # Large reads (every band filtered in one call, straight or ahead)...
        band = ds.GetRasterBand(i + 1)
        np.testing.assert_array_equal(band.ReadAsArray(), want, err_msg=f"{name} band {i + 1}")
        # ... and block reads (every band's block in one call, the others
        # cached), read in another band order.
        got = np.vstack([ds.GetRasterBand(i + 1).ReadAsArray(0, y, W, min(24, H - y))
                         for y in range(0, H, 24)])
        np.testing.assert_array_equal(got, want, err_msg=f"{name} band {i + 1} blocks")
        if not any(o.startswith("LOOKS=auto") for o in opts):
            ref = enh_lee.filter(bands[i], filter=name, nodata=nodata[i])
            np.testing.assert_array_equal(want, ref, err_msg=f"{name} band {i + 1} library")
    # Blocks of band 3 filled by a read of band 1's block: the same pixels.
    fresh = gdal.OpenEx("ENHLEE:" + vrt, open_options=opts + ["BLOCKXSIZE=40",
                                                              "BLOCKYSIZE=24"])
    fresh.GetRasterBand(1).ReadAsArray(40, 24, 40, 24)
    np.testing.assert_array_equal(fresh.GetRasterBand(3).ReadAsArray(40, 24, 40, 24),
                                  ds.GetRasterBand(3).ReadAsArray(40, 24, 40, 24))


def test_three_bands_through_gdal_translate(tmp_path, three_bands):
    """gdal_translate of the 3-band raster (swaths of every band) writes
    each band as filtering it alone does, with the provenance line."""
    vrt, bands, alone, nodata = three_bands
    out = tmp_path / "out.tif"
    translate("ENHLEE:" + vrt, out, dict(filter="lee_sigma"))
    written = gdal.Open(str(out))
    prov = written.GetMetadataItem("ENHLEE_PROVENANCE")
    assert prov.startswith(f"enh-lee {enh_lee.version()}: filter=lee_sigma"), prov
    # Each band's nodata and point threshold, in band order.
    fields = dict(f.split("=", 1) for f in prov.split() if "=" in f)
    assert fields["nodata"].split(",")[1] == "-1", prov
    assert len(fields["point_threshold"].split(",")) == 3, prov
    assert "(estimated)" in prov, prov
    for i in range(3):
        want = gdal.OpenEx("ENHLEE:" + alone[i], open_options=["FILTER=lee_sigma"])
        np.testing.assert_array_equal(written.GetRasterBand(i + 1).ReadAsArray(),
                                      want.GetRasterBand(1).ReadAsArray())
        assert written.GetRasterBand(i + 1).GetMetadataItem("ENHLEE_POINT_THRESHOLD") == \
            want.GetRasterBand(1).GetMetadataItem("POINT_THRESHOLD", "ENHLEE")
