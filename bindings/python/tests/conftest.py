"""Makes the tests runnable with a bare `pytest bindings/python/tests` from a
source checkout: the package from bindings/python, and the library from
target/release unless ENH_LEE_LIBRARY says otherwise (run-tests.sh sets both)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(PKG_ROOT))

if PKG_ROOT not in sys.path:
    sys.path.insert(0, PKG_ROOT)
_built = os.path.join(REPO_ROOT, "target", "release", "libenh_lee.so")
if "ENH_LEE_LIBRARY" not in os.environ and os.path.exists(_built):
    os.environ["ENH_LEE_LIBRARY"] = _built
