"""The two VRT routes: a <SimpleSource> reading ENHLEE:<file> with open
options, and the Python pixel function enh_lee.gdal_pixfun.enhanced_lee.
Read in small odd windows, both equal the whole-image result."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import enh_lee
from enh_lee import gdal_pixfun
from conftest import gdal, read_f32, speckled, write_tif

H, W = 257, 301


def _odd_windows():
    for y in range(1, H, 23):
        for x in range(2, W, 37):
            yield x, y, min(37, W - x), min(23, H - y)


def _assert_windows_equal(band, ref):
    for x, y, w, h in _odd_windows():
        np.testing.assert_array_equal(band.ReadAsArray(x, y, w, h), ref[y:y + h, x:x + w],
                                      err_msg=f"window {x},{y} {w}x{h}")
    np.testing.assert_array_equal(band.ReadAsArray(), ref)


def _simple_source_vrt(path, src, options):
    oo = "".join(f'<OOI key="{k}">{v}</OOI>' for k, v in options.items())
    path.write_text(textwrap.dedent(f"""\
        <VRTDataset rasterXSize="{W}" rasterYSize="{H}">
          <VRTRasterBand dataType="Float32" band="1">
            <SimpleSource>
              <SourceFilename relativeToVRT="0">ENHLEE:{os.path.abspath(src)}</SourceFilename>
              <OpenOptions>{oo}</OpenOptions>
              <SourceBand>1</SourceBand>
            </SimpleSource>
          </VRTRasterBand>
        </VRTDataset>
        """))
    return str(path)


@pytest.mark.parametrize("params", [
    dict(window=7, looks=4.4),
    dict(window=5, looks=2.0, statistic="residual", border="mirror", damping=0.5),
    dict(filter="kuan", window=7, looks=3.0),
])
def test_vrt_simple_source(tmp_path, scene_tif, scene, params):
    vrt = _simple_source_vrt(tmp_path / "f.vrt", scene_tif, {k.upper(): v for k, v in params.items()})
    ref = enh_lee.filter(scene, **params)
    ds = gdal.Open(vrt)
    _assert_windows_equal(ds.GetRasterBand(1), ref)
    # gdal_translate of the VRT, and a decimated read through it.
    subprocess.run(["gdal_translate", "-q", vrt, str(tmp_path / "out.tif")], check=True)
    np.testing.assert_array_equal(read_f32(tmp_path / "out.tif"), ref)
    mem = gdal.GetDriverByName("MEM").Create("", W, H, 1, gdal.GDT_Float32)
    mem.GetRasterBand(1).WriteArray(ref)
    np.testing.assert_array_equal(
        ds.GetRasterBand(1).ReadAsArray(buf_xsize=60, buf_ysize=50),
        mem.GetRasterBand(1).ReadAsArray(buf_xsize=60, buf_ysize=50))


def test_vrt_simple_source_relative_to_vrt(tmp_path, scene):
    """relativeToVRT="1" turns ENHLEE:in.tif into <vrt dir>/ENHLEE:in.tif,
    which the driver resolves to <vrt dir>/in.tif: portable VRTs."""
    write_tif(tmp_path / "in.tif", scene)
    (tmp_path / "sub").mkdir()
    vrt = tmp_path / "sub" / "rel.vrt"
    vrt.write_text(textwrap.dedent(f"""\
        <VRTDataset rasterXSize="{W}" rasterYSize="{H}">
          <VRTRasterBand dataType="Float32" band="1">
            <SimpleSource>
              <SourceFilename relativeToVRT="1">ENHLEE:../in.tif</SourceFilename>
              <OpenOptions><OOI key="WINDOW">5</OOI><OOI key="LOOKS">3</OOI></OpenOptions>
              <SourceBand>1</SourceBand>
            </SimpleSource>
          </VRTRasterBand>
        </VRTDataset>
        """))
    ds = gdal.Open(str(vrt))
    np.testing.assert_array_equal(ds.ReadAsArray(), enh_lee.filter(scene, window=5, looks=3.0))


def test_vrt_simple_source_bad_option_fails(tmp_path, scene_tif):
    vrt = _simple_source_vrt(tmp_path / "bad.vrt", scene_tif, {"WINDOW": "6"})
    with pytest.raises(RuntimeError):
        ds = gdal.Open(vrt)
        ds.GetRasterBand(1).ReadAsArray()


# --------------------------------------------------------------------------
# Python pixel function

@pytest.fixture
def pixfun_env(monkeypatch):
    """GDAL reads these when the VRT is opened."""
    monkeypatch.setenv("GDAL_VRT_PYTHON_TRUSTED_MODULES", "enh_lee.gdal_pixfun")
    gdal.SetConfigOption("GDAL_VRT_PYTHON_TRUSTED_MODULES", "enh_lee.gdal_pixfun")
    yield
    gdal.SetConfigOption("GDAL_VRT_PYTHON_TRUSTED_MODULES", None)


def _pixfun_vrt(path, src, args, radius, transfer="Float32", dtype="Float32"):
    attrs = " ".join(f'{k}="{v}"' for k, v in args.items())
    transfer_xml = f"<SourceTransferType>{transfer}</SourceTransferType>" if transfer else ""
    path.write_text(textwrap.dedent(f"""\
        <VRTDataset rasterXSize="{W}" rasterYSize="{H}">
          <VRTRasterBand dataType="{dtype}" band="1" subClass="VRTDerivedRasterBand">
            <PixelFunctionLanguage>Python</PixelFunctionLanguage>
            <PixelFunctionType>enh_lee.gdal_pixfun.enhanced_lee</PixelFunctionType>
            <PixelFunctionArguments {attrs}/>
            <BufferRadius>{radius}</BufferRadius>
            {transfer_xml}
            <SimpleSource>
              <SourceFilename relativeToVRT="0">{os.path.abspath(src)}</SourceFilename>
              <SourceBand>1</SourceBand>
            </SimpleSource>
          </VRTRasterBand>
        </VRTDataset>
        """))
    return str(path)


@pytest.mark.parametrize("params,radius", [
    (dict(window=7, looks=4.4), 3),
    (dict(window=7, looks=4.4), 5),            # a bigger radius works too
    (dict(window=5, looks=2.0, statistic="residual"), 4),
    (dict(window=3, looks=1.5, border="shrink", signal="amplitude"), 1),
    (dict(window=9, looks=3.0, cu=0.4, cmax=1.5, border="nearest"), 4),
    (dict(filter="lee", window=5, looks=2.0), 2),
    (dict(filter="gamma_map", window=7, looks=4.4, cmax=0.8), 3),
    (dict(filter="frost", window=5, damping=0.5, statistic="residual"), 4),
    (dict(filter="refined_lee", border="shrink"), 3),
])
def test_python_pixel_function(tmp_path, scene_tif, scene, pixfun_env, params, radius):
    vrt = _pixfun_vrt(tmp_path / "p.vrt", scene_tif, params, radius)
    ds = gdal.Open(vrt)
    _assert_windows_equal(ds.GetRasterBand(1), enh_lee.filter(scene, **params))


def test_python_pixel_function_int_source_and_nodata(tmp_path, pixfun_env):
    """An Int16 source without SourceTransferType, a nodata argument."""
    img = np.round(speckled((H, W), 3.0, seed=5)).clip(0, 30000).astype(np.int16)
    img[100:110, 50:70] = -1
    src = write_tif(tmp_path / "i16.tif", img, dtype=gdal.GDT_Int16)
    vrt = _pixfun_vrt(tmp_path / "p.vrt", src, dict(window=5, looks=3, nodata=-1), 2,
                      transfer=None)
    ref = enh_lee.filter(img.astype(np.float32), window=5, looks=3.0, nodata=-1.0)
    ds = gdal.Open(vrt)  # the band is only valid while its dataset lives
    _assert_windows_equal(ds.GetRasterBand(1), ref)


def test_vrt_xml_helper(tmp_path, scene, pixfun_env):
    src = write_tif(tmp_path / "in.tif", scene, nodata=-5.0)
    vrt = tmp_path / "h.vrt"
    vrt.write_text(gdal_pixfun.vrt_xml(src, relative_to=str(tmp_path), window=5,
                                       statistic="residual", looks=2.0))
    ds = gdal.Open(str(vrt))
    band = ds.GetRasterBand(1)
    assert band.GetNoDataValue() == -5.0
    assert ds.GetGeoTransform() == gdal.Open(src).GetGeoTransform()
    _assert_windows_equal(band, enh_lee.filter(scene, window=5, statistic="residual",
                                               looks=2.0, nodata=-5.0))


def test_vrt_xml_helper_computes_lee_sigmas_threshold(tmp_path, scene, pixfun_env):
    # The pixel function sees windows only: the helper writes the band's
    # point threshold into the VRT, so that every window agrees.
    src = write_tif(tmp_path / "in.tif", scene, nodata=-5.0)
    vrt = tmp_path / "s.vrt"
    vrt.write_text(gdal_pixfun.vrt_xml(src, relative_to=str(tmp_path), filter="lee_sigma",
                                       looks=2.0))
    assert "point_threshold=" in vrt.read_text()
    ds = gdal.Open(str(vrt))
    _assert_windows_equal(ds.GetRasterBand(1),
                          enh_lee.filter(scene, filter="lee_sigma", looks=2.0, nodata=-5.0))


def test_vrt_xml_helper_estimates_the_looks(tmp_path, scene, pixfun_env):
    # looks="auto": the helper writes the band's estimate into the VRT.
    src = write_tif(tmp_path / "in.tif", scene, nodata=-5.0)
    vrt = tmp_path / "l.vrt"
    vrt.write_text(gdal_pixfun.vrt_xml(src, relative_to=str(tmp_path), looks="auto"))
    looks = enh_lee.estimate_looks(scene, nodata=-5.0)
    assert f"looks={_quoted(repr(looks))}" in vrt.read_text()
    ds = gdal.Open(str(vrt))
    _assert_windows_equal(ds.GetRasterBand(1), enh_lee.filter(scene, looks=looks, nodata=-5.0))


def _quoted(text):
    return '"' + text + '"'


def _read_error(vrt, **kw):
    ds = gdal.Open(vrt)
    with pytest.raises(RuntimeError) as e:
        ds.GetRasterBand(1).ReadAsArray(**kw)
    return str(e.value)


def test_python_pixel_function_refuses_what_it_cannot_do_exactly(tmp_path, scene_tif, pixfun_env):
    # BufferRadius smaller than the halo.
    msg = _read_error(_pixfun_vrt(tmp_path / "a.vrt", scene_tif, dict(window=7), 2))
    assert "BufferRadius" in msg and "3" in msg
    msg = _read_error(_pixfun_vrt(tmp_path / "b.vrt", scene_tif,
                                  dict(window=7, statistic="residual"), 3))
    assert "<BufferRadius>6</BufferRadius>" in msg
    # Bad parameters: the library's message.
    msg = _read_error(_pixfun_vrt(tmp_path / "c.vrt", scene_tif, dict(window=6), 3))
    assert enh_lee.status_message(6) in msg
    msg = _read_error(_pixfun_vrt(tmp_path / "d.vrt", scene_tif, dict(looks=0), 3))
    assert enh_lee.status_message(7) in msg
    msg = _read_error(_pixfun_vrt(tmp_path / "e.vrt", scene_tif, dict(looks="abc"), 3))
    assert "not a number" in msg
    msg = _read_error(_pixfun_vrt(tmp_path / "f.vrt", scene_tif, dict(windw=7), 3))
    assert "unknown" in msg
    # Decimated reads: an error, never a different image.
    msg = _read_error(_pixfun_vrt(tmp_path / "g.vrt", scene_tif, dict(window=7), 3),
                      buf_xsize=50, buf_ysize=40)
    assert "decimated" in msg


def test_python_pixel_function_needs_trust(tmp_path, scene_tif):
    """Without GDAL_VRT_ENABLE_PYTHON / trusted modules GDAL refuses."""
    vrt = _pixfun_vrt(tmp_path / "p.vrt", scene_tif, dict(window=7), 3)
    code = ("from osgeo import gdal; gdal.UseExceptions()\n"
            f"ds = gdal.Open({vrt!r})\n"
            "ds.GetRasterBand(1).ReadAsArray()\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("GDAL_VRT_ENABLE_PYTHON", "GDAL_VRT_PYTHON_TRUSTED_MODULES")}
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert p.returncode != 0
    assert "GDAL_VRT_PYTHON_TRUSTED_MODULES" in p.stderr
