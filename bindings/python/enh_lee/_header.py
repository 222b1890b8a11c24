"""The ctypes declarations of the C ABI, read from include/enh_lee.h itself.

There is no hand-kept copy of the header in Python: this module parses the
header that cbindgen generates (its integer ``#define ENH_LEE_*`` constants,
its ``typedef struct`` definitions, opaque or not, and its function
prototypes) into ctypes types. The header is found next to this package
(``enh_lee/enh_lee.h``, which the wheel and the QGIS plugin carry) or, in a
source checkout, at ``include/enh_lee.h`` of the repository.

The parser only knows the shapes cbindgen writes (one declaration per
statement, C types made of the scalar types below, ``struct`` names and
pointers to them); anything else is an error at import, not a guess.
"""

import ctypes
import os
import re

_HERE = os.path.dirname(os.path.abspath(__file__))

#: Where the header is looked for, in order.
HEADER_CANDIDATES = (
    os.path.join(_HERE, "enh_lee.h"),
    os.path.join(_HERE, os.pardir, os.pardir, os.pardir, "include", "enh_lee.h"),
)

_SCALARS = {
    "int32_t": ctypes.c_int32,
    "uint32_t": ctypes.c_uint32,
    "uint64_t": ctypes.c_uint64,
    "size_t": ctypes.c_size_t,
    "double": ctypes.c_double,
    "float": ctypes.c_float,
    "char": ctypes.c_char,
}

#: Pointers to these are passed as integer addresses (numpy buffers).
_BUFFERS = {"void", "float", "uint64_t"}


class Declarations:
    """What the header declares: ``constants`` (name -> int), ``types``
    (name -> ctypes type: structures, opaque structures, typedefs) and
    ``functions`` (name -> (restype, [argtypes]))."""

    def __init__(self, text):
        text = _strip_comments(text)
        self.constants = {
            m.group(1): int(m.group(2))
            for m in re.finditer(r"^#define (ENH_LEE_\w+) (-?\d+)\s*$", text, re.M)
        }
        self.types = {}
        for m in re.finditer(r"^typedef (\w+) (\w+);", text, re.M):
            self.types[m.group(2)] = self.ctype(m.group(1))
        for m in re.finditer(r"^typedef struct (\w+) (\w+);", text, re.M):
            # Opaque: only pointers to it exist.
            self.types[m.group(2)] = type(m.group(1), (ctypes.Structure,), {})
        for m in re.finditer(r"^typedef struct (\w+) \{(.*?)\} (\w+);", text, re.M | re.S):
            fields = [self._field(f) for f in m.group(2).split(";") if f.strip()]
            self.types[m.group(3)] = type(m.group(1), (ctypes.Structure,), {"_fields_": fields})
        self.functions = {}
        for m in re.finditer(r"^([\w][\w \*]*?)\b(enh_lee_\w+)\(([^;]*?)\);", text, re.M | re.S):
            restype, name, args = m.group(1), m.group(2), " ".join(m.group(3).split())
            argtypes = [] if args == "void" else [self.ctype(_arg_type(a)) for a in args.split(",")]
            self.functions[name] = (self.ctype(restype), argtypes)

    def _field(self, declaration):
        m = re.fullmatch(r"\s*(.*?)\s*(\w+)\s*", declaration, re.S)
        return (m.group(2), self.ctype(m.group(1)))

    def ctype(self, c_type):
        """The ctypes type of a C type written as cbindgen writes it."""
        t = " ".join(c_type.replace("*", " * ").split())
        t = re.sub(r"^(const )?(struct )?", "", t).replace(" const", "")
        if t == "void":
            return None
        pointers = t.count("*")
        base = t.replace("*", "").strip()
        if pointers == 0:
            if base in _SCALARS:
                return _SCALARS[base]
            if base in self.types:
                return self.types[base]
        elif pointers == 1:
            if base == "char":
                return ctypes.c_char_p
            if base in _BUFFERS:
                return ctypes.c_void_p
            if base in _SCALARS:
                return ctypes.POINTER(_SCALARS[base])
            if base in self.types:
                return ctypes.POINTER(self.types[base])
        elif pointers == 2 and base in self.types:
            # An out-parameter of a new object (EnhLeePlan **out_plan).
            return ctypes.POINTER(ctypes.POINTER(self.types[base]))
        raise ValueError(f"enh_lee.h: no ctypes type for the C type {c_type!r}")


def _strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _arg_type(argument):
    """The type of one parameter declaration (without its name)."""
    m = re.fullmatch(r"\s*(.*?)\s*\b\w+\s*", argument)
    if m is None:
        raise ValueError(f"enh_lee.h: cannot read the parameter {argument!r}")
    return m.group(1)


def header_path():
    """The header this package reads."""
    for path in HEADER_CANDIDATES:
        if os.path.isfile(path):
            return os.path.normpath(path)
    raise ImportError(
        "enh_lee: the C header enh_lee.h was not found (looked for "
        + ", ".join(os.path.normpath(p) for p in HEADER_CANDIDATES)
        + "); the package reads its declarations from it. Reinstall the package, "
        "or copy include/enh_lee.h into the enh_lee package directory."
    )


def load(path=None):
    """The declarations of the header at `path` (default: header_path())."""
    with open(path or header_path(), encoding="utf-8") as f:
        return Declarations(f.read())
