#!/usr/bin/python3
"""Helpers of scripts/main-job.sh (Debian's GDAL Python: run with /usr/bin/python3).

    demo.py scene OUT.tif [--size 2000] [--looks 4] [--seed 1]
        a georeferenced synthetic speckled intensity scene; prints the
        homogeneous window "x y w h" to measure the ENL on and the point
        target "x y"
    demo.py homogeneous IN.tif
        picks a homogeneous window of a real image; prints "x y w h"
    demo.py enl IMAGE.tif X Y W H
        equivalent number of looks mean^2/var of that window (valid pixels)
    demo.py preview BEFORE.tif AFTER.tif OUT.png [--width 900] [--scale db|linear]
                    [--center X Y] [--crop 300]
        before | after side by side, all stretched identically: the whole
        image, and below it a full-resolution crop around X Y, enlarged

Everything reads windows or decimated views, so it works on rasters of any
size in little memory.
"""

import argparse
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()


def make_scene(path, size, looks, seed):
    """Fields of different reflectivity, a straight (oblique) edge, a bright
    point target and a small bright square, times gamma(L, 1/L) speckle.
    Written in strips; returns the homogeneous window used for the ENL."""
    rng = np.random.default_rng(seed)
    n = size
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(path, n, n, 1, gdal.GDT_Float32,
                    options=["TILED=YES", "BIGTIFF=IF_SAFER"])
    ds.SetGeoTransform((600000.0, 10.0, 0.0, 5200000.0, 0.0, -10.0))   # 10 m pixels
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32632)                                           # UTM 32N
    ds.SetProjection(srs.ExportToWkt())
    band = ds.GetRasterBand(1)
    band.SetDescription("synthetic intensity, %g looks" % looks)
    ds.SetMetadata({"SCENE": "enh-lee synthetic SAR intensity", "LOOKS": str(looks)})
    strip = 256
    for y0 in range(0, n, strip):
        h = min(strip, n - y0)
        y, x = np.mgrid[y0:y0 + h, 0:n].astype(np.float64)
        refl = np.full((h, n), 30.0)                                    # dark field (water)
        refl[x > n * 0.35] = 120.0                                      # vertical straight edge
        refl[(x > n * 0.35) & (y > n * 0.55)] = 60.0                    # another field
        refl[(x - y * 0.5) > n * 0.65] = 300.0                          # oblique straight edge
        cy, cx, r = n * 0.25, n * 0.18, n * 0.08
        refl[(y - cy) ** 2 + (x - cx) ** 2 < r * r] = 200.0             # a round field
        sq = (abs(y - n * 0.8) < n * 0.01) & (abs(x - n * 0.15) < n * 0.01)
        refl[sq] = 2000.0                                               # a building
        speckle = rng.gamma(looks, 1.0 / looks, (h, n))
        img = refl * speckle
        # A corner reflector: a bright impulse response (sinc^2 sidelobes
        # along range and azimuth) at (py, px).
        py, px = int(n * 0.75), int(n * 0.55)
        for d in range(-8, 9):
            side = 1e6 * np.sinc(d / 1.5) ** 2
            for yy, xx in ((py + d, px), (py, px + d)):
                if y0 <= yy < y0 + h and 0 <= xx < n:
                    img[yy - y0, xx] += side * speckle[yy - y0, xx]
        for yy in range(py - 1, py + 2):
            if y0 <= yy < y0 + h:
                img[yy - y0, px - 1:px + 2] = np.maximum(img[yy - y0, px - 1:px + 2], 3e5)
        band.WriteArray(img.astype(np.float32), 0, y0)
    ds = None
    # Inside the dark field, away from every edge; then the target.
    w = max(8, n // 10)
    return int(n * 0.05), int(n * 0.5), w, w, px, py


def homogeneous_window(path, size=64, grid=16):
    """The window of lowest-decile coefficient of variation among a grid of
    windows (low but not the lowest: avoids flat nodata or saturated spots)."""
    ds = gdal.Open(path)
    band = ds.GetRasterBand(1)
    nodata = band.GetNoDataValue()
    W, H = ds.RasterXSize, ds.RasterYSize
    s = min(size, W, H)
    cands = []
    for gy in np.linspace(0, H - s, min(grid, max(1, H // s))).astype(int):
        for gx in np.linspace(0, W - s, min(grid, max(1, W // s))).astype(int):
            a = band.ReadAsArray(int(gx), int(gy), s, s, buf_type=gdal.GDT_Float64)
            ok = np.isfinite(a) & ((a != nodata) if nodata is not None else True)
            if ok.mean() < 0.99:
                continue
            v = a[ok]
            m = v.mean()
            if m <= 0:
                continue
            cands.append((v.std() / m, int(gx), int(gy)))
    if not cands:
        return 0, 0, s, s
    cands.sort()
    cv, x, y = cands[len(cands) // 10]
    return x, y, s, s


def enl(path, x, y, w, h):
    ds = gdal.Open(path)
    band = ds.GetRasterBand(1)
    a = band.ReadAsArray(x, y, w, h, buf_type=gdal.GDT_Float64)
    nodata = band.GetNoDataValue()
    ok = np.isfinite(a)
    if nodata is not None:
        ok &= a != nodata
    v = a[ok]
    return v.mean() ** 2 / v.var()


def _read(path, x, y, w, h, bw, bh):
    """A window, nearest-decimated to bw x bh by GDAL (no full read)."""
    ds = gdal.Open(path)
    band = ds.GetRasterBand(1)
    a = band.ReadAsArray(x, y, w, h, buf_xsize=bw, buf_ysize=bh, buf_type=gdal.GDT_Float32)
    nodata = band.GetNoDataValue()
    if nodata is not None:
        a = np.where(a == nodata, np.nan, a)
    return a


def preview(before, after, out_png, width, scale, center=None, crop=300):
    """Top row: the whole image, before | after (nearest-decimated to
    `width` pixels each). Bottom row: a crop x crop window around `center`
    (default: the middle) at full resolution, enlarged by pixel replication.
    One stretch for everything."""
    ds = gdal.Open(before)
    W, H = ds.RasterXSize, ds.RasterYSize
    bw = min(width, W)
    bh = max(1, round(H * bw / W))
    top = [_read(p, 0, 0, W, H, bw, bh) for p in (before, after)]
    c = min(crop, W, H)
    cx, cy = center if center else (W // 2, H // 2)
    x0 = int(min(max(cx - c // 2, 0), W - c))
    y0 = int(min(max(cy - c // 2, 0), H - c))
    zoom = max(1, bw // c)
    bottom = [np.kron(_read(p, x0, y0, c, c, c, c), np.ones((zoom, zoom), np.float32))
              for p in (before, after)]

    def to_display(v):
        if scale == "db":
            with np.errstate(divide="ignore", invalid="ignore"):
                return 10 * np.log10(np.where(v > 0, v, np.nan))
        return v

    top = [to_display(v) for v in top]
    bottom = [to_display(v) for v in bottom]
    # The stretch comes from the filtered image (the speckled one would
    # spend the range on speckle extremes), and is the same for all panels.
    lo, hi = np.nanpercentile(top[1], [1, 99.5])
    gap = 8
    zh = bottom[0].shape[0]
    canvas = np.full((bh + gap + zh, 2 * bw + gap), 255, np.uint8)

    def put(v, y, x):
        g = np.clip((v - lo) / (hi - lo) * 255.0, 0, 255)
        canvas[y:y + v.shape[0], x:x + v.shape[1]] = np.nan_to_num(g, nan=0).astype(np.uint8)

    for i in range(2):
        put(top[i], 0, i * (bw + gap))
        put(bottom[i], bh + gap, i * (bw + gap))
    mem = gdal.GetDriverByName("MEM").Create("", canvas.shape[1], canvas.shape[0], 1,
                                             gdal.GDT_Byte)
    mem.GetRasterBand(1).WriteArray(canvas)
    gdal.GetDriverByName("PNG").CreateCopy(out_png, mem)
    return lo, hi, (x0, y0, c, zoom)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("scene")
    p.add_argument("out")
    p.add_argument("--size", type=int, default=2000)
    p.add_argument("--looks", type=float, default=4.0)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("homogeneous")
    p.add_argument("image")
    p = sub.add_parser("enl")
    p.add_argument("image")
    p.add_argument("window", type=int, nargs=4)
    p = sub.add_parser("preview")
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("out")
    p.add_argument("--width", type=int, default=900)
    p.add_argument("--scale", choices=["db", "linear"], default="db")
    p.add_argument("--center", type=int, nargs=2, metavar=("X", "Y"))
    p.add_argument("--crop", type=int, default=300)
    a = ap.parse_args(argv)
    if a.cmd == "scene":
        print(*make_scene(a.out, a.size, a.looks, a.seed))
    elif a.cmd == "homogeneous":
        print(*homogeneous_window(a.image))
    elif a.cmd == "enl":
        print("%.3f" % enl(a.image, *a.window))
    else:
        lo, hi, (x0, y0, c, zoom) = preview(a.before, a.after, a.out, a.width, a.scale,
                                            a.center, a.crop)
        print("%.2f %.2f %d %d %d %d" % (lo, hi, x0, y0, c, zoom))


if __name__ == "__main__":
    main(sys.argv[1:])
