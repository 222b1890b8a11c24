"""dask, distributed and xarray are optional: `import enh_lee` imports none
of them, `import enh_lee.dask` without dask says what to install, and
xarray is only imported when a DataArray is passed."""

import os
import subprocess
import sys
import textwrap


def _python(code):
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=dict(os.environ),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


OPTIONAL = "('dask', 'distributed', 'xarray', 'rioxarray', 'zarr', 'pandas')"


def test_import_enh_lee_imports_no_dask():
    out = _python(f"""
        import sys
        import numpy as np
        import enh_lee
        enh_lee.filter(np.ones((9, 9), np.float32))
        bad = sorted(m for m in sys.modules if m.split('.')[0] in {OPTIONAL})
        print(bad)
    """)
    assert out.strip() == "[]"


def test_enh_lee_dask_without_dask_explains():
    out = _python("""
        import sys
        class NoDask:
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] == 'dask':
                    raise ModuleNotFoundError(f"No module named {name!r}")
        sys.meta_path.insert(0, NoDask())
        import enh_lee
        try:
            import enh_lee.dask
        except ImportError as e:
            print(e)
        else:
            raise SystemExit('imported without dask')
        import numpy as np
        print(enh_lee.filter(np.ones((5, 5))).dtype)   # the numpy API still works
    """)
    assert "enh-lee[dask]" in out and "python3-dask" in out and "No module named 'dask'" in out
    assert out.strip().endswith("float32")


def test_dask_arrays_do_not_import_xarray():
    out = _python(f"""
        import sys
        import dask.array as da
        import enh_lee.dask
        y = enh_lee.dask.filter(da.ones((20, 20), chunks=7), window=5)
        y.compute(scheduler='sync')
        print(sorted(m for m in sys.modules if m.split('.')[0] in ('xarray', 'rioxarray')))
    """)
    assert out.strip() == "[]"
