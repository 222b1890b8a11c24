#!/usr/bin/env bash
# Tests of the GDAL plugin (bindings/gdal), from any directory: builds
# libenh_lee (cargo build --release) and gdal_ENHLEE.so (CMake, in
# bindings/gdal/build/test), then runs pytest on Debian's GDAL Python
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

# The plugin (static libenh_lee.a) and the tests' reference (the Python
# binding, libenh_lee.so) must come from one build, even if target/release
# is rebuilt while the tests run: both use a snapshot taken now. Its own
# build directory, so that bindings/gdal/build stays what the README builds.
build=$here/build/test
snap=$build/snapshot
mkdir -p "$snap"
for f in libenh_lee.a libenh_lee.so; do
  cp -f "$root/target/release/$f" "$snap/$f.tmp" && mv -f "$snap/$f.tmp" "$snap/$f"
done
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DENH_LEE_LIBRARY_DIR="$snap" >/dev/null
cmake --build "$build" -j "$jobs" >/dev/null

export GDAL_DRIVER_PATH="$build"
export ENH_LEE_LIBRARY="$snap/libenh_lee.so"
export PYTHONPATH="$root/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1

cd "$root"
exec "$python" -m pytest -q -p no:cacheprovider "$@" bindings/gdal/tests
