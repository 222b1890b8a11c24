#!/usr/bin/env bash
# Tests of the Python binding (bindings/python): builds libenh_lee if needed,
# then runs pytest against it with Debian's interpreter (numpy, scipy, pytest
# from apt). Works from any directory; pytest's exit status is the script's.
#   bindings/python/run-tests.sh [extra pytest arguments]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}

# cargo is incremental: a no-op when the library is up to date.
if command -v cargo >/dev/null; then
  (cd "$root" && cargo build --release --quiet)
elif [ ! -e "$root/target/release/libenh_lee.so" ]; then
  echo "run-tests.sh: cargo not found and target/release/libenh_lee.so not built" >&2
  exit 1
fi

export ENH_LEE_LIBRARY="$root/target/release/libenh_lee.so"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1

cd "$root"
exec "$python" -m pytest -q -p no:cacheprovider "$@" bindings/python/tests
