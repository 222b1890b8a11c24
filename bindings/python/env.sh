# Sourced by the test scripts of bindings/python: builds libenh_lee if
# needed and points the package at it. Sets $here, $root, $python.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}

# cargo is incremental: a no-op when the library is up to date.
if command -v cargo >/dev/null; then
  (cd "$root" && cargo build --release --quiet)
elif [ ! -e "$root/target/release/libenh_lee.so" ]; then
  echo "$(basename "$0"): cargo not found and target/release/libenh_lee.so not built" >&2
  exit 1
fi

export ENH_LEE_LIBRARY="$root/target/release/libenh_lee.so"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
