#!/usr/bin/python3
"""File to file through GDAL, next to a plain copy, in one run (issue 16's
throughput rows). Not part of CI: it prints a markdown table.

For each size (default 10000) and input type (Float32, UInt16, and
UInt16x2: two UInt16 bands, pixel-interleaved, like a dual-pol GRD), on a
tiled GeoTIFF in the page cache (3-look speckle; UInt16 as the rounded
values with a nodata of 0 and zero borders, like Sentinel-1 GRD):

* `gdal_translate -co TILED=YES in.tif out.tif`: the plain copy;
* for UInt16, the same copy with `-ot Float32` too: the driver's output is
  Float32, twice the bytes of a UInt16 copy's;
* `gdal_translate -co TILED=YES -oo WINDOW=7 -oo LOOKS=3 ENHLEE:in.tif out.tif`.

Each row gives wall, user and system seconds (best of REPEAT by wall),
peak RSS, and the ratio of the ENHLEE route to the copy. Usage (after
bindings/gdal/run-tests.sh, which builds the driver):

    /usr/bin/python3 bench/file_to_file.py [--sizes 10000,20000] [--repeat 3]
"""

import argparse
import os
import resource
import subprocess
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(cmd, env):
    """(wall, user, sys, peak RSS MiB) of one run of `cmd` (a child: its
    rusage is read with wait4)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {p.stderr.read().decode()}")
    return wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss / 1024


def best(cmd, repeat, env):
    return min((run(cmd, env) for _ in range(repeat)), key=lambda r: r[0])


def scene(path, n, dtype, gdal):
    """A tiled GeoTIFF of 3-look speckle over smooth fields, written in
    strips (memory stays small at 20000x20000)."""
    rng = np.random.default_rng(1)
    gtype = gdal.GDT_Float32 if dtype == "Float32" else gdal.GDT_UInt16
    count = 2 if dtype == "UInt16x2" else 1
    ds = gdal.GetDriverByName("GTiff").Create(path, n, n, count, gtype,
                                              ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256",
                                               "BIGTIFF=IF_SAFER", "INTERLEAVE=PIXEL"])
    ds.SetGeoTransform((500000.0, 10.0, 0.0, 4500000.0, 0.0, -10.0))
    rows = 1000
    for b in range(1, count + 1):
        band = ds.GetRasterBand(b)
        if dtype != "Float32":
            band.SetNoDataValue(0)
        for y0 in range(0, n, rows):
            h = min(rows, n - y0)
            y, x = np.mgrid[y0:y0 + h, 0:n]
            base = 300.0 * (1.0 + 0.5 * np.sin(x / 150.0) * np.cos(y / 90.0)) / b
            img = base * rng.gamma(3.0, 1.0 / 3.0, (h, n))
            if dtype != "Float32":
                img = np.round(img).clip(1, 65535).astype(np.uint16)
                img[:, :n // 50] = 0           # a zero border, as GRD has
            band.WriteArray(img.astype(np.float32 if dtype == "Float32" else np.uint16), 0, y0)
    ds = None


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--types", default="Float32,UInt16,UInt16x2")
    args = ap.parse_args()
    from osgeo import gdal

    env = dict(os.environ, GDAL_DRIVER_PATH=os.path.join(ROOT, "bindings", "gdal", "build", "test"))
    work = tempfile.mkdtemp(prefix="enh-lee-f2f-")
    print("| size | input | plain copy: wall / user / sys, RSS | `ENHLEE:` WINDOW=7: wall / user / sys, RSS | ENHLEE / copy |")
    print("|---|---|---|---|---|")
    for n in (int(v) for v in args.sizes.split(",")):
        for dtype in args.types.split(","):
            src = os.path.join(work, f"in-{n}-{dtype}.tif")
            out = os.path.join(work, "out.tif")
            scene(src, n, dtype, gdal)
            co = ["-co", "TILED=YES", "-co", "BIGTIFF=IF_SAFER"]
            subprocess.run(["cat", src], stdout=subprocess.DEVNULL, check=True)  # page cache
            fmt = "{:.2f} / {:.2f} / {:.2f} s, {:.0f} MiB"
            filt = best(["gdal_translate", "-q"] + co + ["-oo", "WINDOW=7", "-oo", "LOOKS=3",
                                                         "ENHLEE:" + src, out], args.repeat, env)
            copies = [("", [])] + ([(" to Float32", ["-ot", "Float32"])] if dtype != "Float32" else [])
            for label, ot in copies:
                copy = best(["gdal_translate", "-q"] + co + ot + [src, out], args.repeat, env)
                print(f"| {n}x{n} | {dtype} | copy{label}: {fmt.format(*copy)} | "
                      f"{fmt.format(*filt)} | {filt[0] / copy[0]:.2f}x |", flush=True)
            os.remove(src)
            os.remove(out)
    os.rmdir(work)


if __name__ == "__main__":
    main()
