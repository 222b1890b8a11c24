"""The Enhanced Lee family of filters as a GDAL VRT Python pixel function.

A VRT band such as::

    <VRTRasterBand dataType="Float32" band="1" subClass="VRTDerivedRasterBand">
      <PixelFunctionLanguage>Python</PixelFunctionLanguage>
      <PixelFunctionType>enh_lee.gdal_pixfun.enhanced_lee</PixelFunctionType>
      <PixelFunctionArguments window="7" looks="4.4"/>
      <BufferRadius>3</BufferRadius>
      <SourceTransferType>Float32</SourceTransferType>
      <SimpleSource>
        <SourceFilename relativeToVRT="1">in.tif</SourceFilename>
        <SourceBand>1</SourceBand>
      </SimpleSource>
    </VRTRasterBand>

presents the filtered band, equal bit for bit to ``enh_lee.filter`` of the
whole band, whatever window of it is read. GDAL runs it only when allowed
to: ``GDAL_VRT_ENABLE_PYTHON=YES``, or (safer)
``GDAL_VRT_PYTHON_TRUSTED_MODULES=enh_lee.gdal_pixfun``; the ``enh_lee``
package must be importable (``PYTHONPATH``) and find libenh_lee
(``ENH_LEE_LIBRARY``). :func:`vrt_xml` writes such a VRT for a raster.

``PixelFunctionArguments`` are :func:`enh_lee.filter`'s keywords, the
library's parameters (:data:`enh_lee.PARAMETERS`): filter, window, looks,
damping, signal, statistic, border, nodata (a number, or ``none``), cu,
cmax, threads. ``BufferRadius`` must be at least the halo
(:func:`enh_lee.halo`: ``(window-1)/2``, or ``window-1`` for the residual
statistic); a bigger one works too.

How it stays exact: GDAL hands the function the requested window grown by
``BufferRadius`` on every side, where the part outside the raster is
filled by GDAL (with edge pixels, or zeros in some versions), not by the
filter's border rule. The function keeps only the part inside the raster,
i.e. the region plus its halo clipped to the raster, and filters it with
:func:`enh_lee.filter_region`, which applies the border rule at the
raster's real edges.

Decimated reads (a buffer smaller than the window: zoomed-out views,
``gdal_translate -outsize``) are refused with an error: GDAL gives the
pixel function only decimated source pixels, from which the full-resolution
filter cannot be computed, and filtering them instead would silently give a
different image. Read such VRTs at full resolution, or use the ENHLEE GDAL
driver (bindings/gdal), which decimates filtered full-resolution blocks.
"""

import os
from xml.sax.saxutils import quoteattr, escape

import numpy as np

import enh_lee

__all__ = ["enhanced_lee", "parse_arguments", "vrt_xml", "TRUSTED_MODULE"]

#: Value for ``GDAL_VRT_PYTHON_TRUSTED_MODULES``.
TRUSTED_MODULE = __name__

_BY_NAME = {spec.name: spec for spec in enh_lee.PARAMETERS}


def _text(value):
    if isinstance(value, (bytes, bytearray)):  # what GDAL passes
        return bytes(value).decode("utf-8")
    return str(value)


def parse_arguments(**kwargs):
    """Turns ``PixelFunctionArguments`` (GDAL passes them as byte strings)
    into keywords for :func:`enh_lee.filter_region`, each read by its kind
    in the library's vocabulary (:data:`enh_lee.PARAMETERS`); an optional
    one may be empty or ``none``. Unknown names and malformed numbers raise
    ValueError; the values themselves are judged by the library."""
    try:
        return enh_lee._params_from_text({k: _text(v) for k, v in kwargs.items()})
    except ValueError as e:
        raise ValueError(f"enh_lee.gdal_pixfun: PixelFunctionArguments: {e}") from None


def enhanced_lee(in_ar, out_ar, xoff, yoff, xsize, ysize, raster_xsize, raster_ysize,
                 buf_radius, gt, **kwargs):
    """The pixel function (GDAL's calling convention); see the module doc."""
    params = parse_arguments(**kwargs)
    if len(in_ar) != 1:
        raise ValueError(
            f"enh_lee.gdal_pixfun: the band needs exactly one source, got {len(in_ar)}"
        )
    src = in_ar[0]
    r = int(buf_radius)
    H, W = int(raster_ysize), int(raster_xsize)
    region = (int(xoff), int(yoff), int(xsize), int(ysize))
    if out_ar.shape != (ysize + 2 * r, xsize + 2 * r) or src.shape != out_ar.shape:
        raise ValueError(
            "enh_lee.gdal_pixfun: decimated read (window "
            f"{xsize}x{ysize} at {xoff},{yoff} into a {out_ar.shape[1] - 2 * r}x"
            f"{out_ar.shape[0] - 2 * r} buffer): GDAL passes only decimated source "
            "pixels, from which the filter cannot be computed exactly. Read at full "
            "resolution, or use the ENHLEE GDAL driver, which decimates filtered "
            "full-resolution pixels"
        )
    halo = enh_lee.halo(**params)  # validates every parameter (library message)
    if halo > r:
        raise ValueError(
            f"enh_lee.gdal_pixfun: BufferRadius is {r} but these parameters need a "
            f"halo of {halo} pixels (window={params.get('window', 7)}, "
            f"statistic={params.get('statistic', 'window')}): set "
            f"<BufferRadius>{halo}</BufferRadius>"
        )
    # The part of the buffer inside the raster: the region grown by the halo,
    # clipped. Buffer pixel (i, j) is raster pixel (yoff - r + i, xoff - r + j).
    sx, sy, sw, sh = enh_lee.source_window((H, W), region, **params)
    bx, by = sx - (xoff - r), sy - (yoff - r)
    window = src[by:by + sh, bx:bx + sw]
    if window.dtype != np.float32:
        # As RasterIO converts to Float32 (use SourceTransferType Float32).
        window = window.astype(np.float32)
    dst = out_ar[r:r + ysize, r:r + xsize]
    if dst.dtype == np.float32:
        enh_lee.filter_region(window, (H, W), region, out=dst, **params)
    else:
        dst[...] = enh_lee.filter_region(window, (H, W), region, **params)


def vrt_xml(source, bands=None, relative_to=None, **params):
    """A VRT (as a string) presenting the filtered bands of ``source``
    through :func:`enhanced_lee`, with the right ``BufferRadius``, the
    source's size, georeferencing and nodata (used as the filter's nodata
    unless ``nodata=`` is given; ``nodata=None`` ignores it).

    ``relative_to``: write ``source`` relative to this directory (the VRT's).
    """
    from osgeo import gdal  # only this helper needs GDAL's Python bindings

    ds = gdal.Open(source)
    if ds is None:
        raise RuntimeError(f"cannot open {source!r}")
    bands = list(bands) if bands is not None else list(range(1, ds.RasterCount + 1))
    without_nodata = {k: v for k, v in params.items() if k != "nodata"}
    halo = enh_lee.halo(**without_nodata)
    name, rel = source, "0"
    if relative_to is not None:
        name, rel = os.path.relpath(os.path.abspath(source), relative_to), "1"
    lines = [f'<VRTDataset rasterXSize="{ds.RasterXSize}" rasterYSize="{ds.RasterYSize}">']
    srs = ds.GetProjection()
    if srs:
        lines.append(f"  <SRS>{escape(srs)}</SRS>")
    gt = ds.GetGeoTransform(can_return_null=True)
    if gt:
        lines.append("  <GeoTransform>" + ", ".join(repr(float(v)) for v in gt) + "</GeoTransform>")
    for i, b in enumerate(bands, 1):
        band = ds.GetRasterBand(b)
        nodata = params["nodata"] if "nodata" in params else band.GetNoDataValue()
        args = {k: v for k, v in params.items() if k != "nodata"}
        args["nodata"] = "none" if nodata is None else repr(float(nodata))
        # The pixel function sees windows only: values of the whole band
        # are computed here, strip by strip, and written into the VRT.
        args.update(_band_values(band, nodata, without_nodata))
        attrs = " ".join(f"{k}={quoteattr(_fmt(v))}" for k, v in args.items())
        lines.append(f'  <VRTRasterBand dataType="Float32" band="{i}" subClass="VRTDerivedRasterBand">')
        if band.GetDescription():
            lines.append(f"    <Description>{escape(band.GetDescription())}</Description>")
        if nodata is not None:
            lines.append(f"    <NoDataValue>{float(np.float32(nodata))!r}</NoDataValue>")
        lines += [
            "    <PixelFunctionLanguage>Python</PixelFunctionLanguage>",
            f"    <PixelFunctionType>{__name__}.enhanced_lee</PixelFunctionType>",
            f"    <PixelFunctionArguments {attrs}/>",
            f"    <BufferRadius>{halo}</BufferRadius>",
            "    <SourceTransferType>Float32</SourceTransferType>",
            "    <SimpleSource>",
            f'      <SourceFilename relativeToVRT="{rel}">{escape(name)}</SourceFilename>',
            f"      <SourceBand>{b}</SourceBand>",
            "    </SimpleSource>",
            "  </VRTRasterBand>",
        ]
    lines.append("</VRTDataset>")
    return "\n".join(lines) + "\n"


def _band_values(band, nodata, params):
    """The values of a whole GDAL band that the parameters leave to be
    computed (looks="auto", Lee Sigma's point threshold): a plan of the
    band (:class:`enh_lee.Plan`), counted in strips; {name: value} of the
    values it computed, empty if none."""
    if nodata is not None and np.isnan(nodata):
        nodata = None  # NaN pixels are invalid anyway
    params = dict(params, nodata=nodata)
    H, W = band.YSize, band.XSize
    plan = enh_lee.Plan((H, W), **params)
    rows = plan.strip_rows
    plan.prepare(lambda: ((band.ReadAsArray(0, y, W, min(rows, H - y)).astype(np.float32),
                           (0, y)) for y in range(0, H, rows)))
    given = enh_lee.describe(**params)
    return {k: v for k, v in plan.params(0).items() if v != given[k]}


def _fmt(v):
    if isinstance(v, float):
        return repr(v)
    return str(v)
