#!/usr/bin/env bash
# The main job, in one command on a fresh Debian 12 machine (rustup Rust
# present):
#
#   scripts/main-job.sh [INPUT [OUTPUT]] [--filter NAME] [--signal intensity|amplitude]
#                       [--window N] [--looks L|auto]
#
# 1. installs the system packages (scripts/install-deps.sh);
# 2. builds libenh_lee (cargo build --release) and the GDAL plugin
#    gdal_ENHLEE.so (bindings/gdal, CMake);
# 3. without INPUT, makes a georeferenced synthetic speckled scene
#    out/scene.tif (fields, straight edges, a bright point target, gamma
#    speckle with L looks); INPUT may be any raster GDAL reads (band 1 is
#    previewed and measured);
# 4. filters it with `gdal_translate ... ENHLEE:INPUT OUTPUT` (default
#    out/filtered.tif);
# 5. prints the equivalent number of looks (ENL = mean^2/var) of a
#    homogeneous area before and after, the library's quality report
#    (REPORT=YES: ENL before and after on the most homogeneous blocks, mean
#    and std of the ratio image), the looks LOOKS=auto estimated, and the
#    elapsed time (next to a plain gdal_translate copy of the same input);
# 6. writes out/preview.png: before | after, stretched identically (the
#    whole image, and below it a full-resolution crop, enlarged: around the
#    point target of the synthetic scene, else the image centre).
#
# Environment: SIZE (synthetic scene side, default 2000), SCENE_LOOKS (its
# looks, default 4), FILTER, SIGNAL (plugin defaults: enhanced_lee,
# intensity; Sentinel-1 GRD is amplitude), WINDOW (default 7), LOOKS
# (default auto: the library's estimate over the whole raster), STATISTIC,
# BORDER, DAMPING (plugin defaults), GDAL_CACHEMAX (default 256 MB here),
# PREVIEW_SCALE (db or linear). --filter, --signal, --window and --looks
# set FILTER, SIGNAL, WINDOW and LOOKS.
set -euo pipefail
usage="usage: scripts/main-job.sh [INPUT [OUTPUT]] [--filter NAME] [--signal S] [--window N] [--looks L|auto]"
positional=()
while [ $# -gt 0 ]; do
  case $1 in
    --filter|--signal|--window|--looks)
      [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
      name=${1#--}; declare "${name^^}=$2"; shift 2 ;;
    --filter=*|--signal=*|--window=*|--looks=*)
      name=${1%%=*}; name=${name#--}; declare "${name^^}=${1#*=}"; shift ;;
    -h|--help) echo "$usage"; exit 0 ;;
    -*) echo "main-job.sh: unknown option $1" >&2; echo "$usage" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -le 2 ] || { echo "$usage" >&2; exit 2; }
set -- "${positional[@]}"
# Paths as the caller means them (the script works from the repository root).
[ $# -lt 1 ] || set -- "$(realpath -m "$1")" "${@:2}"
[ $# -lt 2 ] || set -- "$1" "$(realpath -m "$2")"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
py=/usr/bin/python3        # Debian's GDAL Python lives there
demo="$py $root/bindings/gdal/demo.py"
out=$root/out
mkdir -p "$out"
output=${2:-$out/filtered.tif}
mkdir -p "$(dirname "$output")"

step() { printf '\n=== %s\n' "$*"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

step "dependencies"
scripts/install-deps.sh

step "build: libenh_lee (cargo) and gdal_ENHLEE.so (CMake)"
command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup" >&2; exit 1; }
cargo build --release --quiet
cmake -S bindings/gdal -B bindings/gdal/build -DCMAKE_BUILD_TYPE=Release \
      -DENH_LEE_LIBRARY_DIR="$root/target/release" >/dev/null
cmake --build bindings/gdal/build -j "$(nproc)" >/dev/null
export GDAL_DRIVER_PATH=$root/bindings/gdal/build
export GDAL_CACHEMAX=${GDAL_CACHEMAX:-256}
gdalinfo --format ENHLEE | sed -n '1,2p'

if [ $# -ge 1 ]; then
  input=$1
  step "input: $input"
  gdalinfo "$input" >/dev/null       # fails clearly when GDAL cannot read it
  read -r hx hy hw hh < <($demo homogeneous "$input")
  center=()
else
  input=$out/scene.tif
  size=${SIZE:-2000}
  step "synthetic scene: ${size}x${size}, ${SCENE_LOOKS:-4} looks -> $input"
  read -r hx hy hw hh tx ty < <($demo scene "$input" --size "$size" --looks "${SCENE_LOOKS:-4}")
  center=(--center "$tx" "$ty")     # zoom on the point target
fi
gdalinfo "$input" | grep -E '^(Size is|Band 1)' || true

enl_before=$($demo enl "$input" "$hx" "$hy" "$hw" "$hh")
looks=${LOOKS:-auto}
oo=(-oo "WINDOW=${WINDOW:-7}" -oo "LOOKS=$looks" -oo REPORT=YES)
for v in FILTER SIGNAL STATISTIC BORDER DAMPING; do
  [ -n "${!v:-}" ] && oo+=(-oo "$v=${!v}")
done

step "filter: gdal_translate ${oo[*]} ENHLEE:$input $output"
rm -f "$output" "$out/copy.tif"
t0=$(now)
gdal_translate "${oo[@]}" "ENHLEE:$input" "$output"
t1=$(now)
gdal_translate -q "$input" "$out/copy.tif"     # the same copy, unfiltered
t2=$(now)
rm -f "$out/copy.tif"

enl_after=$($demo enl "$output" "$hx" "$hy" "$hw" "$hh")
read -r lo hi zx zy zc zoom < <($demo preview "$input" "$output" "$out/preview.png" \
                                 --scale "${PREVIEW_SCALE:-db}" "${center[@]}")

# The library's quality report, which REPORT=YES put in the band's
# metadata (gdal_translate copied it), and the looks LOOKS=auto estimated.
report=$($py - "$output" <<'EOF'
import sys
from osgeo import gdal
ds = gdal.Open(sys.argv[1])
md = ds.GetRasterBand(1).GetMetadata()
get = lambda k: float(md["ENHLEE_REPORT_" + k])
print(f"looks used:                  {md.get('ENHLEE_LOOKS', 'as given')}")
print(f"ENL before / after:          {get('LOOKS_BEFORE'):.3f} / {get('LOOKS_AFTER'):.3f}"
      f"   (on {int(get('BLOCKS'))} homogeneous 16x16 blocks)")
print(f"ratio image x / filtered:    mean {get('RATIO_MEAN'):.4f}, std {get('RATIO_STD'):.4f}"
      f"   (speckle alone: 1 and sqrt(1/L) = {get('LOOKS_BEFORE') ** -0.5:.4f})")
EOF
)

step "result"
printf 'homogeneous area (x y w h):  %s %s %s %s\n' "$hx" "$hy" "$hw" "$hh"
printf 'ENL before:                  %s\n' "$enl_before"
printf 'ENL after:                   %s   (FILTER=%s, SIGNAL=%s, LOOKS=%s, WINDOW=%s)\n' \
  "$enl_after" "${FILTER:-enhanced_lee}" "${SIGNAL:-intensity}" "$looks" "${WINDOW:-7}"
printf 'quality report (band 1, whole raster, by the library):\n%s\n' "$report"
printf 'gdal_translate via ENHLEE:   %s s   (LOOKS=auto and REPORT=YES read the\n' "$(secs "$t0" "$t1")"
printf '                             input 5 more times and filter it once more)\n'
printf 'plain gdal_translate copy:   %s s\n' "$(secs "$t1" "$t2")"
printf 'filtered:                    %s\n' "$output"
printf 'preview (before | after):    %s\n' "$out/preview.png"
printf '  top: whole image; bottom: %sx%s pixels at %s,%s enlarged %sx; stretch %s %s..%s\n' \
  "$zc" "$zc" "$zx" "$zy" "$zoom" "${PREVIEW_SCALE:-db}" "$lo" "$hi"
