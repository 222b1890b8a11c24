"""Makes the tests runnable with a bare `pytest bindings/python/tests` from a
source checkout: the package from bindings/python, and the library from
target/release unless ENH_LEE_LIBRARY says otherwise (run-tests.sh sets both).

With ENH_LEE_TEST_INSTALLED=1 (run-wheel-tests.sh) the tests run against the
installed package instead: nothing is added to sys.path, ENH_LEE_LIBRARY must
not be set, and the package and its library must come from outside this
checkout (the wheel's own copy)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(PKG_ROOT))
INSTALLED = os.environ.get("ENH_LEE_TEST_INSTALLED") == "1"

if INSTALLED:
    if "ENH_LEE_LIBRARY" in os.environ:
        raise RuntimeError("ENH_LEE_TEST_INSTALLED=1: unset ENH_LEE_LIBRARY, the wheel's "
                           "own library is under test")
    import enh_lee  # noqa: E402  (the installed one: PKG_ROOT is not on sys.path)

    package_dir = os.path.dirname(os.path.abspath(enh_lee.__file__))
    if package_dir.startswith(REPO_ROOT + os.sep):
        raise RuntimeError(f"ENH_LEE_TEST_INSTALLED=1, but enh_lee came from {package_dir}")
    if os.path.dirname(os.path.abspath(enh_lee.library_path)) != package_dir:
        raise RuntimeError(f"the installed enh_lee loaded {enh_lee.library_path}, "
                           f"not the library bundled in {package_dir}")
else:
    if PKG_ROOT not in sys.path:
        sys.path.insert(0, PKG_ROOT)
    _built = os.path.join(REPO_ROOT, "target", "release", "libenh_lee.so")
    if "ENH_LEE_LIBRARY" not in os.environ and os.path.exists(_built):
        os.environ["ENH_LEE_LIBRARY"] = _built
