#!/usr/bin/env bash
# Benchmark prerequisites (not part of CI): Debian's numpy/scipy/numexpr for
# /usr/bin/python3, Orfeo Toolbox's command line apps (otbcli_Despeckle), and
# the library in release mode.
#   bench/setup.sh            # apt-get install (as root, or via sudo) + cargo build --release
#   SKIP_APT=1 bench/setup.sh # only the build
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(python3-numpy python3-scipy python3-numexpr otb-bin)
if [ -z "${SKIP_APT:-}" ]; then
  missing=()
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
  fi
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found: install Rust (rustup) first" >&2
  exit 1
fi
cargo build --release >&2
echo "setup: $(pwd)/target/release/libenh_lee.so" >&2
