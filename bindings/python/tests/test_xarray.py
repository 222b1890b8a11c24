"""The xarray accessor da.enh_lee.filter(...): registered whenever xarray is
imported (before or after enh_lee, which does not import it), eager on
numpy, lazy on Dask, keeping dims, coords, attrs, the rioxarray CRS and
nodata, and recording the parameters."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import enh_lee
from _reference import speckled
from conftest import INSTALLED, PKG_ROOT

xr = pytest.importorskip("xarray")


def _python(code):
    env = dict(os.environ)
    if not INSTALLED:
        env["PYTHONPATH"] = PKG_ROOT
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def stack(nodata=None):
    data = np.stack([speckled((48, 40), 4.0, seed=s) for s in (1, 2)])
    if nodata is not None:
        data[:, 5:9, 3:20] = nodata
    return xr.DataArray(data, dims=("band", "y", "x"), name="sigma0",
                        coords={"band": ["VV", "VH"], "y": 5e6 - 10 * np.arange(48.0),
                                "x": 3e5 + 10 * np.arange(40.0)},
                        attrs={"units": "linear"})


def test_registered_when_xarray_comes_after_enh_lee():
    out = _python("""
        import sys, numpy as np
        import enh_lee
        assert "xarray" not in sys.modules
        import xarray as xr
        a = xr.DataArray(np.ones((9, 9), np.float32), dims=("y", "x"))
        print(type(a.enh_lee.filter(window=3).data).__name__)
    """)
    assert out.strip() == "ndarray"


def test_eager_on_numpy_keeps_everything_and_records_the_parameters():
    a = stack()
    got = a.enh_lee.filter(window=5, looks=4, filter="lee")
    assert isinstance(got.data, np.ndarray) and got.dtype == np.float32
    assert got.dims == a.dims and got.name == "sigma0"
    for c in a.coords:
        assert got.coords[c].equals(a.coords[c])
    assert got.attrs["units"] == "linear"
    assert got.attrs["enh_lee"].startswith("enh-lee ")  # the plan's provenance line
    assert ": filter=lee window=5 looks=4 " in got.attrs["enh_lee"]
    for b in range(2):
        assert np.array_equal(got.values[b], enh_lee.filter(a.values[b], window=5, looks=4,
                                                            filter="lee"))
    # A second filter appends to the record.
    again = got.enh_lee.filter(window=3)
    assert again.attrs["enh_lee"].count("enh-lee ") == 2 and "; then enh-lee " in again.attrs["enh_lee"]


def test_spatial_dims_not_last_and_bad_parameters():
    a = stack().transpose("y", "x", "band")
    got = a.enh_lee.filter(spatial_dims=("y", "x"), window=3)
    assert got.dims == ("y", "x", "band")
    assert np.array_equal(got.sel(band="VH").values,
                          enh_lee.filter(a.sel(band="VH").values, window=3))
    with pytest.raises(enh_lee.InvalidArgumentError, match="window"):
        a.enh_lee.filter(window=4)
    with pytest.raises(ValueError, match="spatial dim 'z'"):
        a.enh_lee.filter(spatial_dims=("y", "z"))


def test_nodata_from_fill_value_without_rioxarray():
    out = _python("""
        import sys, numpy as np
        class NoRio:
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] == 'rioxarray':
                    raise ModuleNotFoundError(name)
        sys.meta_path.insert(0, NoRio())
        import xarray as xr, enh_lee
        img = np.random.default_rng(0).gamma(4, 1, (30, 30)).astype(np.float32)
        img[3:6, 3:9] = -9
        a = xr.DataArray(img, dims=("y", "x"), attrs={"_FillValue": -9.0})
        got = a.enh_lee.filter(window=5)
        print(np.array_equal(got.values, enh_lee.filter(img, window=5, nodata=-9)),
              got.attrs["_FillValue"], "rioxarray" in sys.modules)
    """)
    assert out.split() == ["True", "-9.0", "False"]


def test_rioxarray_crs_and_nodata():
    pytest.importorskip("rioxarray")
    a = stack(nodata=0).rio.write_crs("EPSG:32632").rio.write_nodata(0)
    got = a.enh_lee.filter(window=5)
    assert got.rio.crs.to_epsg() == 32632 and got.rio.nodata == 0
    assert got.rio.transform() == a.rio.transform()
    assert np.array_equal(got.values[0], enh_lee.filter(a.values[0], window=5, nodata=0))
    # Masked on reading (NaN in the data, the nodata value encoded): kept for writing.
    m = a.where(a != 0).rio.write_nodata(0, encoded=True)
    got = m.enh_lee.filter(window=5)
    assert got.rio.encoded_nodata == 0 and np.isnan(got.rio.nodata)
    assert np.array_equal(np.nan_to_num(got.values[1], nan=0),
                          enh_lee.filter(a.values[1], window=5, nodata=0))


def test_lazy_on_dask():
    dask = pytest.importorskip("dask")
    a = stack(nodata=0)
    a.attrs["_FillValue"] = 0.0
    lazy = a.chunk({"band": 1, "y": 16, "x": 16}).enh_lee.filter(window=5, looks="auto")
    assert dask.is_dask_collection(lazy.data)
    assert lazy.data.chunks == ((1, 1), (16, 16, 16), (16, 16, 8))
    got = lazy.compute(scheduler="synchronous")
    assert got.attrs["units"] == "linear" and "window=5" in got.attrs["enh_lee"]
    for b in range(2):
        assert np.array_equal(got.values[b], enh_lee.filter(a.values[b], window=5,
                                                            looks="auto", nodata=0))
