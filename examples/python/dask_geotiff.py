#!/usr/bin/env python3
"""Enhanced Lee filter of a GeoTIFF of any size on a Dask cluster (rioxarray).

    dask_geotiff.py INPUT OUTPUT [--window 7] [--looks 1] [--damping 1]
                    [--signal intensity|amplitude] [--statistic window|residual]
                    [--border reflect|mirror|nearest|shrink] [--chunk 2048]
                    [--workers 2] [--memory-limit 2GB] [--scheduler ADDRESS]

Opens INPUT lazily with rioxarray (chunks of --chunk x --chunk pixels, one
band per chunk), filters every band with enh_lee.dask.filter (each chunk plus
its halo is one task; the result is bit for bit the whole-image filter) and
writes a tiled float32 GeoTIFF with the input's CRS, transform, nodata and
band metadata. Runs on a new LocalCluster of --workers processes, or on an
existing cluster with --scheduler tcp://host:8786 (its workers must be able
to import enh_lee, find libenh_lee and read INPUT and write OUTPUT at the
same paths). No process ever holds the whole raster.
"""

import argparse

import rioxarray
from dask.distributed import Client, LocalCluster, Lock

import enh_lee
import enh_lee.dask


def filter_geotiff(src, dst, chunk=2048, **params):
    """Filters every band of the GeoTIFF `src` into the float32 GeoTIFF `dst`
    on the cluster of the current dask.distributed Client."""
    raster = rioxarray.open_rasterio(src, chunks={"band": 1, "y": chunk, "x": chunk},
                                     lock=False)           # lazy: (band, y, x)
    smooth = enh_lee.dask.filter(raster, nodata=raster.rio.nodata, **params)
    # Workers write their chunks into one file; a distributed lock serialises them
    # (Lock(name) finds the current client: distributed 2024+ takes no client=).
    smooth.rio.to_raster(dst, tiled=True, compress="DEFLATE", BIGTIFF="IF_SAFER",
                         lock=Lock("rio-write"), compute=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--window", type=int, default=7)
    ap.add_argument("--looks", type=float, default=1.0)
    ap.add_argument("--damping", type=float, default=1.0)
    ap.add_argument("--signal", default="intensity", choices=sorted(enh_lee.SIGNALS))
    ap.add_argument("--statistic", default="window", choices=sorted(enh_lee.STATISTICS))
    ap.add_argument("--border", default="reflect", choices=sorted(enh_lee.BORDERS))
    ap.add_argument("--chunk", type=int, default=2048, help="chunk side in pixels")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--memory-limit", default="auto", help="per LocalCluster worker")
    ap.add_argument("--scheduler", help="address of an existing scheduler")
    args = ap.parse_args(argv)
    params = dict(window=args.window, looks=args.looks, damping=args.damping,
                  signal=args.signal, statistic=args.statistic, border=args.border)

    if args.scheduler:
        with Client(args.scheduler):
            filter_geotiff(args.input, args.output, args.chunk, **params)
    else:
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          memory_limit=args.memory_limit, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster):
            filter_geotiff(args.input, args.output, args.chunk, **params)


if __name__ == "__main__":  # required: LocalCluster starts workers by spawning
    main()
