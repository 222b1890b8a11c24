#!/usr/bin/python3
"""The Lee family against OTB, file to file, in one run (issue: the family's
benchmark rows). Not part of CI: it prints a markdown table.

For each filter OTB has (lee, kuan, gammamap, frost) at one window, and
for enhanced_lee, refined_lee and lee_sigma (which OTB lacks: no OTB
column; lee_sigma's in-memory time includes its point threshold), on a
SIZE x SIZE float32 GeoTIFF (3-look speckle, tiled, in the page cache):

* `otbcli_Despeckle -filter F -filter.F.rad r` (file to file, its defaults:
  all cores, its own RAM setting);
* `gdal_translate ENHLEE:scene.tif out.tif -oo FILTER=... -oo WINDOW=w`
  (file to file through the plugin driver, same output format);
* `enh_lee.filter(img, filter=...)` in memory (2 threads), and a
  `gdal_translate` plain copy of the scene as the floor of file to file.

Times: wall clock, best of REPEAT. Usage (after bench/setup.sh and
bindings/gdal/run-tests.sh, which builds the driver):

    /usr/bin/python3 bench/family.py [--size 5000] [--window 7] [--repeat 2]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Our name -> OTB's name and the OTB option that plays our role.
OTB = {"lee": ("lee", "nblooks"), "kuan": ("kuan", "nblooks"),
       "gamma_map": ("gammamap", "nblooks"), "frost": ("frost", "deramp")}
LOOKS = 3.0


def best(cmd, repeat, env=None):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=5000)
    ap.add_argument("--window", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--filters",
                    default="enhanced_lee,lee,kuan,gamma_map,frost,refined_lee,lee_sigma")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
    lib = os.path.join(ROOT, "target", "release", "libenh_lee.so")
    os.environ.setdefault("ENH_LEE_LIBRARY", lib)
    import enh_lee
    from osgeo import gdal

    env = dict(os.environ, GDAL_DRIVER_PATH=os.path.join(ROOT, "bindings", "gdal", "build", "test"))
    n, w, r = args.size, args.window, args.window // 2
    work = tempfile.mkdtemp(prefix="enh-lee-family-")
    tif, out = os.path.join(work, "scene.tif"), os.path.join(work, "out.tif")
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:n, 0:n]
    base = 100.0 * (1.0 + 0.5 * np.sin(x / 150.0) * np.cos(y / 90.0)) * np.where((x // 500 + y // 700) % 2, 1.0, 6.0)
    del x, y
    img = (base * rng.gamma(LOOKS, 1.0 / LOOKS, (n, n))).astype(np.float32)
    del base
    ds = gdal.GetDriverByName("GTiff").Create(tif, n, n, 1, gdal.GDT_Float32,
                                                ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256"])
    ds.GetRasterBand(1).WriteArray(img)
    ds = None
    copy = best(["gdal_translate", "-q", "-co", "TILED=YES", tif, out], args.repeat, env)
    print("%dx%d float32, window %d (radius %d), best of %d; gdal_translate copy %.2f s\n"
          % (n, n, w, r, args.repeat, copy))
    print("| filter | in memory (2 threads) | `gdal_translate ENHLEE:` | otbcli_Despeckle | OTB / ours (file to file) |")
    print("|---|---:|---:|---:|---:|")
    for name in args.filters.split(","):
        # Refined Lee's window is 7x7 only; it estimates its own noise level.
        params = dict(filter=name, window=7 if name == "refined_lee" else w, threads=2)
        if name == "frost":
            params["damping"] = 1.0
        elif name != "refined_lee":
            params["looks"] = LOOKS if name != "lee_sigma" else round(LOOKS)
        enh_lee.filter(img[:256], **params)
        mem = min(_timed(enh_lee.filter, img, **params) for _ in range(args.repeat))
        oo = sum((["-oo", "%s=%s" % (k.upper(), v)] for k, v in params.items() if k != "threads"), [])
        ours = best(["gdal_translate", "-q", "-co", "TILED=YES"] + oo + ["ENHLEE:" + tif, out],
                    args.repeat, env)
        row = "| %s | %.2f s | %.2f s (%.1fx the copy) |" % (name, mem, ours, ours / copy)
        if name in OTB:
            otb_name, opt = OTB[name]
            value = "1" if name == "frost" else str(LOOKS)
            otb = best(["otbcli_Despeckle", "-in", tif, "-out", out, "float", "-filter", otb_name,
                        "-filter.%s.rad" % otb_name, str(r), "-filter.%s.%s" % (otb_name, opt),
                        value], args.repeat, env)
            print(row + " %.2f s | %.1fx |" % (otb, otb / ours))
        else:
            print(row + " (none) | |")
        sys.stdout.flush()
    for f in (tif, out):
        if os.path.exists(f):
            os.remove(f)
    os.rmdir(work)


def _timed(fn, *a, **k):
    t = time.perf_counter()
    fn(*a, **k)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
