#!/usr/bin/env bash
# Installs what building and testing enh-lee needs on a fresh Debian 12
# machine (as root, or with sudo). Packages already present are skipped, so
# running it again is cheap. Rust itself comes from rustup (see README).
set -euo pipefail

packages=(
  build-essential cmake pkg-config valgrind time    # C tests, memory checks
  gdal-bin libgdal-dev python3-gdal                   # GDAL plugin
  python3-numpy python3-scipy python3-pytest python3-venv   # Python binding tests
  python3-dask python3-distributed python3-xarray python3-rioxarray  # Dask/xarray front end
  qgis python3-qgis qgis-providers                    # QGIS provider tests (qgis: qgis_process)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
