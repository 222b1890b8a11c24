"""Deterministic synthetic SAR scene for the benchmark.

A speckled intensity image: fields of a few reflectivity levels (a grid of
irregular patches, like agricultural parcels, plus a few bright point targets)
multiplied by gamma speckle of 4 looks (mean 1). Generated block-wise from a
seed, so the same size and seed always give the same pixels, and so a
10000 x 10000 image never needs more than a few row blocks in memory.

Written as a raw ``.npy`` (read by the benchmark's child processes) and as a
float32 GeoTIFF for ``otbcli_Despeckle`` (a minimal hand-written TIFF: no
GDAL Python bindings needed).
"""

import os
import struct

import numpy as np

LOOKS = 4.0
LEVELS = np.array([0.02, 0.08, 0.25, 0.6, 1.5], dtype=np.float64)  # reflectivities
FIELD = 160  # nominal field size in pixels
BLOCK_ROWS = 256  # generation block (fixed: the pixels do not depend on it)


def _field_map(shape, seed):
    """Reflectivity of the noise-free scene, shape (H, W) float32: a jittered
    grid of fields, each with one of LEVELS, plus bright point targets."""
    h, w = shape
    rng = np.random.default_rng([seed, 1])
    gy, gx = h // FIELD + 2, w // FIELD + 2
    levels = LEVELS[rng.integers(0, len(LEVELS), size=(gy, gx))]
    # Field boundaries: jitter each grid line by up to a quarter field so the
    # edges are not all aligned (rows and columns separately).
    ycuts = np.arange(gy) * FIELD + rng.integers(-FIELD // 4, FIELD // 4 + 1, size=gy)
    xcuts = np.arange(gx) * FIELD + rng.integers(-FIELD // 4, FIELD // 4 + 1, size=gx)
    yi = np.clip(np.searchsorted(ycuts, np.arange(h), side="right") - 1, 0, gy - 1)
    xi = np.clip(np.searchsorted(xcuts, np.arange(w), side="right") - 1, 0, gx - 1)
    return levels, yi, xi


def generate(shape, seed=1234):
    """Yields (row0, block) float32 row blocks of the speckled scene."""
    h, w = shape
    levels, yi, xi = _field_map(shape, seed)
    # Point targets: ~1 per 200 x 200 pixels, 200x to 2000x the brightest field.
    prng = np.random.default_rng([seed, 2])
    n_targets = max(1, (h * w) // 40000)
    ty = prng.integers(0, h, size=n_targets)
    tx = prng.integers(0, w, size=n_targets)
    tv = prng.uniform(300.0, 3000.0, size=n_targets)
    order = np.argsort(ty, kind="stable")
    ty, tx, tv = ty[order], tx[order], tv[order]
    for b, r0 in enumerate(range(0, h, BLOCK_ROWS)):
        r1 = min(h, r0 + BLOCK_ROWS)
        refl = levels[yi[r0:r1, None], xi[None, :]]
        rng = np.random.default_rng([seed, 3, b])
        speckle = rng.gamma(LOOKS, 1.0 / LOOKS, size=(r1 - r0, w))
        block = (refl * speckle).astype(np.float32)
        lo, hi = np.searchsorted(ty, [r0, r1])
        block[ty[lo:hi] - r0, tx[lo:hi]] = tv[lo:hi]
        yield r0, block


def write_npy(path, shape, seed=1234):
    tmp = path + ".tmp"
    mm = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=shape)
    for r0, block in generate(shape, seed):
        mm[r0 : r0 + block.shape[0]] = block
    mm.flush()
    del mm
    os.replace(tmp, path)


def write_geotiff(path, npy_path):
    """A minimal little-endian float32 single-band GeoTIFF, one strip per 16
    rows, uncompressed, with a pixel-scale/tie-point georeference (1 m
    pixels, no CRS). Read by GDAL and therefore by OTB."""
    src = np.load(npy_path, mmap_mode="r")
    h, w = src.shape
    rows_per_strip = 16
    n_strips = (h + rows_per_strip - 1) // rows_per_strip
    strip_bytes = [min(rows_per_strip, h - i * rows_per_strip) * w * 4 for i in range(n_strips)]

    # Layout: header (8) | IFD | out-of-line tag values | pixel data
    tags = []  # (tag, type, count, payload bytes)

    def add(tag, typ, values):
        fmt = {3: "H", 4: "I", 12: "d"}[typ]
        tags.append((tag, typ, len(values), struct.pack("<%d%s" % (len(values), fmt), *values)))

    add(256, 4, [w])  # ImageWidth
    add(257, 4, [h])  # ImageLength
    add(258, 3, [32])  # BitsPerSample
    add(259, 3, [1])  # Compression: none
    add(262, 3, [1])  # Photometric: min-is-black
    add(273, 4, [0] * n_strips)  # StripOffsets (patched below)
    add(277, 3, [1])  # SamplesPerPixel
    add(278, 4, [rows_per_strip])  # RowsPerStrip
    add(279, 4, strip_bytes)  # StripByteCounts
    add(284, 3, [1])  # PlanarConfig: contiguous
    add(339, 3, [3])  # SampleFormat: IEEE float
    add(33550, 12, [1.0, 1.0, 0.0])  # ModelPixelScale
    add(33922, 12, [0.0, 0.0, 0.0, 0.0, float(h), 0.0])  # ModelTiepoint
    # GeoKeyDirectory: version 1.1.0, 1 key: GTRasterTypeGeoKey = PixelIsArea
    add(34735, 3, [1, 1, 0, 1, 1025, 0, 1, 1])
    tags.sort(key=lambda t: t[0])

    ifd_off = 8
    ifd_size = 2 + 12 * len(tags) + 4
    extra_off = ifd_off + ifd_size
    extra = bytearray()
    entries = []
    offsets_pos = None
    for tag, typ, count, payload in tags:
        if len(payload) <= 4:
            entries.append((tag, typ, count, payload.ljust(4, b"\0")))
        else:
            if extra_off + len(extra) & 1:
                extra += b"\0"
            pos = extra_off + len(extra)
            if tag == 273:
                offsets_pos = len(extra)
            extra += payload
            entries.append((tag, typ, count, struct.pack("<I", pos)))
    data_off = extra_off + len(extra)
    data_off += (-data_off) % 16
    strip_offsets, off = [], data_off
    for n in strip_bytes:
        strip_offsets.append(off)
        off += n
    if n_strips == 1:  # fits inline
        entries = [
            (t, ty, c, struct.pack("<I", strip_offsets[0]) if t == 273 else v)
            for t, ty, c, v in entries
        ]
    else:
        extra[offsets_pos : offsets_pos + 4 * n_strips] = struct.pack("<%dI" % n_strips, *strip_offsets)
    if off >= 2**32:
        raise ValueError("image too large for a classic TIFF")

    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"II*\0" + struct.pack("<I", ifd_off))
        f.write(struct.pack("<H", len(entries)))
        for tag, typ, count, value in entries:
            f.write(struct.pack("<HHI", tag, typ, count) + value)
        f.write(struct.pack("<I", 0))
        f.write(extra)
        f.write(b"\0" * (data_off - f.tell()))
        for r0 in range(0, h, 1024):
            f.write(np.ascontiguousarray(src[r0 : r0 + 1024], dtype="<f4").tobytes())
    os.replace(tmp, path)


def ensure(data_dir, shape, seed=1234, tiff=True, log=print):
    """Creates (once) and returns (npy_path, tif_path or None) for `shape`."""
    os.makedirs(data_dir, exist_ok=True)
    h, w = shape
    base = os.path.join(data_dir, "scene-%dx%d-s%d" % (h, w, seed))
    npy = base + ".npy"
    if not os.path.exists(npy):
        log("generating %s ..." % npy)
        write_npy(npy, shape, seed)
    tif = base + ".tif" if tiff else None
    if tif and not os.path.exists(tif):
        log("writing %s ..." % tif)
        write_geotiff(tif, npy)
    return npy, tif
