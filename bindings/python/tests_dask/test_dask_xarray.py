"""xarray DataArrays backed by Dask: same kind back, lazily, with the same
dims (in their order), coords, name, chunks and attrs (plus attrs["enh_lee"]),
bit for bit enh_lee.filter of every plane; rioxarray georeferencing kept."""

import dask.array as da
import numpy as np
import pytest
import xarray as xr

import enh_lee
import enh_lee.dask as eld
from _dask_helpers import same_bits, speckled, with_invalid


def _raster(data, dims, chunks):
    coords = {}
    for d, n in zip(dims, data.shape):
        if d == "y":
            coords["y"] = ("y", 4000.0 - 10.0 * np.arange(n), {"units": "m"})
        elif d == "x":
            coords["x"] = ("x", 500.0 + 10.0 * np.arange(n), {"units": "m"})
        else:
            coords[d] = (d, np.arange(n) + 1)
    coords["spatial_ref"] = ((), 0, {"crs_wkt": "EPSG:32633"})
    if "time" in dims:
        coords["time"] = ("time", np.array(["2024-01-01", "2024-01-13", "2024-01-25"],
                                           dtype="datetime64[ns]")[:data.shape[dims.index("time")]])
    arr = xr.DataArray(da.from_array(data, chunks=chunks), dims=dims, coords=coords,
                       name="sigma0_vv", attrs={"units": "linear", "long_name": "backscatter"})
    arr.encoding = {"dtype": "uint16", "scale_factor": 0.01, "grid_mapping": "spatial_ref",
                    "_FillValue": 0}
    return arr


def _check_metadata(res, arr):
    assert isinstance(res, xr.DataArray) and isinstance(res.data, da.Array)
    assert res.dims == arr.dims and res.shape == arr.shape and res.name == arr.name
    assert res.data.chunks == arr.data.chunks and res.dtype == np.float32
    xr.testing.assert_identical(res.coords.to_dataset(), arr.coords.to_dataset())
    extra = {k: v for k, v in res.attrs.items() if k != eld.ATTR}
    assert extra == arr.attrs
    assert res.attrs[eld.ATTR].startswith(f"enh-lee {enh_lee.version()}: filter=enhanced_lee window=")
    assert res.encoding == {"grid_mapping": "spatial_ref"}  # the storage type is gone
    assert arr.encoding["dtype"] == "uint16"  # the input is untouched
    assert eld.ATTR not in arr.attrs


def test_2d(client):
    img = with_invalid(speckled((45, 38), seed=7))
    arr = _raster(img, ("y", "x"), chunks=(10, 7))
    res = eld.filter(arr, window=5, looks=3.0, nodata=-1.0, statistic="residual")
    _check_metadata(res, arr)
    assert " window=5 looks=3 " in res.attrs[eld.ATTR] and " nodata=-1 " in res.attrs[eld.ATTR]
    got = client.compute(res, sync=True)
    assert isinstance(got, xr.DataArray)
    assert same_bits(got.values, enh_lee.filter(img, window=5, looks=3.0, nodata=-1.0,
                                                statistic="residual"))


def test_provenance_attribute():
    arr = _raster(speckled((20, 20)), ("y", "x"), chunks=10)
    once = eld.filter(arr, window=5, nodata=np.float32(-1.0), border="shrink")
    desc = once.attrs[eld.ATTR]
    assert desc == (f"enh-lee {enh_lee.version()}: filter=enhanced_lee window=5 looks=1 "
                    "damping=1 signal=intensity statistic=window border=shrink compat=none "
                    "cu=none cmax=none nodata=-1 temporal=none threads=1")
    twice = eld.filter(once, window=3, filter="kuan")
    assert twice.attrs[eld.ATTR].startswith(desc + f"; then enh-lee {enh_lee.version()}: "
                                            "filter=kuan window=3 ")


def test_3d_time_stack_plane_by_plane(client):
    stack = np.stack([with_invalid(speckled((30, 26), seed=s)) for s in range(3)])
    arr = _raster(stack, ("time", "y", "x"), chunks=(1, 8, 26))
    res = eld.filter(arr, window=7, border="nearest")
    _check_metadata(res, arr)
    got = client.compute(res, sync=True).values
    for t in range(3):
        assert same_bits(got[t], enh_lee.filter(stack[t], window=7, border="nearest")), t


def test_spatial_dims_not_last(client):
    stack = np.stack([speckled((30, 26), seed=s) for s in range(4)], axis=-1)  # y, x, band
    arr = _raster(stack, ("y", "x", "band"), chunks=(11, 9, 3))
    # By default the last two dims, here (x, band), are the planes.
    default = client.compute(eld.filter(arr, window=3), sync=True).values
    for i in range(30):
        assert same_bits(default[i], enh_lee.filter(stack[i], window=3))
    res = eld.filter(arr, window=5, spatial_dims=("y", "x"))
    _check_metadata(res, arr)
    got = client.compute(res, sync=True).values
    for b in range(4):
        assert same_bits(got[..., b], enh_lee.filter(stack[..., b], window=5)), b
    # transposed spatial dims: filter the transposed planes
    res_t = eld.filter(arr, window=5, spatial_dims=("x", "y"))
    assert res_t.dims == arr.dims
    got_t = client.compute(res_t, sync=True).values
    for b in range(4):
        assert same_bits(got_t[..., b], enh_lee.filter(stack[..., b].T, window=5).T), b


def test_xarray_errors():
    arr = _raster(speckled((20, 20)), ("y", "x"), chunks=10)
    with pytest.raises(TypeError, match="chunk"):
        eld.filter(arr.compute())  # numpy-backed
    with pytest.raises(ValueError, match="not a dim"):
        eld.filter(arr, spatial_dims=("y", "lat"))
    with pytest.raises(ValueError, match="two"):
        eld.filter(arr, spatial_dims="yx")
    with pytest.raises(ValueError, match="different"):
        eld.filter(arr, spatial_dims=("y", "y"))
    with pytest.raises(ValueError, match="at least 2 dims"):
        eld.filter(arr.isel(y=0))
    with pytest.raises(TypeError, match="Dataset"):
        eld.filter(arr.to_dataset())
    with pytest.raises(enh_lee.InvalidArgumentError):
        eld.filter(arr, looks=-1)


def test_rioxarray_round_trip(client, tmp_path):
    """open_rasterio(chunks=...) -> filter -> rio.to_raster on the cluster:
    pixels, CRS, transform and nodata survive."""
    gdal = pytest.importorskip("osgeo.gdal")
    rioxarray = pytest.importorskip("rioxarray")
    from distributed import Lock

    gdal.UseExceptions()
    img = with_invalid(speckled((70, 53), seed=9))
    src = str(tmp_path / "in.tif")
    ds = gdal.GetDriverByName("GTiff").Create(src, 53, 70, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((500000.0, 10.0, 0.0, 4600000.0, 0.0, -10.0))
    ds.SetProjection('PROJCS["WGS 84 / UTM zone 33N",GEOGCS["WGS 84",DATUM["WGS_1984",'
                     'SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],'
                     'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
                     'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",15],'
                     'PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],'
                     'PARAMETER["false_northing",0],UNIT["metre",1],AUTHORITY["EPSG","32633"]]')
    ds.GetRasterBand(1).WriteArray(img)
    ds.GetRasterBand(1).SetNoDataValue(-1.0)
    ds = None

    raster = rioxarray.open_rasterio(src, chunks={"band": 1, "y": 16, "x": 20}, lock=False)
    res = eld.filter(raster, window=7, looks=2.0, nodata=raster.rio.nodata)
    assert res.dims == ("band", "y", "x") and res.rio.crs == raster.rio.crs
    assert res.rio.transform() == raster.rio.transform() and res.rio.nodata == -1.0
    dst = str(tmp_path / "out.tif")
    res.rio.to_raster(dst, tiled=True, lock=Lock("rio-test", client=client), compute=True)

    out = gdal.Open(dst)
    assert out.GetGeoTransform() == (500000.0, 10.0, 0.0, 4600000.0, 0.0, -10.0)
    assert "UTM zone 33N" in out.GetProjection()
    band = out.GetRasterBand(1)
    assert band.DataType == gdal.GDT_Float32 and band.GetNoDataValue() == -1.0
    assert same_bits(band.ReadAsArray(), enh_lee.filter(img, window=7, looks=2.0, nodata=-1.0))
    # the provenance attribute becomes a GeoTIFF metadata item
    assert out.GetMetadataItem(eld.ATTR).startswith(f"enh-lee {enh_lee.version()}: filter=enhanced_lee window=7")
