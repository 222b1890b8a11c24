"""Python-side hostile inputs: text with NUL characters (which the C ABI
would cut) is refused naming the parameter, and a numpy.ma masked array's
mask is honoured as nodata rather than ignored."""

import numpy as np
import pytest

import enh_lee
from _reference import speckled


@pytest.mark.parametrize("name,value", [("filter", "lee\x00garbage"),
                                        ("signal", "amplitude\x00"),
                                        ("looks", "auto\x00x"),
                                        ("border", "\x00")])
def test_text_with_nul_is_refused_naming_the_parameter(name, value):
    img = speckled((20, 20), 4.0, seed=1)
    for call in (lambda: enh_lee.filter(img, **{name: value}),
                 lambda: enh_lee.halo(**{name: value}),
                 lambda: enh_lee.describe(**{name: value})):
        with pytest.raises(ValueError, match=f"^{name} must not contain NUL"):
            call()


def test_masked_pixels_are_nodata():
    img = speckled((60, 70), 4.0, seed=2)
    mask = np.zeros(img.shape, bool)
    mask[10:20, 15:40] = True
    mask[0, :] = True
    data = img.copy()
    data[mask] = 1e9  # must influence nothing
    m = np.ma.MaskedArray(data, mask=mask)
    got = enh_lee.filter(m, window=5, looks=4)
    assert isinstance(got, np.ma.MaskedArray) and np.array_equal(got.mask, mask)
    assert np.isnan(got.data[mask]).all()
    # The valid pixels are those of the same image with nodata at the mask.
    ref = img.copy()
    ref[mask] = -1.0
    want = enh_lee.filter(ref, window=5, looks=4, nodata=-1.0)
    assert np.array_equal(got.data[~mask], want[~mask])
    assert enh_lee.estimate_looks(m) == enh_lee.estimate_looks(ref, nodata=-1.0)
    # out=: written there, masked pixels NaN.
    out = np.empty(img.shape, np.float32)
    assert enh_lee.filter(m, window=5, looks=4, out=out) is out
    assert np.array_equal(out[~mask], want[~mask]) and np.isnan(out[mask]).all()


def test_masked_without_masked_pixels_is_the_plain_result():
    img = speckled((30, 30), 4.0, seed=3)
    got = enh_lee.filter(np.ma.MaskedArray(img), window=3)
    assert np.array_equal(got.data, enh_lee.filter(img, window=3)) and not got.mask.any()
