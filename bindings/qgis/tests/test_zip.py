"""The plugin ZIP: what QGIS's "Install from ZIP" and plugin manager need."""

import configparser
import os
import re
import zipfile

from conftest import PLUGIN_DIR, ROOT


def _metadata(text):
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str
    cp.read_string(text)
    return dict(cp["general"])


def _cargo_version():
    with open(os.path.join(ROOT, "Cargo.toml")) as f:
        return re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M).group(1)


def test_zip_layout(plugin_zip):
    assert os.path.basename(plugin_zip) == f"enhlee-{_cargo_version()}.zip"
    with zipfile.ZipFile(plugin_zip) as z:
        names = z.namelist()
        assert z.testzip() is None
    # One top-level folder, named like the plugin.
    assert {n.split("/")[0] for n in names} == {"enhlee"}
    for need in ("enhlee/metadata.txt", "enhlee/__init__.py", "enhlee/plugin.py",
                 "enhlee/provider.py", "enhlee/algorithm.py", "enhlee/icon.svg",
                 "enhlee/enh_lee/__init__.py", "enhlee/enh_lee/_lib.py",
                 "enhlee/enh_lee/libenh_lee.so"):
        assert need in names, need
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # The shortest metadata.txt names the plugin (what the installer uses).
    assert sorted(n for n in names if n.endswith("metadata.txt"))[0] == "enhlee/metadata.txt"


def test_metadata_complete(plugin_zip):
    with zipfile.ZipFile(plugin_zip) as z:
        md = _metadata(z.read("enhlee/metadata.txt").decode("utf-8"))
    for key in ("name", "qgisMinimumVersion", "description", "about", "version", "author",
                "email", "repository", "tracker", "homepage", "icon", "category", "tags"):
        assert md.get(key, "").strip(), key
    assert md["qgisMinimumVersion"] == "3.22"
    assert md["hasProcessingProvider"] == "yes"
    # The plugin's version is the library's (Cargo.toml).
    assert md["version"] == _cargo_version()


def test_bundled_library_is_the_built_one(plugin_zip):
    with zipfile.ZipFile(plugin_zip) as z:
        so = z.read("enhlee/enh_lee/libenh_lee.so")
        init = z.read("enhlee/enh_lee/__init__.py")
    assert so[:4] == b"\x7fELF"
    with open(os.path.join(ROOT, "bindings", "python", "enh_lee", "__init__.py"), "rb") as f:
        assert f.read() == init


def test_plugin_manager_accepts_it(qgis_app, installed_plugin):
    """QGIS's plugin manager reads the installed plugin without error
    (metadata parsed, version compatible, __init__.py present)."""
    import sys

    sys.path.insert(0, "/usr/share/qgis/python")
    try:
        from pyplugin_installer.installer_data import plugins
    finally:
        sys.path.pop(0)
    info = plugins.getInstalledPlugin("enhlee", PLUGIN_DIR, readOnly=False)
    assert info["error"] == "", (info["error"], info.get("error_details"))
    assert info["name"] == "Enhanced Lee (enh-lee)"
    assert info["version_installed"] == _cargo_version()


def test_profile_enables_it(installed_plugin):
    """`qgis_process plugins enable enhlee` (3.22 has it) writes
    [PythonPlugins] enhlee=true into the profile's QGIS3.ini."""
    ini = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(PLUGIN_DIR))),
                       "QGIS", "QGIS3.ini")
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str
    cp.read(ini)
    assert cp["PythonPlugins"]["enhlee"] == "true"


def test_source_tree_plugin_uses_top_level_binding(tmp_path):
    """Run from the source tree (no vendored copy), the plugin imports the
    top-level enh_lee (PYTHONPATH=bindings/python, ENH_LEE_LIBRARY)."""
    import subprocess
    import sys

    from conftest import QGIS_DIR, _reference_library

    code = ("import enhlee.binding as b; m = b.load(); "
            "print(b.vendored(), m.__name__, m.library_path)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [QGIS_DIR, os.path.join(ROOT, "bindings", "python")]),
        ENH_LEE_LIBRARY=_reference_library(), PYTHONDONTWRITEBYTECODE="1")
    res = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", "enh_lee", _reference_library()]
