"""The Processing algorithm ``enhlee:enhancedlee``: the Enhanced Lee family of
speckle filters (Enhanced Lee, Lee, Kuan, Gamma-MAP, Frost, Refined Lee).

Its filter parameters are the library's (``enh_lee.PARAMETERS``): names,
kinds, defaults, choices, limits, which are advanced, and the messages for
bad values all come from libenh_lee, so a new filter or parameter needs no
code here.

Streams the raster through GDAL in strips of rows: for each strip it reads
the strip plus the filter's halo (``enh_lee.source_window``), filters it with
``enh_lee.filter_region`` and writes the strip. Memory is O(strip x width),
whatever the raster's size, and the output is bit for bit what filtering the
whole image at once gives (the library guarantees seamless regions).

The output goes to a temporary file next to the destination, renamed onto it
only when every strip of every band is written; on cancel or error the
temporary file is deleted, so there is never a partial output.
"""

import html
import json
import math
import numbers
import os
import re
import sys
import time
import uuid

import numpy as np
from osgeo import gdal
from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProperty,
    QgsProviderRegistry,
)
from qgis.PyQt.QtCore import QCoreApplication

from . import binding, output

#: Environment variable: rows per strip (overridden by STRIP_ROWS > 0).
STRIP_ENV = "ENHLEE_STRIP_ROWS"
#: Automatic strips aim at this many bytes of output per strip and band.
STRIP_TARGET_BYTES = 16 * 1024 * 1024
#: Output tiles (and the row alignment of automatic strips).
TILE = 256

CREATION_OPTIONS = ["TILED=YES", f"BLOCKXSIZE={TILE}", f"BLOCKYSIZE={TILE}",
                    "INTERLEAVE=BAND", "BIGTIFF=IF_SAFER"]


def tr(text):
    return QCoreApplication.translate("EnhancedLeeAlgorithm", text)


class _ParameterError(Exception):
    """A parameter value the algorithm refuses (message for the user)."""


class _Canceled(Exception):
    pass


def strip_rows(width, height, halo, requested=0):
    """Rows per strip: `requested` if > 0 (any value works, even one row
    with a halo of 100), else about STRIP_TARGET_BYTES of float32 per strip,
    at least 4 halos (so that re-read halo rows stay a small fraction) and a
    multiple of the output tile height when that large."""
    if requested > 0:
        return max(1, min(int(requested), height))
    rows = max(1, STRIP_TARGET_BYTES // (4 * max(1, width)), 4 * halo)
    if rows >= TILE and rows % TILE:
        down = rows - rows % TILE
        rows = down if down >= 4 * halo else down + TILE
    return max(1, min(rows, height))


def flush_due(y, h, height):
    """Whether the strip of rows [y, y+h) completes a row of output tiles
    (or the raster): then GDAL's cache is flushed. Between flushes it holds
    at most one tile row plus one strip of each band."""
    return y + h >= height or (y + h) // TILE > y // TILE


def _vocabulary():
    """The library's parameters (enh_lee.PARAMETERS), or () when the binding
    cannot be loaded: then the algorithm has only its own parameters and
    reports the load error when run."""
    try:
        return binding.load().PARAMETERS
    except ImportError:
        return ()


def _label(spec):
    """A parameter's label: the first clause of the library's description
    (up to a colon, semicolon or parenthesis), with the filters that use it
    when only one or two do (the help text names them all)."""
    label = re.split(r"[:;(]", spec.description, maxsplit=1)[0].strip()
    filters = tuple(spec.filters)
    if filters and filters != binding.load().FILTERS and len(filters) <= 2:
        label += " ({} only)".format(", ".join(filters))
    return label


def _definition(spec):
    """The QGIS parameter for one library parameter (NAME in upper case)."""
    name = spec.name.upper()
    if spec.kind == "choice":
        # Enums take the option's number (QGIS's convention, what
        # qgis_process help lists) or its name: see checkParameterValues.
        p = QgsProcessingParameterEnum(name, tr(_label(spec)), list(spec.choices), False,
                                       spec.choices.index(spec.default), spec.optional)
    elif _is_word(spec, "auto"):
        # A number or a word the library reads (LOOKS: 4.4 or auto): text,
        # which the library checks, not a number field that refuses auto.
        p = QgsProcessingParameterString(name, tr(_label(spec)), spec.default, False,
                                         spec.optional)
    else:
        kind = (QgsProcessingParameterNumber.Integer if spec.kind == "integer"
                else QgsProcessingParameterNumber.Double)
        lo = spec.minimum if math.isfinite(spec.minimum) else -sys.float_info.max
        hi = spec.maximum if math.isfinite(spec.maximum) else sys.float_info.max
        p = QgsProcessingParameterNumber(name, tr(_label(spec)), kind, spec.default,
                                         spec.optional, lo, hi)
    if hasattr(p, "setHelp"):  # QGIS >= 3.16
        p.setHelp(tr(spec.description))
    if spec.advanced:
        p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return p


class EnhancedLeeAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    BANDS = "BANDS"
    NODATA = "NODATA"
    STRIP_ROWS = "STRIP_ROWS"
    REPORT = "REPORT"
    OUTPUT = "OUTPUT"

    # ------------------------------------------------------------------
    # Identity and help

    def createInstance(self):  # noqa: N802 (QGIS's names from here on)
        return EnhancedLeeAlgorithm()

    def name(self):
        return "enhancedlee"

    def displayName(self):
        return tr("Speckle filter (Enhanced Lee family)")

    def group(self):
        return tr("SAR")

    def groupId(self):
        return "sar"

    def tags(self):
        return tr("sar,radar,speckle,lee,enhanced lee,kuan,gamma map,despeckle,filter,adaptive,"
                  "sentinel-1,intensity,amplitude").split(",")

    def shortDescription(self):
        return tr("Reduces the speckle of SAR intensity or amplitude rasters with an adaptive "
                  "filter of the Lee family, keeping edges and point targets.")

    def shortHelpString(self):
        # QGIS's help panel turns each line break into a paragraph break:
        # the HTML goes as one line, its tags make the structure.
        return " ".join(tr(_HELP.format(filters=_filters_help(),
                                         parameters=_parameter_help())).split())

    def helpUrl(self):
        return "https://github.com/enh-lee/enh-lee/tree/main/bindings/qgis#readme"

    def flags(self):
        # Runs in a background thread (the library releases the GIL) and can
        # be cancelled between strips.
        return super().flags() | QgsProcessingAlgorithm.FlagCanCancel

    # ------------------------------------------------------------------
    # Parameters

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.INPUT, tr("Input SAR raster (intensity or amplitude)")))
        self.addParameter(QgsProcessingParameterBand(
            self.BANDS, tr("Bands to filter (none selected = all bands)"),
            None, self.INPUT, True, True))
        for spec in _vocabulary():
            p = _definition(spec)
            if spec.name == "nodata":
                # Here empty takes each band's own NoData (the library's
                # empty is none): title and help say the same.
                p.setDescription(tr("NoData value (empty = each band's own)"))
                if hasattr(p, "setHelp"):
                    p.setHelp(tr("Pixels equal to this value are invalid: left out of every "
                                 "window and copied unchanged. Empty: each band's own NoData "
                                 "value (none where the band has none)."))
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterBoolean(
            self.REPORT, tr("Quality report (ENL before and after, ratio image; measured "
                            "while filtering)"), False, True))
        strip = QgsProcessingParameterNumber(
            self.STRIP_ROWS, tr("Rows per strip (0 = automatic)"),
            QgsProcessingParameterNumber.Integer, 0, True, 0)
        strip.setFlags(strip.flags() | QgsProcessingParameterDefinition.FlagHidden)
        self.addParameter(strip)

        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, tr("Filtered raster (Float32 GeoTIFF)")))

    # ------------------------------------------------------------------
    # Reading parameters (strictly: a typo never becomes a silent default)

    def _raw(self, parameters, name, context):
        v = parameters.get(name)
        if isinstance(v, QgsProperty):
            v = v.valueAsString(context.expressionContext())
        if isinstance(v, str) and not v.strip():
            v = None
        return v

    def _number(self, parameters, name, context, integer, default=None):
        v = self._raw(parameters, name, context)
        if v is None:
            return default
        try:
            if isinstance(v, bool):
                raise ValueError
            if isinstance(v, numbers.Number):
                x = float(v)
            else:
                x = float(str(v).strip())
        except (TypeError, ValueError):
            kind = "an integer" if integer else "a number"
            raise _ParameterError(tr("{} must be {}, got {!r}").format(name, kind, v)) from None
        if integer:
            if not math.isfinite(x) or x != int(x):
                raise _ParameterError(tr("{} must be an integer, got {!r}").format(name, v))
            return int(x)
        return x

    def _enum(self, parameters, name, context, options, default):
        v = self._raw(parameters, name, context)
        if v is None:
            return default
        if isinstance(v, str) and v.strip().lower() in options:
            return v.strip().lower()
        # An index, as older QGIS scripts pass enums.
        try:
            i = int(v)
        except (TypeError, ValueError):
            i = -1
        if not isinstance(v, bool) and 0 <= i < len(options) and str(i) == str(v).strip():
            return options[i]
        raise _ParameterError(tr("{} must be one of {}, got {!r}").format(
            name, ", ".join(options), v))

    def _bands(self, parameters, context, count):
        """1-based band numbers; [] / None / 0 mean all bands."""
        v = self._raw(parameters, self.BANDS, context)
        if v is None:
            items = []
        elif isinstance(v, (list, tuple)):
            items = list(v)
        elif isinstance(v, str):
            items = [s for s in v.replace(";", ",").replace(" ", ",").split(",") if s]
        else:
            items = [v]
        bands = []
        for item in items:
            try:
                if isinstance(item, bool):
                    raise ValueError
                b = int(str(item).strip()) if not isinstance(item, numbers.Number) else item
                if b != int(b):
                    raise ValueError
                b = int(b)
            except (TypeError, ValueError):
                raise _ParameterError(
                    tr("BANDS must be band numbers (1 to {}), got {!r}").format(count, v)
                ) from None
            bands.append(b)
        if bands == [0] or not bands:
            return list(range(1, count + 1))
        bad = [b for b in bands if not 1 <= b <= count]
        if bad:
            raise _ParameterError(
                tr("band {} does not exist: the input raster has {} band(s) "
                   "(BANDS = 1 to {}, or empty / 0 for all)").format(bad[0], count, count))
        return bands

    def _filter_params(self, parameters, context):
        """The enh_lee keyword arguments except nodata (which is per band)."""
        params = {}
        for spec in _vocabulary():
            name = spec.name.upper()
            if spec.name == "nodata":
                continue
            raw = self._raw(parameters, name, context)
            if spec.kind == "choice":
                params[spec.name] = self._enum(parameters, name, context, spec.choices,
                                               spec.default)
            elif spec.optional and name in parameters and raw is None:
                params[spec.name] = None  # cleared: unset (LOOKS: auto)
            elif _is_word(spec, raw):
                params[spec.name] = raw.strip()  # e.g. LOOKS=auto
            else:
                params[spec.name] = self._number(parameters, name, context,
                                                 spec.kind == "integer", spec.default)
        return params

    def _validate(self, enh_lee, params):
        """Lets the library check every value; returns its halo."""
        try:
            return enh_lee.halo(**params)
        except (ValueError, TypeError) as e:  # InvalidArgumentError is a ValueError
            raise _ParameterError(str(e)) from None

    def _strip_request(self, parameters, context):
        n = self._number(parameters, self.STRIP_ROWS, context, True, 0)
        if not n:
            env = os.environ.get(STRIP_ENV, "").strip()
            if env:
                try:
                    n = int(env)
                except ValueError:
                    raise _ParameterError(
                        tr("{} must be a positive integer, got {!r}").format(STRIP_ENV, env)
                    ) from None
        if n < 0:
            raise _ParameterError(tr("rows per strip must be >= 0, got {}").format(n))
        return n

    def checkParameterValues(self, parameters, context):
        # Our own checks first: their messages are more precise than the
        # generic "Incorrect parameter value for ..." of the base class.
        try:
            enh_lee = binding.load()
        except ImportError as e:
            return False, str(e)
        try:
            self._validate(enh_lee, self._filter_params(parameters, context))
            self._number(parameters, self.NODATA, context, False)
            self._strip_request(parameters, context)
            layer = self.parameterAsRasterLayer(parameters, self.INPUT, context)
            if layer is not None:
                self._bands(parameters, context, layer.bandCount())
        except _ParameterError as e:
            return False, str(e)
        # The base class checks each value against its definition; enum
        # names, which we accept too, go to it as their numbers.
        normalized = dict(parameters)
        for spec in enh_lee.PARAMETERS:
            v = normalized.get(spec.name.upper())
            if spec.kind == "choice" and isinstance(v, str) and v.strip().lower() in spec.choices:
                normalized[spec.name.upper()] = spec.choices.index(v.strip().lower())
            elif _is_word(spec, v):
                normalized[spec.name.upper()] = None  # a word the library accepted
        return super().checkParameterValues(normalized, context)

    # ------------------------------------------------------------------
    # Running

    def processAlgorithm(self, parameters, context, feedback):
        if feedback is None:
            feedback = QgsProcessingFeedback()
        try:
            enh_lee = binding.load()
        except ImportError as e:
            raise QgsProcessingException(str(e)) from None

        layer = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        if layer is None:
            raise QgsProcessingException(tr("INPUT: no raster layer (got {!r})").format(
                parameters.get(self.INPUT)))
        source = layer.source()
        if layer.providerType() != "gdal":
            raise QgsProcessingException(
                tr("INPUT must be a raster GDAL can read (a file); the layer {} uses the "
                   "'{}' data provider").format(layer.name(), layer.providerType()))
        dest = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        if not dest:
            raise QgsProcessingException(tr("OUTPUT: no destination file"))
        if os.path.splitext(dest)[1].lower() not in (".tif", ".tiff"):
            raise QgsProcessingException(
                tr("OUTPUT must be a GeoTIFF file (.tif or .tiff), got {}").format(dest))

        try:
            params = self._filter_params(parameters, context)
            halo = self._validate(enh_lee, params)
            nodata_override = self._number(parameters, self.NODATA, context, False)
            requested = self._strip_request(parameters, context)
            report = bool(self._raw(parameters, self.REPORT, context))
        except _ParameterError as e:
            raise QgsProcessingException(str(e)) from None

        src = _open_raster(source)
        try:
            bands = self._bands(parameters, context, src.RasterCount)
        except _ParameterError as e:
            raise QgsProcessingException(str(e)) from None
        W, H = src.RasterXSize, src.RasterYSize
        rows = strip_rows(W, H, halo, requested)
        feedback.pushInfo(binding.describe())
        feedback.pushInfo(tr("{} x {} pixels, band(s) {}; window {} (halo {} rows), strips of "
                             "{} rows").format(W, H, ", ".join(map(str, bands)),
                                               params["window"], halo, rows))

        try:
            dest = output.prepare(dest)
        except output.OutputError as e:
            raise QgsProcessingException(str(e)) from None
        folder = os.path.dirname(dest)
        # Hidden, unique, and created by GDAL itself (so with the umask's mode).
        tmp = os.path.join(folder, ".{}.{}.part.tif".format(os.path.basename(dest),
                                                           uuid.uuid4().hex[:12]))
        try:
            start = time.monotonic()
            self._run(enh_lee, src, bands, params, nodata_override, rows, report, tmp, dest,
                      feedback)
            if feedback.isCanceled():
                raise _Canceled()
            try:
                os.replace(tmp, dest)
                # A stale side-car of an overwritten file would describe the old one.
                if os.path.exists(dest + ".aux.xml"):
                    os.remove(dest + ".aux.xml")
            except OSError as e:
                raise QgsProcessingException(output.describe(dest, e)) from None
        except _Canceled:
            _remove(tmp)
            raise QgsProcessingException(tr("Canceled: no output written")) from None
        except QgsProcessingException:
            _remove(tmp)
            raise
        except (ValueError, TypeError, MemoryError, RuntimeError, OSError) as e:
            _remove(tmp)
            raise QgsProcessingException(tr("{} failed: {}").format(params["filter"], e)) from None
        except BaseException:
            _remove(tmp)
            raise
        finally:
            src = None
        feedback.setProgress(100)
        feedback.pushInfo(tr("{} band(s) of {} x {} pixels filtered and written in {:.2f} s").format(
            len(bands), W, H, time.monotonic() - start))
        return {self.OUTPUT: dest}

    def _run(self, enh_lee, src, bands, params, nodata_override, rows, report, path, dest,
             feedback):
        """Writes the output to `path`, a temporary file; messages name
        `dest`, the user's output."""
        W, H = src.RasterXSize, src.RasterYSize
        drv = gdal.GetDriverByName("GTiff")
        gdal.ErrorReset()
        dst = drv.Create(path, W, H, len(bands), gdal.GDT_Float32, options=CREATION_OPTIONS)
        if dst is None:
            raise _output_error("write", path, dest)
        try:
            gt = src.GetGeoTransform(can_return_null=True)
            if gt is not None:
                dst.SetGeoTransform(gt)
            wkt = src.GetProjectionRef()
            if wkt:
                dst.SetProjection(wkt)
            if src.GetGCPCount():
                dst.SetGCPs(src.GetGCPs(), src.GetGCPProjection())
            # The parameters as the library writes them (looks: "auto").
            meta = dict(enh_lee.describe(**params), bands=bands)
            dst.SetMetadata({"ENHLEE_VERSION": enh_lee.version(),
                             "ENHLEE_PARAMETERS": json.dumps(meta, sort_keys=True)})

            # Per output band: its source band and the nodata it uses.
            pairs, nodatas = [], []
            for i, b in enumerate(bands, start=1):
                sband = src.GetRasterBand(b)
                _check_physical(sband, b)
                nodata = nodata_override if nodata_override is not None else sband.GetNoDataValue()
                oband = dst.GetRasterBand(i)
                if nodata is not None:
                    oband.SetNoDataValue(nodata)
                if sband.GetDescription():
                    oband.SetDescription(sband.GetDescription())
                if sband.GetScale() not in (None, 1.0):
                    oband.SetScale(sband.GetScale())
                if gdal.DataTypeIsComplex(sband.DataType):
                    # The library filters a complex band's intensity or
                    # amplitude (the signal parameter): say which.
                    oband.SetMetadataItem("ENHLEE_COMPLEX_AS", params["signal"])
                # NaN pixels are always invalid: no need to pass NaN as nodata.
                nodatas.append(None if nodata is None or math.isnan(nodata) else nodata)
                pairs.append((sband, oband))

            # One plan of every band: the values of the whole raster the
            # parameters leave to compute, and the report, are counted
            # over strips of all bands until it is ready.
            plan = enh_lee.Plan((H, W), len(bands), report=report,
                                **dict(params, nodata=nodatas))
            side = plan.alignment
            rows = min(H, max(side, rows // side * side))
            strips = list(range(0, H, rows))
            halo = enh_lee.halo(**params)
            stack = _Stack(pairs, (min(H, rows + 2 * halo), W), params["signal"], enh_lee)
            counts = 0
            total = len(strips) * (2 if plan.tally_len else 1)
            done = 0
            while plan.tally_len:
                tally = plan.tally()
                for y in strips:
                    h = min(rows, H - y)
                    plan.count(stack.read(0, y, W, h, feedback), (0, y), tally)
                    done += 1
                    feedback.setProgress(100.0 * done / total)
                plan.step(tally)
                counts += 1
                total = len(strips) * (counts + (2 if plan.tally_len else 1))
            given = enh_lee.describe(**params)
            for b, (_, oband), number in zip(range(len(bands)), pairs, bands):
                for name, value in plan.params(b).items():
                    if name != "nodata" and value != given[name]:
                        # A value the plan computed from the whole band.
                        oband.SetMetadataItem("ENHLEE_" + name.upper(), value)
                        feedback.pushInfo(tr("band {}: {} computed from the whole band: "
                                             "{}").format(number, name, value))
            provenance = plan.provenance()
            dst.SetMetadataItem("ENHLEE", provenance)
            feedback.pushInfo(provenance)

            tally = plan.report_tally() if report else None
            out_buf = np.empty((len(bands), min(H, rows), W), np.float32)
            for y in strips:
                h = min(rows, H - y)
                region = (0, y, W, h)
                sx, sy, sw, sh = plan.source_window(region)
                buf = stack.read(sx, sy, sw, sh, feedback)
                # Every band of the strip in one call.
                out = plan.filter_region(buf, region, out=out_buf[:, :h])
                if report:
                    plan.report_count(buf[:, y - sy:y - sy + h], out, (0, y), tally)
                for b, (_, oband) in enumerate(pairs):
                    if oband.WriteArray(out[b], 0, y) != gdal.CE_None:
                        raise QgsProcessingException(tr("cannot write rows {}-{}: {}").format(
                            y, y + h - 1, gdal.GetLastErrorMsg()))
                done += 1
                feedback.setProgress(100.0 * done / total)
                # Written strips leave GDAL's block cache (memory stays
                # O(strip + tile row), not O(GDAL_CACHEMAX)), once their
                # output tiles are complete: strips shorter than a tile do
                # not write and re-read partial tiles.
                if not flush_due(y, h, H):
                    continue
                gdal.ErrorReset()
                dst.FlushCache()
                src.FlushCache()
                if gdal.GetLastErrorType() >= gdal.CE_Failure:
                    raise _output_error("write", path, dest)
            if report:
                plan.report_finish(tally)
                for b, (_, oband), number in zip(range(len(bands)), pairs, bands):
                    _write_report(oband, number, plan.report(b), feedback)
            gdal.ErrorReset()
            dst.FlushCache()
            if gdal.GetLastErrorType() >= gdal.CE_Failure:
                raise _output_error("write", path, dest)
        finally:
            dst = None  # closes the file (also on error, before it is removed)
        if gdal.GetLastErrorType() >= gdal.CE_Failure:
            raise _output_error("close", path, dest)


def _output_error(verb, path, dest):
    """GDAL's last error met writing `path`, the temporary file, as one line
    naming the user's output `dest` instead."""
    return QgsProcessingException(tr("cannot {} OUTPUT {}: {}").format(
        verb, dest, gdal.GetLastErrorMsg().replace(path, dest)))


def _is_word(spec, value):
    """Whether `value` is a word the library reads for the optional number
    `spec` (LOOKS=auto): text that is not a number, which the library
    accepts."""
    if not spec.optional or not isinstance(value, str) or not value.strip():
        return False
    try:
        float(value)
        return False
    except ValueError:
        pass
    try:
        binding.load().describe(**{spec.name: value.strip()})
    except (TypeError, ValueError):
        return False
    return True


def _write_report(band, number, report, feedback):
    """The quality report of one band: in its metadata (ENHLEE_REPORT_*)
    and in the log."""
    for name, value in report.items():
        band.SetMetadataItem("ENHLEE_REPORT_" + name.upper(), repr(value))
    feedback.pushInfo(tr(
        "band {}: quality report: ENL {:.3f} before, {:.3f} after on {} homogeneous blocks; "
        "ratio image x / filtered: mean {:.4f}, std {:.4f} ({} pixels)").format(
            number, report["looks_before"], report["looks_after"], report["blocks"],
            report["ratio_mean"], report["ratio_std"], report["pixels"]))


class _Stack:
    """The float32 pixels of every band of a window, read into one buffer
    of (bands, rows, columns): GDAL converts real bands; complex ones are
    read as complex64 and detected by the library (their intensity or
    amplitude, `signal`)."""

    def __init__(self, pairs, shape, signal, enh_lee):
        self._bands = [sband for sband, _ in pairs]
        self._buf = np.empty((len(pairs),) + shape, np.float32)
        self._complex = None
        if any(gdal.DataTypeIsComplex(b.DataType) for b in self._bands):
            self._complex = np.empty(shape, np.complex64)
        self._signal, self._enh_lee = signal, enh_lee

    def read(self, x, y, w, h, feedback):
        """Rows [y, y+h) and columns [x, x+w) of every band (a view of the
        buffer, valid until the next read); raises _Canceled or a read
        error."""
        out = self._buf[:, :h, :w]
        for b, band in enumerate(self._bands):
            if feedback.isCanceled():
                raise _Canceled()
            gdal.ErrorReset()
            if gdal.DataTypeIsComplex(band.DataType):
                z = self._complex[:h, :w]
                got = band.ReadAsArray(x, y, w, h, buf_obj=z)
                if got is not None:
                    out[b] = self._enh_lee.detect(z, signal=self._signal)
            else:
                got = band.ReadAsArray(x, y, w, h, buf_obj=out[b])
            if got is None:
                raise QgsProcessingException(tr("cannot read rows {}-{}: {}").format(
                    y, y + h - 1, gdal.GetLastErrorMsg()))
        return out


def _check_physical(band, number):
    """Refuses a band whose pixels are not proportional to the physical
    values, ``scale * pixel + offset``: an offset, or a scale that is not
    positive. (Every filter is scale-equivariant, so a positive scale is
    kept as the output band's.)"""
    scale, offset = band.GetScale(), band.GetOffset()
    if (scale is not None and not scale > 0) or offset not in (None, 0.0):
        raise QgsProcessingException(tr(
            "band {} has scale {} and offset {}: its pixels are not proportional to the "
            "physical values, which the speckle filters need. Make a raster of the physical "
            "values first (gdal_translate -of VRT -ot Float32 -unscale <source> physical.vrt) "
            "and filter that").format(number, 1.0 if scale is None else scale,
                                      0.0 if offset is None else offset))


def _open_raster(source):
    """Opens a GDAL layer's source read-only: as it is (a file, a
    subdataset name), else as the path and open options QGIS encoded in it."""
    src = gdal.OpenEx(source, gdal.OF_RASTER | gdal.OF_READONLY)
    if src is not None:
        return src
    err = gdal.GetLastErrorMsg()
    parts = QgsProviderRegistry.instance().decodeUri("gdal", source)
    path = parts.get("path")
    if path and path != source:
        src = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_READONLY,
                          open_options=parts.get("openOptions") or [])
        if src is not None:
            return src
    raise QgsProcessingException(tr("cannot open the input raster {}: {}").format(source, err))


def _remove(path):
    for p in (path, path + ".aux.xml"):
        try:
            os.remove(p)
        except FileNotFoundError:
            pass


def _filters_help():
    """The filters, with their sources, as the library's vocabulary lists
    them (the FILTER parameter's description)."""
    for spec in _vocabulary():
        if spec.name == "filter":
            return html.escape(spec.description.split(": ", 1)[-1])
    return "see docs/filters.md"


def _parameter_help():
    """The filter parameters' list for the help panel, from the library."""
    items = []
    for spec in _vocabulary():
        default = "" if spec.default is None else " (default {})".format(spec.default)
        items.append("<li><b>{}</b>: {}{}.</li>".format(
            spec.name.upper(), html.escape(spec.description), html.escape(default)))
    if not items:
        return "<p>" + html.escape(binding.describe()) + "</p>"
    return "<ul>" + "".join(items) + "</ul>"


_HELP = """
<p>Reduces the <b>speckle</b> of SAR images with an adaptive filter of the <b>Lee family</b>
or another of SAR's speckle filters, chosen by FILTER: {filters}. In each window the filter
measures how heterogeneous the
scene is (the local coefficient of variation <i>Ci</i> = standard deviation / mean) and compares it
with the speckle's own coefficient of variation <i>Cu</i>: homogeneous areas get the local mean,
point targets and strong edges keep their value, and everything in between is a weighted mix. For
Enhanced Lee the weight is W = exp(&minus;K (Ci &minus; Cu) / (Cmax &minus; Ci)); Frost averages
the window with the weights exp(&minus;K Ci<sup>2</sup> |t|), |t| the distance from the
centre; Refined Lee applies Lee's blend over the half of the 7x7 window on the pixel's side of its
strongest edge, with the noise level estimated from the window (WINDOW must be 7).</p>

<p>The raster is processed in strips of rows (any size, even larger than memory); the output is
a <b>Float32 GeoTIFF</b> with the input's georeferencing (geotransform, CRS) and nodata value,
identical bit for bit to filtering the whole image at once. Cancelling leaves no output file.</p>

<h3>Input</h3>
<ul>
<li><b>Input SAR raster</b>: calibrated intensity (power, e.g. sigma0 in linear units, not dB) or
amplitude. Any GDAL data type; computed in float32. Choose SIGNAL to say which: filtering
amplitude with the intensity setting smooths too little, and vice versa too much.</li>
<li><b>Bands to filter</b>: none selected (or 0) filters every band; otherwise the output has the
chosen bands, in the chosen order.</li>
<li><b>NoData value</b>: empty uses each band's own nodata. NaN and &plusmn;infinity are always
treated as nodata.</li>
</ul>

<h3>Filter parameters (from libenh_lee)</h3>
{parameters}

<h3>How to choose the number of looks</h3>
<p>Use the product's nominal number of looks (e.g. about 4.4 for Sentinel-1 IW GRDH in
intensity), or better estimate the <b>equivalent number of looks</b> (ENL) on the image itself:
select a homogeneous area (calm water, a bare field, a forest stand) and compute
ENL = mean&sup2; / variance of the <b>intensity</b> there (for amplitude data use the
intensity, i.e. the squared amplitude, or ENL &asymp; 0.5227&sup2; mean&sup2; / variance of the
amplitude). A fractional ENL is fine. Too small an L smooths too much; too large an L
keeps speckle.</p>

<h3>References</h3>
<p>A. Lopes, R. Touzi, E. Nezry, "Adaptive speckle filters and scene heterogeneity",
<i>IEEE Transactions on Geoscience and Remote Sensing</i>, 28(6), 992&ndash;1000, 1990.
The other filters' sources: docs/filters.md of enh-lee.</p>

<p>Computed by libenh_lee (enh-lee), exact to 1e-5 relative against a float64 evaluation.</p>
"""
