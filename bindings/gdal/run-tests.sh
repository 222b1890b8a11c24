#!/usr/bin/env bash
# Tests of the GDAL plugin (bindings/gdal), from any directory: builds
# libenh_lee (cargo build --release) and gdal_ENHLEE.so (CMake, in
# bindings/gdal/build), then runs pytest on Debian's GDAL Python
# (/usr/bin/python3) with the plugin found through GDAL_DRIVER_PATH.
#   bindings/gdal/run-tests.sh [extra pytest arguments]
# ENHLEE_MEMTEST_SIZE=N sets the side of the memory test's raster
# (default 20000, i.e. 1.6 GB on disk; 0 skips it).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}
jobs=$(nproc 2>/dev/null || echo 2)

if command -v cargo >/dev/null; then
  (cd "$root" && cargo build --release --quiet)
elif [ ! -e "$root/target/release/libenh_lee.a" ]; then
  echo "run-tests.sh: cargo not found and target/release/libenh_lee.a not built" >&2
  exit 1
fi

# The plugin links target/release/libenh_lee.a: CMake relinks it whenever
# the library changed, so plugin and reference always come from one build.
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$here/build" -j "$jobs" >/dev/null

export GDAL_DRIVER_PATH="$here/build"
export ENH_LEE_LIBRARY="$root/target/release/libenh_lee.so"
export PYTHONPATH="$root/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1

cd "$root"
exec "$python" -m pytest -q -p no:cacheprovider "$@" bindings/gdal/tests
