#!/usr/bin/env bash
# Runs every test of enh-lee: lints (rustfmt, clippy), Rust (with the header
# check, tests/header.rs), C (against the installed CMake package),
# Python (from the source tree, then from the built wheel in a fresh venv),
# GDAL, QGIS, Dask and a short fuzzing run. Installs missing system
# packages first.
#   scripts/test.sh            all suites
#   scripts/test.sh rust c     only the named suites
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh || exit 1

# name:command, in order.
suites=(
  "lint:cargo fmt --check && cargo fmt --check --manifest-path oracle/Cargo.toml && cargo clippy --all-targets -- -D warnings && cargo clippy --all-targets --features bench-internals -- -D warnings && cargo clippy --all-targets --manifest-path oracle/Cargo.toml -- -D warnings"
  "rust:cargo test --release && cargo test --release --manifest-path oracle/Cargo.toml"
  "c:tests/c/run.sh"
  "python:bindings/python/run-tests.sh"
  "wheel:bindings/python/run-wheel-tests.sh"
  "gdal:bindings/gdal/run-tests.sh"
  "qgis:bindings/qgis/run-tests.sh"
  "dask:bindings/python/run-dask-tests.sh"
  "fuzz:fuzz/run.sh"
)

selected=("$@")
passed=0; failed=0; failures=()
for entry in "${suites[@]}"; do
  name=${entry%%:*}; cmd=${entry#*:}
  if [ ${#selected[@]} -gt 0 ] && [[ ! " ${selected[*]} " =~ " $name " ]]; then continue; fi
  echo "=== $name: $cmd"
  start=$SECONDS
  if bash -c "$cmd"; then
    passed=$((passed + 1)); echo "=== $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED ($((SECONDS - start)) s)"
  fi
done
echo
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "failed suites: ${failures[*]}"; exit 1; }
