"""The ``enh-lee`` command: filter a raster into a Float32 raster.

    enh-lee INPUT OUTPUT [--filter lee] [--window 7] [--looks auto] [...]
            [--report] [--co KEY=VALUE ...] [--of GTiff|COG] [--quiet]

Reads any raster GDAL reads and writes every band filtered, as Float32, with
the input's georeferencing (CRS, transform), nodata and band descriptions,
as the ENHLEE GDAL driver does. Reading and writing go through rasterio
(``pip install "enh-lee[cli]"``), so no system GDAL is needed.

Every parameter of the library's vocabulary (:data:`enh_lee.PARAMETERS`) is
an option of the same name, ``--target_window`` and ``--target-window``
alike; the library judges the values. ``--nodata`` defaults to each band's
nodata value. Memory is bounded: the raster is read in strips of rows grown
by the halo (:meth:`enh_lee.Plan.source_window`), never whole, every band
at once; values of the whole raster (``--looks auto``, Lee Sigma's point
threshold, the report) are planned by one :class:`enh_lee.Plan` of all
bands, counted over strips first, bit for bit those of the whole band.

Exit status: 0 on success, 2 for a usage error or a value the library
refuses, 1 for any other failure. The output is written to a temporary
file in the output's folder and renamed at the end: a failure leaves no
half-written output.
"""

import argparse
import math
import os
import sys
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import enh_lee

class _UsageError(Exception):
    """A usage error or a refused value: exit status 2."""


def _parser():
    ap = argparse.ArgumentParser(
        prog="enh-lee",
        description="Speckle filter of a raster (any format GDAL reads) into a Float32 "
                    "raster with the input's georeferencing and nodata, every band, in "
                    "bounded memory.",
        epilog="Parameters are the library's (enh_lee.PARAMETERS); the library checks "
               "their values. Exit status: 0 done, 2 usage error or refused value, "
               "1 other failure (no output is left behind).")
    ap.add_argument("input", help="input raster (any format GDAL reads)")
    ap.add_argument("output", help="output raster (Float32)")
    group = ap.add_argument_group("filter parameters (the library's vocabulary)")
    for spec in enh_lee.PARAMETERS:
        flags = ["--" + spec.name]
        if "_" in spec.name:
            flags.append("--" + spec.name.replace("_", "-"))
        what = spec.description
        if any(choice not in what for choice in spec.choices):
            what += f": {', '.join(spec.choices)}"
        default = "unset" if spec.default is None else spec.default
        if spec.name == "nodata":
            default = "each band's nodata; none: no nodata"
        if len(spec.filters) != len(enh_lee.FILTERS):
            what += f"; used by {', '.join(spec.filters)}"
        metavar = {"integer": "N", "real": "X", "choice": "NAME"}[spec.kind]
        group.add_argument(*flags, dest=spec.name, metavar=metavar,
                           help=f"{what} (default: {default})".replace("%", "%%"))
    ap.add_argument("--report", action="store_true",
                    help="print the quality report of every band (equivalent number of "
                         "looks before and after, ratio image) and store it in the "
                         "output's band metadata (ENHLEE_REPORT_*)")
    ap.add_argument("--co", action="append", default=[], metavar="KEY=VALUE",
                    help="creation option of the output driver, e.g. --co TILED=YES "
                         "--co COMPRESS=DEFLATE (repeatable)")
    ap.add_argument("--of", default="GTiff", metavar="FORMAT",
                    help="output format: GTiff (default) or COG (Cloud Optimized GeoTIFF)")
    ap.add_argument("--rows", type=int, metavar="N",
                    help="rows per strip (rounded to the plan's alignment and the "
                         "output's block height); memory grows with it; default: the "
                         "plan's (about 16 MiB of all bands)")
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="no progress bar (there is none when stderr is not a terminal) and "
                         "no notes")
    ap.add_argument("--version", action="version",
                    version=f"enh-lee {enh_lee.__version__} (libenh_lee {enh_lee.version()})")
    return ap


def _creation_options(items):
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _UsageError(f"--co takes KEY=VALUE, got {item!r}")
        options[key.strip().upper()] = value
    return options


def _parameters(args):
    """The filter keywords given on the command line, checked by the library."""
    texts = {spec.name: getattr(args, spec.name) for spec in enh_lee.PARAMETERS
             if getattr(args, spec.name) is not None}
    try:
        params = enh_lee._params_from_text(texts)
        enh_lee.halo(**params)  # every value judged by the library, before any I/O
    except (ValueError, TypeError) as e:
        raise _UsageError(str(e)) from None
    return params


class _Progress:
    """A progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, total, quiet):
        self.total, self.done = max(1, total), 0
        self.on = not quiet and sys.stderr.isatty()
        self._shown = -1

    def __call__(self):
        self.done += 1
        if not self.on:
            return
        percent = min(100, 100 * self.done // self.total)
        if percent != self._shown:
            self._shown = percent
            bar = "#" * (percent * 40 // 100)
            sys.stderr.write(f"\r[{bar:<40}] {percent:3d}%")
            if percent == 100:
                sys.stderr.write("\n")
            sys.stderr.flush()


def _rasterio():
    try:
        import rasterio
        import rasterio.shutil  # noqa: F401
        from rasterio.windows import Window  # noqa: F401
    except ImportError as e:
        raise SystemExit("enh-lee: the command reads and writes rasters through rasterio: "
                         "pip install \"enh-lee[cli]\" (or: pip install rasterio); "
                         f"{e}") from None
    return rasterio


def _strip_rows(plan, block_rows, wanted=None):
    """Rows per strip: `wanted`, else the plan's suggestion, rounded to a
    multiple of the plan's alignment and of the output's block height."""
    block_rows = max(1, block_rows)
    side = plan.alignment
    unit = side * block_rows // math.gcd(side, block_rows)
    rows = wanted or plan.strip_rows
    return max(unit, rows // unit * unit)


def _band_nodata(params, nodatas):
    """The per-band nodata keyword: --nodata, else each band's own nodata
    (NaN pixels are invalid anyway)."""
    if "nodata" in params:
        return params
    return dict(params, nodata=[None if v is None or math.isnan(v) else v for v in nodatas])


def _filter(rasterio, args, params, options, path):
    from rasterio.windows import Window

    with rasterio.open(args.input) as src:
        H, W, n = src.height, src.width, src.count
        bands = _band_nodata(params, src.nodatavals)
        if args.signal is None and not args.quiet and src.dtypes[0].startswith(("uint", "int")):
            # Integer bands are usually amplitudes (Sentinel-1 GRD: UInt16).
            print(f"enh-lee: the bands are {src.dtypes[0]} (integers) and --signal is not "
                  "given: filtered as intensity. Amplitude products (Sentinel-1 GRD) need "
                  "--signal amplitude; the output's ENHLEE tag records what was assumed",
                  file=sys.stderr)
        try:
            plan = enh_lee.Plan((H, W), n, report=args.report, **bands)
        except (ValueError, TypeError) as e:
            raise _UsageError(str(e)) from None
        profile = dict(driver="GTiff", width=W, height=H, count=n, dtype="float32")
        if src.crs is not None:
            profile["crs"] = src.crs
        if not src.transform.is_identity or src.crs is not None:
            profile["transform"] = src.transform
        if src.nodata is not None:
            profile["nodata"] = src.nodata
        if args.of.upper() == "COG":
            gtiff = dict(TILED="YES", BIGTIFF="IF_SAFER")  # copied into the COG at the end
        else:
            gtiff = dict(options)
        gtiff.setdefault("BIGTIFF", "IF_SAFER")
        profile.update(gtiff)

        with rasterio.open(path, "w", **profile) as dst:
            gcps, gcps_crs = src.gcps
            if gcps:  # e.g. Sentinel-1 GRD: georeferenced by ground control points
                dst.gcps = (gcps, gcps_crs)
            if getattr(src, "rpcs", None):
                dst.rpcs = src.rpcs
            rows = _strip_rows(plan, dst.block_shapes[0][0], args.rows)
            strips = range(0, H, rows)
            progress = _Progress(len(strips), args.quiet)
            # Values of the whole raster the plan needs: counted strip by
            # strip, every band at once, until the plan is ready.
            while plan.tally_len:
                tally = plan.tally()
                for y in strips:
                    plan.count(src.read(window=Window(0, y, W, min(rows, H - y))), (0, y), tally)
                    progress.total += 1
                    progress()
                plan.step(tally)
            report = plan.report_tally() if args.report else None
            windows = [plan.source_window((0, y, W, min(rows, H - y))) for y in strips]
            # Reading the next strip and writing the last one overlap the
            # filtering of this one (rasterio releases the GIL in I/O, the
            # library in the filter): two strips in, two out.
            buffers = [np.empty((n, min(rows, H), W), np.float32) for _ in range(2)]
            with ThreadPoolExecutor(1) as reader, ThreadPoolExecutor(1) as writer:
                pending = reader.submit(src.read, window=Window(*windows[0]))
                written = None
                for i, y in enumerate(strips):
                    h = min(rows, H - y)
                    region = (0, y, W, h)
                    sy = windows[i][1]
                    data = pending.result()
                    if i + 1 < len(windows):
                        pending = reader.submit(src.read, window=Window(*windows[i + 1]))
                    out = buffers[i % 2][:, :h]
                    plan.filter_region(data, region, out=out)  # every band, one call
                    if report is not None:
                        plan.report_count(data[:, y - sy:y - sy + h], out, (0, y), report)
                    if written is not None:
                        written.result()
                    written = writer.submit(dst.write, out, window=Window(0, y, W, h))
                    progress()
                written.result()
            reports = []
            if report is not None:
                plan.report_finish(report)
                reports = [plan.report(b) for b in range(n)]
            _describe(src, dst, plan, bands, reports)
    return reports


def _describe(src, dst, plan, params, reports):
    """Band descriptions, the values computed for the whole band and the
    provenance, as the driver writes them (ENHLEE_* band metadata)."""
    dst.update_tags(**{k: v for k, v in src.tags().items() if k != "AREA_OR_POINT"})
    if "AREA_OR_POINT" in src.tags():
        dst.update_tags(AREA_OR_POINT=src.tags()["AREA_OR_POINT"])
    given = enh_lee.describe(**enh_lee._per_plane(params)[0])
    for b in range(src.count):
        if src.descriptions[b]:
            dst.set_band_description(b + 1, src.descriptions[b])
        values = plan.params(b)
        tags = {}
        if src.dtypes[b].startswith("complex"):
            tags["ENHLEE_COMPLEX_AS"] = values["signal"]  # filtered as |z|^2 or |z|
        for name, value in values.items():
            # The values the plan computed from the whole band.
            if name != "nodata" and value != given[name]:
                tags["ENHLEE_" + name.upper()] = value
        for name, value in (reports[b].items() if reports else ()):
            tags["ENHLEE_REPORT_" + name.upper()] = repr(value)
        if tags:
            dst.update_tags(b + 1, **tags)
    dst.update_tags(ENHLEE=plan.provenance())


def _temporary(output, suffix):
    folder = os.path.dirname(os.path.abspath(output))
    fd, path = tempfile.mkstemp(prefix="." + os.path.basename(output) + ".", suffix=suffix,
                                dir=folder)
    os.close(fd)
    return path


def _print_report(reports):
    for b, r in enumerate(reports, 1):
        print(f"band {b}: ENL {r['looks_before']:.3f} before, {r['looks_after']:.3f} after "
              f"(on {int(r['blocks'])} homogeneous 16x16 blocks); ratio image "
              f"input/filtered: mean {r['ratio_mean']:.4f}, std {r['ratio_std']:.4f} "
              f"({int(r['pixels'])} pixels)")


def main(argv=None):
    ap = _parser()
    args = ap.parse_args(argv)
    if args.rows is not None and args.rows < 1:
        ap.error(f"--rows must be a positive number of rows, got {args.rows}")
    temporaries = []
    try:
        params = _parameters(args)
        options = _creation_options(args.co)
        if args.of.upper() not in ("GTIFF", "COG"):
            raise _UsageError(f"--of takes GTiff or COG, got {args.of!r}")
        # GDAL's block cache (by default 5% of the RAM) would hold written
        # strips: a fixed cache keeps the memory independent of the raster.
        os.environ.setdefault("GDAL_CACHEMAX", "128")
        rasterio = _rasterio()
        if not os.path.exists(args.input) and "://" not in args.input and \
                not args.input.startswith("/vsi"):
            raise _UsageError(f"{args.input}: no such file")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
            temporaries.append(_temporary(args.output, ".tif"))
            reports = _filter(rasterio, args, params, options, temporaries[-1])
            if args.of.upper() == "COG":
                temporaries.append(_temporary(args.output, ".cog.tif"))
                rasterio.shutil.copy(temporaries[0], temporaries[-1], driver="COG",
                                     **options)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporaries[-1], 0o666 & ~umask)  # mkstemp made it 0600
        os.replace(temporaries[-1], args.output)
        temporaries.pop()
        _print_report(reports)
        return 0
    except _UsageError as e:
        ap.error(str(e))
    except KeyboardInterrupt:
        print("enh-lee: interrupted; no output written", file=sys.stderr)
        return 130
    except enh_lee.InvalidArgumentError as e:
        ap.error(str(e))
    except Exception as e:  # rasterio's and the system's errors: say it, exit 1
        print(f"enh-lee: error: {e}; no output written", file=sys.stderr)
        return 1
    finally:
        for path in temporaries:
            for leftover in (path, path + ".aux.xml"):
                if os.path.exists(leftover):
                    os.remove(leftover)


if __name__ == "__main__":
    sys.exit(main())
