"""enh_lee.estimate_looks: the equivalent number of looks from the most
homogeneous blocks, on gamma-speckled scenes of known looks."""

import numpy as np
import pytest

import enh_lee


def scene(looks, seed, shape=(600, 520), amplitude=False):
    """Fields of four reflectivities (stripes and a disc, so that many
    blocks straddle an edge), bright points, 0-valued borders (nodata) and
    gamma speckle of `looks` (any real number) in intensity, or its square
    root in amplitude."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    level = np.choose((x // 130) % 4, [40.0, 400.0, 90.0, 1500.0])
    level = np.where((y - 300) ** 2 + (x - 260) ** 2 < 120 ** 2, 700.0, level)
    level[rng.integers(0, shape[0], 300), rng.integers(0, shape[1], 300)] *= 100.0
    img = level * rng.gamma(looks, 1.0 / looks, shape)
    if amplitude:
        img = np.sqrt(img)
    img[:, :37] = 0.0
    img[:21, :] = 0.0
    return img.astype(np.float32)


@pytest.mark.parametrize("looks", [1.0, 3.0, 4.4, 10.0])
def test_known_looks_within_ten_percent(looks):
    for seed in (1, 2):
        got = enh_lee.estimate_looks(scene(looks, seed), nodata=0)
        assert abs(got / looks - 1) < 0.10, (looks, seed, got)


def test_amplitude_data_use_the_amplitude_model():
    img = scene(1.0, 3, amplitude=True)
    got = enh_lee.estimate_looks(img, nodata=0, signal="amplitude")
    assert abs(got - 1.0) < 0.10, got
    # Read as intensity, the same amplitudes look like many more looks.
    assert enh_lee.estimate_looks(img, nodata=0) > 3.0


def test_deterministic_and_independent_of_threads_and_copies():
    img = scene(3.0, 4)
    a = enh_lee.estimate_looks(img, nodata=0, threads=1)
    assert enh_lee.estimate_looks(img.copy(), nodata=0, threads=2) == a
    # A strided view (every other column) is a different raster, but read
    # through its stride without a copy.
    view = img[:, ::2]
    assert enh_lee.estimate_looks(view, nodata=0) == enh_lee.estimate_looks(
        np.ascontiguousarray(view), nodata=0)


def test_without_measurable_blocks_it_says_so():
    with pytest.raises(enh_lee.InvalidArgumentError) as e:
        enh_lee.estimate_looks(np.zeros((64, 64), np.float32), nodata=0)
    assert "looks cannot be estimated" in str(e.value)
    with pytest.raises(enh_lee.InvalidArgumentError):
        enh_lee.estimate_looks(np.full((40, 40), 5.0, np.float32))
