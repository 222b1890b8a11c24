#!/usr/bin/env bash
# Tests of the QGIS plugin (bindings/qgis), headless against the real QGIS:
# builds the plugin ZIP (and with it libenh_lee), installs it into a
# throw-away QGIS profile, enables it with qgis_process, and runs pytest with
# Debian's interpreter (the one QGIS's Python modules belong to).
# Works from any directory; pytest's exit status is the script's.
#   bindings/qgis/run-tests.sh [extra pytest arguments]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}
export QGIS_PROCESS=${QGIS_PROCESS:-/usr/bin/qgis_process.bin}

# qgis_process comes with the package "qgis" (python3-qgis and
# qgis-providers alone do not have it).
if [ ! -x "$QGIS_PROCESS" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "run-tests.sh: $QGIS_PROCESS missing; installing the Debian package qgis" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends qgis >/dev/null
fi

zip=$("$here/build-zip.sh")

work=$(mktemp -d "${TMPDIR:-/tmp}/enhlee-qgis-tests.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/home" "$work/run"
chmod 0700 "$work/run"

# A clean QGIS profile, headless; the plugin must find its bundled library.
export HOME="$work/home" ENHLEE_TEST_HOME="$work/home" XDG_RUNTIME_DIR="$work/run"
export QT_QPA_PLATFORM=offscreen
export ENHLEE_TEST_ZIP="$zip"
export ENHLEE_TEST_REFERENCE_LIBRARY="$root/target/release/libenh_lee.so"
export PYTHONDONTWRITEBYTECODE=1
unset ENH_LEE_LIBRARY ENHLEE_STRIP_ROWS

cd "$here"
rc=0
"$python" -m pytest -q -p no:cacheprovider --basetemp="$work/pytest" "$@" tests || rc=$?
exit $rc
