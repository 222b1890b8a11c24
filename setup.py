"""The build step of the Python package (pyproject.toml holds its metadata).

`pip install .` (or `pip wheel .`) at the repository root:

1. builds the shared library with `cargo build --release --locked`, unless
   ENH_LEE_PREBUILT names an already built libenh_lee.so to bundle instead;
2. copies it, without its debug information, into the package as
   enh_lee/libenh_lee.so, where enh_lee/_lib.py looks for it first after
   ENH_LEE_LIBRARY;
3. copies include/enh_lee.h into the package as enh_lee/enh_lee.h, from
   which enh_lee/_header.py reads the ctypes declarations;
4. tags the wheel py3-none-<platform>: it carries native code, but no
   Python extension, so one wheel serves every supported Python version.
   scripts/build-wheel.sh then gives it its manylinux tag with auditwheel.
"""

import os
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

ROOT = os.path.dirname(os.path.abspath(__file__))
LIBRARY = "libenh_lee.so"


def built_library():
    """The path of the library to bundle: ENH_LEE_PREBUILT, or cargo's build."""
    prebuilt = os.environ.get("ENH_LEE_PREBUILT")
    if prebuilt:
        if not os.path.isfile(prebuilt):
            sys.exit(f"enh-lee build: ENH_LEE_PREBUILT={prebuilt!r} is not a file")
        return prebuilt
    if shutil.which("cargo") is None:
        sys.exit("enh-lee build: cargo not found. The package bundles libenh_lee, built "
                 "from the Rust sources: install Rust (https://rustup.rs) and retry, or "
                 "set ENH_LEE_PREBUILT to a libenh_lee.so you built.")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "--release", "--locked", "--lib"], cwd=ROOT, check=True)
    return os.path.join(target, "release", LIBRARY)


class BuildPyWithLibrary(build_py):
    """build_py, then the library into the package directory of the build."""

    def run(self):
        super().run()
        dest = os.path.join(self.build_lib, "enh_lee", LIBRARY)
        source = built_library()
        if shutil.which("strip"):
            subprocess.run(["strip", "--strip-debug", "-o", dest, source], check=True)
        else:
            shutil.copyfile(source, dest)
        os.chmod(dest, 0o755)
        # enh_lee/_header.py reads the package's declarations from the header.
        shutil.copyfile(os.path.join(ROOT, "include", "enh_lee.h"),
                        os.path.join(self.build_lib, "enh_lee", "enh_lee.h"))


class WithNativeCode(Distribution):
    """Says that the package carries native code, so that it is installed
    into platlib and its wheel is a platform wheel."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    """The platform wheel for any Python 3: py3-none-<platform>."""

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(distclass=WithNativeCode, cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel})
