"""The Processing provider ``enhlee``: "Enhanced Lee (enh-lee)"."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import binding
from .algorithm import EnhancedLeeAlgorithm

ICON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.svg")


class EnhLeeProvider(QgsProcessingProvider):
    """Holds the algorithm ``enhlee:enhancedlee``. Outputs are GeoTIFF."""

    def id(self):
        return "enhlee"

    def name(self):
        return "Enhanced Lee (enh-lee)"

    def longName(self):  # noqa: N802 (QGIS's name)
        return "Enhanced Lee speckle filter (enh-lee)"

    def icon(self):
        return QIcon(ICON)

    def svgIconPath(self):  # noqa: N802 (QGIS's name)
        return ICON

    def versionInfo(self):  # noqa: N802 (QGIS's name)
        try:
            return "libenh_lee " + binding.load().version()
        except ImportError:
            return None

    def loadAlgorithms(self):  # noqa: N802 (QGIS's name)
        self.addAlgorithm(EnhancedLeeAlgorithm())

    # The algorithm writes GeoTIFF only (Float32, tiled, BigTIFF if needed).
    def supportedOutputRasterLayerExtensions(self):  # noqa: N802 (QGIS's name)
        return ["tif", "tiff"]

    def defaultRasterFileExtension(self):  # noqa: N802 (QGIS's name)
        return "tif"
