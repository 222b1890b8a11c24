#!/bin/sh
# pkgconfig_build.sh CC SOURCE OUTDIR: builds SOURCE with nothing but
# pkg-config's flags for enh_lee, once against the shared library and once
# against the static one (Libs.private), and runs both. PKG_CONFIG_PATH
# must point at the installed enh_lee.pc.
set -eu
cc=$1 src=$2 out=$3
pc=${PKG_CONFIG:-pkg-config}
mkdir -p "$out"
flags="-std=c11 -Wall -Wextra -Wpedantic -Werror"
libdir=$($pc --variable=libdir enh_lee)

# Shared: the documented one-liner (plus an rpath, the prefix is not a
# system directory).
# shellcheck disable=SC2046
$cc $flags "$src" $($pc --cflags --libs enh_lee) -Wl,-rpath,"$libdir" -o "$out/shared"
"$out/shared"

# Static: the archive, then what Libs.private lists.
# shellcheck disable=SC2046
$cc $flags "$src" $($pc --cflags enh_lee) "$libdir/libenh_lee.a" \
    $($pc --static --libs-only-l enh_lee | sed 's/-lenh_lee//') -o "$out/static"
"$out/static"
if readelf -d "$out/static" | grep -q 'libenh_lee'; then
  echo "static build needs a shared libenh_lee" >&2
  exit 1
fi
