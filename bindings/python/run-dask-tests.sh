#!/usr/bin/env bash
# Tests of the Dask/xarray front end (bindings/python/enh_lee/dask.py) on a
# real dask.distributed LocalCluster: builds libenh_lee if needed, then runs
# pytest on bindings/python/tests_dask with Debian's interpreter (dask,
# distributed, xarray, rioxarray, GDAL, numpy, pytest from apt; see
# scripts/install-deps.sh). Works from any directory; pytest's exit status
# is the script's.
#   bindings/python/run-dask-tests.sh [extra pytest arguments]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# A missing optional dependency is a failure of this suite, not a skip.
if ! "$python" -c "import dask.array, distributed, xarray, rioxarray, psutil, osgeo.gdal, pytest" 2>/dev/null; then
  echo "run-dask-tests.sh: $python lacks dask/distributed/xarray/rioxarray/psutil/GDAL/pytest;" \
       "install python3-dask python3-distributed python3-xarray python3-rioxarray" \
       "python3-psutil python3-gdal python3-pytest (scripts/install-deps.sh)" >&2
  exit 1
fi

cd "$root"
exec "$python" -m pytest -q -p no:cacheprovider "$@" bindings/python/tests_dask
