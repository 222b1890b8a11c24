"""A stand-in libenh_lee of another version, compiled with gcc, for the
tests of the version check (test_library.py, test_wheel.py)."""

import os
import shutil
import subprocess
import textwrap

import pytest

HEADER_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))), "include")

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")


def build_stub(directory, version="0.1.0"):
    """Compiles, in `directory`, a libenh_lee.so whose enh_lee_version() is
    `version`, with a few filtering functions only; returns its path."""
    stub = textwrap.dedent("""\
        #include "enh_lee.h"
        EnhLeeParams *enh_lee_params_new(void) { return 0; }
        EnhLeeStatus enh_lee_scratch_size(size_t w, size_t h, const EnhLeeParams *p, size_t *o) { return 20; }
        EnhLeeStatus enh_lee_halo(const EnhLeeParams *p, size_t *o) { return 20; }
        EnhLeeStatus enh_lee_filter(const EnhLeeParams *p, const EnhLeeImage *s,
                                    const EnhLeeImage *d, void *x, size_t xs) { return 20; }
        EnhLeeStatus enh_lee_plan_filter_region(const EnhLeePlan *plan, const EnhLeeImage *s,
                                                EnhLeeRegion r, const EnhLeeImage *d, void *x,
                                                size_t xs) { return 20; }
        const char *enh_lee_status_message(EnhLeeStatus s) { return "stub"; }
        const char *enh_lee_version(void) { return "VERSION"; }
        """).replace("VERSION", version)
    source = os.path.join(directory, "stub.c")
    with open(source, "w") as f:
        f.write(stub)
    so = os.path.join(directory, "libenh_lee.so")
    subprocess.run(["gcc", "-shared", "-fPIC", "-I", HEADER_DIR, source, "-o", so], check=True)
    return so
