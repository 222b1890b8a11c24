#!/usr/bin/env bash
# Tests of the Python package as users install it: builds the wheel and the
# sdist (scripts/build-wheel.sh), prints auditwheel's report, installs the
# wheel with its documented extras (cli: rasterio; dask: dask, distributed,
# xarray, rioxarray) in the versions pip picks today, and pytest, scipy and
# psutil, from PyPI into a fresh venv without system site-packages, and runs
# the Python test suite against that installation (ENH_LEE_TEST_INSTALLED=1,
# no ENH_LEE_LIBRARY, nothing of the checkout on sys.path): among them the
# enh-lee command the wheel installed and every README route
# (tests/test_routes.py). Works from any directory; pytest's exit status is
# the script's.
#   bindings/python/run-wheel-tests.sh [extra pytest arguments]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}

{ read -r wheel; read -r sdist; } < <("$root/scripts/build-wheel.sh")
echo "wheel: $(basename "$wheel"), $(stat -c %s "$wheel") bytes; sdist: $(basename "$sdist")"
PATH="$root/target/wheel-tools/bin:$PATH" "$root/target/wheel-tools/bin/auditwheel" show "$wheel"

# The GDAL plugin, when GDAL's development files are here, so that the
# enh-lee command is compared with gdal_translate ENHLEE: (tests/test_cli.py).
if command -v cmake >/dev/null && command -v gdal-config >/dev/null; then
  cmake -S "$root/bindings/gdal" -B "$root/target/gdal-plugin" -DCMAKE_BUILD_TYPE=Release \
        -DENH_LEE_LIBRARY_DIR="$root/target/release" >/dev/null
  cmake --build "$root/target/gdal-plugin" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
  export ENH_LEE_GDAL_DRIVER_PATH="$root/target/gdal-plugin"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/enh-lee-wheel-tests.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset ENH_LEE_LIBRARY PYTHONPATH
"$python" -m venv "$work/venv"
pip=("$work/venv/bin/pip" --disable-pip-version-check -q)
"${pip[@]}" install numpy pytest scipy
start=$(date +%s.%N)
"${pip[@]}" install "$wheel"
echo "pip install of the wheel: $(echo "$(date +%s.%N) - $start" | bc) s"
# The extras as users install them: the current versions from PyPI.
"${pip[@]}" install "$wheel[cli,dask]" psutil
"$work/venv/bin/python" -c "import rasterio, dask, distributed, xarray, rioxarray
print('extras:', ', '.join(f'{m.__name__} {m.__version__}'
                           for m in (rasterio, dask, distributed, xarray, rioxarray)))"

cd "$work"
export ENH_LEE_TEST_INSTALLED=1 ENH_LEE_WHEEL="$wheel" ENH_LEE_SDIST="$sdist"
export PYTHONDONTWRITEBYTECODE=1
exec "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$@" "$root/bindings/python/tests"
