"""QGIS plugin "Enhanced Lee (enh-lee)": the Processing provider ``enhlee``
with the algorithm ``enhlee:enhancedlee`` (Enhanced Lee speckle filter).

QGIS calls :func:`classFactory` when it loads the plugin; the plugin adds the
provider in ``initProcessing`` (also called by qgis_process, which has no
GUI) and removes it in ``unload``.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """Entry point QGIS calls with its QgisInterface (None in qgis_process)."""
    from .plugin import EnhLeePlugin

    return EnhLeePlugin(iface)
