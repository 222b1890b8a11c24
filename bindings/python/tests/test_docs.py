"""The examples in the docstrings and the README run and say what they claim."""

import doctest
import os
import re

import numpy as np

import enh_lee

PKG_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_docstring_examples():
    img = (100 * np.random.default_rng(0).gamma(4, 1 / 4, (256, 256))).astype(np.float32)
    failures, tried = doctest.testmod(enh_lee, extraglobs={"np": np, "enh_lee": enh_lee, "img": img},
                                      optionflags=doctest.ELLIPSIS, report=True)
    assert tried >= 8 and failures == 0


def test_readme_and_module_document_the_same_drop_in():
    line = ('enh_lee.filter(Ic, window=filtsize, looks=nlooks, damping=dfactor,')
    readme = open(os.path.join(PKG_ROOT, "README.md")).read()
    assert line in readme and line in enh_lee.__doc__
    for text in (readme, enh_lee.__doc__):
        call = re.search(r"enh_lee\.filter\(Ic,.*?\)\n", text, re.S).group(0)
        assert "cu=np.sqrt(1/nlooks)" in call and "cmax=np.sqrt(1 + 2*nlooks)" in call
        assert 'statistic="residual"' in call


def test_readme_quick_start_runs():
    readme = open(os.path.join(PKG_ROOT, "README.md")).read()
    assert readme.index("```sh\npip install .") < readme.index("```python")
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    assert len(code.strip().splitlines()) == 5
    scope = {}
    exec(code, scope)
    img, smooth, lee = scope["img"], scope["smooth"], scope["lee"]
    assert smooth.dtype == np.float32 and smooth.shape == img.shape == (2000, 2000)
    assert np.array_equal(img, smooth)  # filtered in place: the same numbers
    # Speckle removed: the coefficient of variation falls well below the scene's 1/sqrt(4).
    assert img.std() / img.mean() < 0.3 and lee.std() / lee.mean() < 0.3
