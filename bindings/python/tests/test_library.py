"""The ctypes layer: the declarations read from the header against a C compiler, the
parameters object, library lookup and version check."""

import ctypes
import os
import shutil
import subprocess
import sys
import re
import textwrap

import pytest

import enh_lee
from enh_lee import _header, _lib

from _stub_library import build_stub, needs_gcc

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(PKG_ROOT))
HEADER_DIR = os.path.join(REPO_ROOT, "include")

def compile_and_run(tmp_path, source, *cflags):
    c = tmp_path / "prog.c"
    exe = tmp_path / "prog"
    c.write_text(source)
    subprocess.run(["gcc", "-std=c99", "-Wall", "-I", HEADER_DIR, str(c), "-o", str(exe),
                    *cflags], check=True)
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout


def test_declarations_come_from_the_repository_header():
    # The package reads include/enh_lee.h (or a copy of it, byte for byte).
    with open(_lib.HEADER_PATH, "rb") as a, open(os.path.join(HEADER_DIR, "enh_lee.h"), "rb") as b:
        assert a.read() == b.read()
    assert "enh_lee_params_new" in _lib._DECLARATIONS.functions
    assert "enh_lee_params_default" not in _lib._DECLARATIONS.functions
    # The parameters are opaque: a structure without fields, used by pointer.
    assert not getattr(enh_lee.EnhLeeParams, "_fields_", [])


def structures():
    return {name: t for name, t in _lib._DECLARATIONS.types.items()
            if getattr(t, "_fields_", None)}


@needs_gcc
def test_struct_layout_matches_the_c_compiler(tmp_path):
    prints = [f'    printf("scalar {c} %zu %zu\\n", sizeof({c}), _Alignof({c}));'
              for c in _header._SCALARS]
    for name, t in structures().items():
        prints.append(f'    printf("{name} sizeof %zu %zu\\n", sizeof({name}), _Alignof({name}));')
        for f, _ in t._fields_:
            prints.append(f'    printf("{name} {f} %zu %zu\\n", offsetof({name}, {f}), '
                          f"sizeof((({name} *)0)->{f}));")
    out = compile_and_run(tmp_path, textwrap.dedent("""\
        #include <stddef.h>
        #include <stdio.h>
        #include "enh_lee.h"
        int main(void) {
        """) + "\n".join(prints) + "\n    return 0;\n}\n", "-std=c11")
    rows = {tuple(l.split()[:2]): tuple(map(int, l.split()[2:])) for l in out.splitlines()}
    assert {"EnhLeeImage", "EnhLeeRegion", "EnhLeeParamInfo",
            "EnhLeeQualityReport"} <= set(structures())
    # The scalar types the parser maps C types to (function arguments too).
    for c_name, t in _header._SCALARS.items():
        assert rows[("scalar", c_name)] == (ctypes.sizeof(t), ctypes.alignment(t)), c_name
    for name, t in structures().items():
        assert rows[(name, "sizeof")] == (ctypes.sizeof(t), ctypes.alignment(t)), name
        for f, _ in t._fields_:
            field = getattr(t, f)
            assert rows[(name, f)] == (field.offset, field.size), (name, f)


@needs_gcc
def test_function_declarations_match_the_c_compiler(tmp_path):
    """What ctypes declares for each function, against the prototypes gcc
    reads from the header (-aux-info: one normalised line per function),
    so that a mistake of the package's header parser fails here."""
    c = tmp_path / "decl.c"
    info = tmp_path / "decl.info"
    c.write_text('#include "enh_lee.h"\n')
    subprocess.run(["gcc", "-std=c11", "-I", HEADER_DIR, "-fsyntax-only", "-aux-info",
                    str(info), str(c)], check=True)
    prototypes = {}
    for line in info.read_text().splitlines():
        m = re.search(r"\*/ extern (.*?)\b(enh_lee_\w+) \((.*)\);$", line)
        if m and "enh_lee.h" in line:
            args = [] if m.group(3) == "void" else m.group(3).split(", ")
            prototypes[m.group(2)] = (m.group(1), args)
    declared = _lib._DECLARATIONS.functions
    assert set(prototypes) == set(declared)
    ctype = _lib._DECLARATIONS.ctype
    for name, (restype, args) in prototypes.items():
        fn = getattr(_lib.lib, name)
        assert fn.restype == ctype(restype), name
        assert fn.argtypes == [ctype(a) for a in args], name
    # The pointers to the parameters object are typed, not void pointers.
    assert _lib.lib.enh_lee_filter.argtypes[0] == ctypes.POINTER(enh_lee.EnhLeeParams)
    assert _lib.lib.enh_lee_filter.argtypes[1] == ctypes.POINTER(_lib.EnhLeeImage)


def test_params_object_lifetime():
    p = enh_lee.Params()
    q = p.copy()
    assert _lib.lib.enh_lee_params_set(q, b"window", b"9") == _lib.ENH_LEE_OK
    assert enh_lee.describe()["window"] == "7"
    assert enh_lee._get(p, "window") == "7" and enh_lee._get(q, "window") == "9"
    p.close()
    p.close()  # twice is fine: the object is freed once
    assert enh_lee._get(q, "window") == "9"
    with q:
        pass
    assert repr(q) == "Params(<freed>)"
    # A freed object is passed as NULL, which the library refuses.
    assert _lib.lib.enh_lee_params_validate(q) == _lib.ENH_LEE_ERROR_NULL_POINTER


def header_constants():
    """Every ENH_LEE_* constant the header defines, by name (macros and enum members)."""
    with open(os.path.join(HEADER_DIR, "enh_lee.h")) as f:
        text = f.read()
    found = re.findall(r"^#define (ENH_LEE_[A-Z0-9_]+) (-?\d+)$", text, re.M)
    found += re.findall(r"^\s+(ENH_LEE_[A-Z0-9_]+) = (-?\d+),?$", text, re.M)
    return {n: int(v) for n, v in found if not n.startswith("ENH_LEE_VERSION_")}


@needs_gcc
def test_constants_match_the_header(tmp_path):
    names = sorted(n for n in vars(_lib) if n.startswith("ENH_LEE_") and n.isupper())
    prints = "\n".join(f'    printf("{n} %ld\\n", (long)({n}));' for n in names)
    out = compile_and_run(tmp_path, '#include <stdio.h>\n#include "enh_lee.h"\nint main(void) {\n'
                          + prints + "\n    return 0;\n}\n")
    got = dict((l.split()[0], int(l.split()[1])) for l in out.splitlines())
    assert got == {n: getattr(_lib, n) for n in names}


def test_every_header_constant_is_in_the_binding():
    # The other direction: nothing the header defines is missing here.
    header = header_constants()
    assert len(header) >= 35
    assert {n: getattr(_lib, n, None) for n in header} == header
    # Every status code maps to a name (and so to an exception).
    statuses = {v for n, v in header.items() if n.startswith(("ENH_LEE_ERROR_", "ENH_LEE_OK"))}
    assert statuses == set(_lib.STATUS_NAMES)


def test_every_function_is_declared():
    with open(os.path.join(HEADER_DIR, "enh_lee.h")) as f:
        declared = re.findall(r"^[A-Za-z].*?\b(enh_lee_[a-z0-9_]+)\(", f.read(), re.M)
    assert len(declared) >= 14
    for fname in declared:
        fn = getattr(_lib.lib, fname)
        assert fn.argtypes == _lib._DECLARATIONS.functions[fname][1], fname
    # CDLL (not PyDLL): foreign calls release the GIL.
    assert type(_lib.lib) is ctypes.CDLL


def run_import(env_update, pythonpath=PKG_ROOT, code="import enh_lee; print(enh_lee.library_path)"):
    env = {k: v for k, v in os.environ.items() if k not in ("ENH_LEE_LIBRARY", "LD_LIBRARY_PATH")}
    env.update(env_update)
    env["PYTHONPATH"] = pythonpath
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, cwd="/")


def test_env_var_pointing_nowhere_is_a_clear_import_error():
    r = run_import({"ENH_LEE_LIBRARY": "/nonexistent/libenh_lee.so"})
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "ENH_LEE_LIBRARY" in r.stderr
    assert "cargo build --release" in r.stderr


def test_not_found_is_a_clear_import_error(tmp_path):
    shutil.copytree(os.path.join(PKG_ROOT, "enh_lee"), tmp_path / "enh_lee",
                    ignore=shutil.ignore_patterns("libenh_lee*", "__pycache__"))
    shutil.copy(_lib.HEADER_PATH, tmp_path / "enh_lee")  # as a wheel carries it
    r = run_import({}, pythonpath=str(tmp_path))
    if r.returncode == 0:
        pytest.skip(f"a libenh_lee is installed on the system: {r.stdout.strip()}")
    assert "ImportError" in r.stderr and "not found" in r.stderr
    assert "ENH_LEE_LIBRARY" in r.stderr and "cargo build --release" in r.stderr


def test_library_bundled_next_to_the_package(tmp_path):
    shutil.copytree(os.path.join(PKG_ROOT, "enh_lee"), tmp_path / "enh_lee",
                    ignore=shutil.ignore_patterns("libenh_lee*", "__pycache__"))
    shutil.copy(_lib.HEADER_PATH, tmp_path / "enh_lee")  # as a wheel carries it
    shutil.copy(_lib.library_path, tmp_path / "enh_lee" / "libenh_lee.so")
    r = run_import({}, pythonpath=str(tmp_path),
                   code="import enh_lee, numpy as np; print(enh_lee.library_path); "
                        "print(enh_lee.filter(np.ones((4, 4))).sum())")
    assert r.returncode == 0, r.stderr
    path, total = r.stdout.split()
    assert path == str(tmp_path / "enh_lee" / "libenh_lee.so") and float(total) == 16.0


def test_system_search_path(tmp_path):
    libdir = tmp_path / "lib"
    libdir.mkdir()
    shutil.copy(_lib.library_path, libdir / f"libenh_lee.so.{_lib.ABI_VERSION.rsplit('.', 1)[0]}")
    shutil.copytree(os.path.join(PKG_ROOT, "enh_lee"), tmp_path / "enh_lee",
                    ignore=shutil.ignore_patterns("libenh_lee*", "__pycache__"))
    shutil.copy(_lib.HEADER_PATH, tmp_path / "enh_lee")  # as a wheel carries it
    r = run_import({"LD_LIBRARY_PATH": str(libdir)}, pythonpath=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "libenh_lee.so" in r.stdout


@needs_gcc
def test_version_mismatch_is_an_import_error(tmp_path):
    # A stub library of the previous MINOR version (without the functions it lacked).
    so = build_stub(str(tmp_path), "0.1.0")
    r = run_import({"ENH_LEE_LIBRARY": so})
    assert r.returncode != 0
    assert "ImportError" in r.stderr and _lib.ABI_VERSION in r.stderr and "0.1.0" in r.stderr
