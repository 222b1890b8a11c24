#!/usr/bin/env bash
# Tests of the Python binding (bindings/python): builds libenh_lee if needed,
# then runs pytest against it with Debian's interpreter (numpy, scipy, pytest
# from apt). Works from any directory; pytest's exit status is the script's.
#   bindings/python/run-tests.sh [extra pytest arguments]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

cd "$root"
exec "$python" -m pytest -q -p no:cacheprovider "$@" bindings/python/tests
