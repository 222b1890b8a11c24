#!/usr/bin/env bash
# The C suite of enh-lee (scripts/test.sh suite "c"), from any directory:
#
#   1. builds the library with the root CMakeLists.txt (cargo build
#      --release, reusing the repository's target/) and installs it into a
#      temporary prefix; checks the installed files, links and SONAME;
#   2. builds tests/c against that prefix (find_package(EnhLee) for the
#      shared and the static library, pkg-config) and runs ctest;
#   3. builds the tests again with -fsanitize=address,undefined and runs them
#      (LeakSanitizer on);
#   4. runs the shared-library tests under valgrind (memcheck, definite
#      leaks only, see valgrind.supp).
#
# Environment: JOBS (parallel jobs, default: all cores), ENH_LEE_KEEP_TMP=1
# (keep the temporary directory), ENH_LEE_SKIP_VALGRIND=1,
# ENH_LEE_SKIP_SANITIZERS=1 (quicker local runs; the suite runs everything).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
work=$(mktemp -d "${TMPDIR:-/tmp}/enh-lee-c.XXXXXX")
cleanup() {
  if [ "${ENH_LEE_KEEP_TMP:-0}" = 1 ]; then
    echo "c: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
prefix=$work/prefix
start=$SECONDS

step() { printf '\n--- c: %s (%d s)\n' "$*" "$((SECONDS - start))"; }
fail() { echo "c: FAILED: $*" >&2; exit 1; }
# Runs a command quietly; shows its output only when it fails.
quiet() {
  local log=$work/last.log
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "$*"
  fi
}

step "build and install the package into $prefix"
quiet cmake -S "$root" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DENH_LEE_CARGO_TARGET_DIR="$root/target"
cmake --build "$work/build" -j "$jobs"
quiet cmake --install "$work/build" --prefix "$prefix"

step "check the installed files"
version=$(sed -n 's/^version *= *"\([0-9.]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)
major=${version%%.*}
# The ABI version in the SONAME: MAJOR, or 0.MINOR while MAJOR is 0.
abi=$major
[ "$major" != 0 ] || { minor=${version#*.}; abi=0.${minor%%.*}; }
lib=$prefix/lib
for f in "libenh_lee.so.$version" libenh_lee.a ../include/enh_lee.h \
         cmake/EnhLee/EnhLeeConfig.cmake cmake/EnhLee/EnhLeeConfigVersion.cmake \
         pkgconfig/enh_lee.pc; do
  [ -f "$lib/$f" ] || fail "not installed: $lib/$f"
done
[ "$(readlink "$lib/libenh_lee.so.$abi")" = "libenh_lee.so.$version" ] ||
  fail "libenh_lee.so.$abi is not a link to libenh_lee.so.$version"
[ "$(readlink "$lib/libenh_lee.so")" = "libenh_lee.so.$abi" ] ||
  fail "libenh_lee.so is not a link to libenh_lee.so.$abi"
soname=$(readelf -d "$lib/libenh_lee.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libenh_lee.so.$abi" ] || fail "SONAME is '$soname', expected libenh_lee.so.$abi"
cmp -s "$root/include/enh_lee.h" "$prefix/include/enh_lee.h" || fail "installed header differs"
for sym in enh_lee_params_new enh_lee_params_copy enh_lee_params_free enh_lee_scratch_size enh_lee_halo enh_lee_filter \
           enh_lee_detect enh_lee_detect_cf32 enh_lee_plan_new enh_lee_plan_free enh_lee_plan_count enh_lee_plan_step \
           enh_lee_plan_filter_region enh_lee_plan_report enh_lee_plan_save enh_lee_plan_load \
           enh_lee_status_message enh_lee_version \
           enh_lee_params_set enh_lee_params_get enh_lee_params_validate \
           enh_lee_param_count enh_lee_param_info enh_lee_status_parameter \
           enh_lee_source_region; do
  nm -D --defined-only "$lib/libenh_lee.so.$version" | grep -q " T $sym\$" ||
    fail "libenh_lee.so does not export $sym"
done
echo "ok: $(cd "$lib" && ls libenh_lee*), SONAME $soname"

# The package must be relocatable: the tests use a moved copy of it.
mv "$prefix" "$work/moved-prefix"
prefix=$work/moved-prefix

step "build the tests against $prefix"
quiet cmake -S "$here" -B "$work/tests" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$prefix" -DENH_LEE_VALGRIND=ON
found=$(sed -n 's/^EnhLee_DIR:PATH=//p' "$work/tests/CMakeCache.txt")
[ "$found" = "$prefix/lib/cmake/EnhLee" ] || fail "found EnhLee in '$found', not in $prefix"
cmake --build "$work/tests" -j "$jobs"

step "ctest"
(cd "$work/tests" && ctest --output-on-failure -j "$jobs" -LE valgrind)

if [ "${ENH_LEE_SKIP_SANITIZERS:-0}" != 1 ]; then
  step "AddressSanitizer + UndefinedBehaviorSanitizer"
  quiet cmake -S "$here" -B "$work/tests-asan" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_PREFIX_PATH="$prefix" -DENH_LEE_SANITIZE=ON
  cmake --build "$work/tests-asan" -j "$jobs"
  (cd "$work/tests-asan" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:check_initialization_order=1:strict_string_checks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs")
fi

if [ "${ENH_LEE_SKIP_VALGRIND:-0}" != 1 ]; then
  step "valgrind (shared library)"
  (cd "$work/tests" && ctest --output-on-failure -j "$jobs" -L valgrind)
fi

step "all C tests passed"
