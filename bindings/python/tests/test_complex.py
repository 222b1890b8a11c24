"""Complex rasters (single-look complex, e.g. Sentinel-1 SLC): every
function filters their intensity |z|^2, or their amplitude |z| with
signal="amplitude", detected by the library (enh_lee.detect)."""

import numpy as np
import pytest

import enh_lee


def slc(shape=(90, 70), seed=3):
    """Circular complex Gaussian speckle over two reflectivities, as
    complex64: |z|^2 is one-look intensity."""
    rng = np.random.default_rng(seed)
    level = np.where(np.arange(shape[1]) < shape[1] // 2, 50.0, 800.0)
    z = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * np.sqrt(level / 2)
    return z.astype(np.complex64)


def test_detect_is_the_float64_power_rounded_once():
    z = slc()
    re = z.real.astype(np.float64)
    im = z.imag.astype(np.float64)
    power = re * re + im * im
    assert np.array_equal(enh_lee.detect(z), power.astype(np.float32))
    assert np.array_equal(enh_lee.detect(z, signal="amplitude"),
                          np.sqrt(power).astype(np.float32))


def test_complex_input_filters_its_detected_values():
    z = slc()
    for signal in ("intensity", "amplitude"):
        detected = enh_lee.detect(z, signal=signal)
        for flt in ("enhanced_lee", "lee", "lee_sigma"):
            want = enh_lee.filter(detected, filter=flt, signal=signal, window=7)
            got = enh_lee.filter(z, filter=flt, signal=signal, window=7)
            assert np.array_equal(got, want), (signal, flt)
    # Regions of a complex raster are the whole raster's pixels.
    whole = enh_lee.filter(z, window=5)
    region = (10, 20, 30, 40)
    x, y, w, h = enh_lee.source_window(z.shape, region, window=5)
    part = enh_lee.filter_region(z[y:y + h, x:x + w], z.shape, region, window=5)
    assert np.array_equal(part, whole[20:60, 10:40])


def test_complex128_is_read_as_complex64_and_statistics_take_complex():
    z = slc().astype(np.complex128) * (1 + 1e-9)
    z64 = z.astype(np.complex64)
    assert np.array_equal(enh_lee.filter(z), enh_lee.filter(z64))
    assert enh_lee.point_threshold(z) == enh_lee.point_threshold(enh_lee.detect(z64))
    rng = np.random.default_rng(1)
    big = (rng.standard_normal((128, 128)) + 1j * rng.standard_normal((128, 128)))
    big = big.astype(np.complex64)
    # One-look intensity from circular Gaussian speckle.
    assert 0.85 < enh_lee.estimate_looks(big) < 1.15


def test_complex_refusals():
    z = slc()
    with pytest.raises(ValueError, match="in place .* float32"):
        enh_lee.filter(z, out=z)
    with pytest.raises(TypeError, match="complex"):
        enh_lee.detect(np.ones((4, 4), np.float32))
    with pytest.raises(enh_lee.InvalidArgumentError, match="width and height"):
        enh_lee.detect(np.ones((0, 4), np.complex64))
    with pytest.raises(enh_lee.InvalidArgumentError, match="signal"):
        enh_lee.detect(z, signal="phase")


def test_unaligned_complex_input():
    z = slc((20, 16))
    raw = np.zeros(z.nbytes + 1, np.uint8)
    unaligned = np.ndarray(z.shape, np.complex64, raw, offset=1)
    unaligned[...] = z
    assert unaligned.ctypes.data % 4
    assert np.array_equal(enh_lee.filter(unaligned), enh_lee.filter(z))
