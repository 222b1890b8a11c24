"""The plugin object QGIS loads: it only registers the Processing provider."""

from qgis.core import QgsApplication

from .provider import EnhLeeProvider


class EnhLeePlugin:
    """Adds the ``enhlee`` Processing provider; no menus, no toolbars (the
    algorithm lives in the Processing toolbox, group SAR)."""

    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS's name)
        """Called by QGIS (desktop and qgis_process) for plugins whose
        metadata says hasProcessingProvider=yes; safe to call twice."""
        if self.provider is None:
            provider = EnhLeeProvider()
            if not QgsApplication.processingRegistry().addProvider(provider):
                raise RuntimeError("enhlee: could not add the Processing provider 'enhlee' "
                                   "(is another copy of the plugin loaded?)")
            self.provider = provider

    def initGui(self):  # noqa: N802 (QGIS's name)
        self.initProcessing()

    def unload(self):
        """Removes the provider (and with it the algorithm) from the toolbox."""
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
