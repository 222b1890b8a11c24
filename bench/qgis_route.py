#!/usr/bin/python3
"""The QGIS algorithm against the GDAL route, file to file, in one run
(issue 16: QGIS, less qgis_process's own start-up, within 1.5x of GDAL).
Not part of CI: it prints a markdown table.

On a SIZE x SIZE tiled Float32 GeoTIFF (3-look speckle, in the page
cache), window 7, looks 3:

* `gdal_translate -co TILED=YES -oo WINDOW=7 -oo LOOKS=3 ENHLEE:in.tif out.tif`;
* the Processing algorithm `enhlee:enhancedlee`, run in this process
  (`processing.run`, the plugin from the source tree): what `qgis_process
  run` does after its start-up;
* `qgis_process.bin --version`, the start-up alone, for reference.

Usage (after bindings/gdal/run-tests.sh, which builds the driver):

    /usr/bin/python3 bench/qgis_route.py [--size 10000] [--repeat 3]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("ENH_LEE_LIBRARY", os.path.join(ROOT, "target", "release", "libenh_lee.so"))
sys.path[:0] = [os.path.join(ROOT, "bindings", "qgis"), os.path.join(ROOT, "bindings", "python"),
                "/usr/share/qgis/python/plugins", HERE]


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from osgeo import gdal
    from file_to_file import scene
    from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback

    app = QgsApplication([], False)
    app.initQgis()
    import processing
    from processing.core.Processing import Processing

    Processing.initialize()
    from enhlee.provider import EnhLeeProvider

    provider = EnhLeeProvider()
    QgsApplication.processingRegistry().addProvider(provider)

    work = tempfile.mkdtemp(prefix="enh-lee-qgis-")
    src, out = os.path.join(work, "in.tif"), os.path.join(work, "out.tif")
    scene(src, args.size, "Float32", gdal)
    subprocess.run(["cat", src], stdout=subprocess.DEVNULL, check=True)
    env = dict(os.environ, GDAL_DRIVER_PATH=os.path.join(ROOT, "bindings", "gdal", "build", "test"))
    gdal_route = timed(lambda: subprocess.run(
        ["gdal_translate", "-q", "-co", "TILED=YES", "-oo", "WINDOW=7", "-oo", "LOOKS=3",
         "ENHLEE:" + src, out], check=True, env=env), args.repeat)
    qgis_route = timed(lambda: processing.run(
        "enhlee:enhancedlee", {"INPUT": src, "WINDOW": 7, "LOOKS": 3, "OUTPUT": out},
        context=QgsProcessingContext(), feedback=QgsProcessingFeedback()), args.repeat)
    startup = timed(lambda: subprocess.run(["/usr/bin/qgis_process.bin", "--version"],
                                           check=True, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL), args.repeat)
    print(f"| size | `gdal_translate ENHLEE:` | QGIS algorithm (in process) | QGIS / GDAL | "
          f"`qgis_process.bin --version` |")
    print("|---|---|---|---|---|")
    print(f"| {args.size}x{args.size} | {gdal_route:.2f} s | {qgis_route:.2f} s | "
          f"{qgis_route / gdal_route:.2f}x | {startup:.2f} s |")
    shutil.rmtree(work)
    app.exitQgis()


if __name__ == "__main__":
    main()
