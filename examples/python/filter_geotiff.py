#!/usr/bin/env python3
"""Enhanced Lee filter of a raster of any size, strip by strip, with GDAL.

    filter_geotiff.py INPUT OUTPUT [--window 7] [--looks 1] [--damping 1]
                      [--statistic window|residual] [--border reflect|...]
                      [--strip 512] [--band 1]

Reads only one strip plus its halo at a time (enh_lee.source_window), filters
it with enh_lee.filter_region and writes a float32 GeoTIFF with the input's
georeferencing and nodata value. The output is bit for bit what filtering
the whole image at once gives: no seams between strips.
"""

import argparse

import numpy as np
from osgeo import gdal

import enh_lee

gdal.UseExceptions()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--band", type=int, default=1)
    ap.add_argument("--window", type=int, default=7)
    ap.add_argument("--looks", type=float, default=1.0)
    ap.add_argument("--damping", type=float, default=1.0)
    ap.add_argument("--signal", default="intensity", choices=sorted(enh_lee.SIGNALS))
    ap.add_argument("--statistic", default="window", choices=sorted(enh_lee.STATISTICS))
    ap.add_argument("--border", default="reflect", choices=sorted(enh_lee.BORDERS))
    ap.add_argument("--strip", type=int, default=512, help="rows per strip")
    args = ap.parse_args(argv)

    src_ds = gdal.Open(args.input)
    band = src_ds.GetRasterBand(args.band)
    W, H = src_ds.RasterXSize, src_ds.RasterYSize
    params = dict(window=args.window, looks=args.looks, damping=args.damping,
                  signal=args.signal, statistic=args.statistic, border=args.border,
                  nodata=band.GetNoDataValue())

    dst_ds = gdal.GetDriverByName("GTiff").Create(
        args.output, W, H, 1, gdal.GDT_Float32,
        options=["TILED=YES", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"])
    dst_ds.SetGeoTransform(src_ds.GetGeoTransform())
    dst_ds.SetProjection(src_ds.GetProjection())
    out_band = dst_ds.GetRasterBand(1)
    if params["nodata"] is not None:
        out_band.SetNoDataValue(params["nodata"])

    for y in range(0, H, args.strip):
        region = (0, y, W, min(args.strip, H - y))   # x_off, y_off, width, height
        sx, sy, sw, sh = enh_lee.source_window((H, W), region, **params)
        src = band.ReadAsArray(sx, sy, sw, sh, buf_type=gdal.GDT_Float32)
        # In place is only for the whole raster; a strip gets its own output.
        out_band.WriteArray(enh_lee.filter_region(src, (H, W), region, **params), 0, y)
    dst_ds.FlushCache()
    dst_ds = None


if __name__ == "__main__":
    main()
