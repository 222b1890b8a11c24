#!/usr/bin/env bash
# Builds the installable QGIS plugin ZIP: dist/enhlee-<version>.zip (under
# bindings/qgis/), with a single top-level folder enhlee/ holding the plugin
# code, a copy of the Python binding as enhlee/enh_lee/ and the shared library
# enhlee/enh_lee/libenh_lee.so (where the binding looks for it first after
# ENH_LEE_LIBRARY). Works from any directory.
#   bindings/qgis/build-zip.sh            -> prints the path of the ZIP
#   ENHLEE_SKIP_CARGO=1 ...               use the existing target/release/libenh_lee.so
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}

lib="$root/target/release/libenh_lee.so"
if [ "${ENHLEE_SKIP_CARGO:-0}" != 1 ]; then
  if command -v cargo >/dev/null; then
    (cd "$root" && cargo build --release --quiet) >&2
  elif [ ! -e "$lib" ]; then
    echo "build-zip.sh: cargo not found and $lib not built" >&2
    exit 1
  fi
fi
[ -f "$lib" ] || { echo "build-zip.sh: $lib missing after the build" >&2; exit 1; }

version=$(sed -n 's/^version=//p' "$here/enhlee/metadata.txt")
[ -n "$version" ] || { echo "build-zip.sh: no version= in enhlee/metadata.txt" >&2; exit 1; }

stage="$here/build/zip"
rm -rf "$stage"
mkdir -p "$stage/enhlee/enh_lee" "$here/dist"

# Plugin code and data (no tests, caches or build outputs).
for f in "$here"/enhlee/*; do
  case "$(basename "$f")" in
    __pycache__|*.pyc|enh_lee) continue ;;
  esac
  cp -p "$f" "$stage/enhlee/"
done
# The Python binding, vendored as the sub-package enhlee.enh_lee.
cp -p "$root"/bindings/python/enh_lee/*.py "$stage/enhlee/enh_lee/"
# Its ctypes declarations are read from the C header (enh_lee/_header.py).
cp -p "$root/include/enh_lee.h" "$stage/enhlee/enh_lee/"
# The library, without its debug info (about 5x smaller; symbols kept).
if command -v strip >/dev/null; then
  strip --strip-debug -o "$stage/enhlee/enh_lee/libenh_lee.so" "$lib"
else
  cp "$lib" "$stage/enhlee/enh_lee/libenh_lee.so"
fi
chmod 0644 "$stage/enhlee/enh_lee/libenh_lee.so"
cp -p "$root/LICENSE"* "$stage/enhlee/" 2>/dev/null || true

zip="$here/dist/enhlee-$version.zip"
rm -f "$zip"
# Python's zipfile: deterministic order, no extra tools needed.
"$python" - "$stage" "$zip" <<'EOF'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for dirpath, dirnames, filenames in os.walk(stage):
        dirnames.sort()
        rel = os.path.relpath(dirpath, stage)
        if rel != ".":
            z.write(dirpath, rel + "/")
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            z.write(path, os.path.join(rel, name))
EOF
echo "$zip"
