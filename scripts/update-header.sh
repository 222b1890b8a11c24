#!/usr/bin/env bash
# Regenerates include/enh_lee.h with the pinned cbindgen (see cbindgen.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
ENH_LEE_UPDATE_HEADER=1 cargo test --quiet --test header header_is_current
echo "include/enh_lee.h updated"
