#!/usr/bin/env bash
# The full benchmark: setup (apt packages, release build), then every
# variant at 5000x5000 and 10000x10000, windows 3, 7, 15, 31. Prints the
# markdown report on stdout and writes it into BENCHMARKS.md's results
# section (and bench/data/BENCHMARKS-table.md, every time in
# bench/data/results.json). Extra arguments go to
# bench/run.py, e.g.  bench/run.sh --repeat 1   or   bench/run.sh --quick
# Takes ~11 minutes on an idle 2-core machine; needs ~4 GB of RAM and ~2 GB in bench/data
# (or $ENH_LEE_BENCH_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
bench/setup.sh
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
D="${ENH_LEE_BENCH_DATA:-bench/data}"
mkdir -p "$D"
exec "$PY" bench/run.py --out "$D/BENCHMARKS-table.md" --json "$D/results.json" --update BENCHMARKS.md "$@"
