"""Peak memory of in-place filtering, and the GIL being released during calls."""

import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import enh_lee

MiB = 1 << 20

# Runs in a fresh interpreter so that the peak is this measurement's alone.
MEASURE = textwrap.dedent("""\
    import sys
    import numpy as np
    import enh_lee

    def peak():
        # VmHWM: this process image's peak. (ru_maxrss is not: Linux carries it
        # over exec from the forked copy of the parent, so a large parent
        # would hide the growth.)
        with open("/proc/self/status") as f:
            kib = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
        return int(kib) * 1024

    n, statistic, window, in_place = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    img = np.empty((n, n), np.float32)
    rng = np.random.default_rng(0)
    for y in range(0, n, 64):  # filled in place: no temporaries whose freed
        # memory the output could reuse unseen by the peak
        rng.standard_gamma(2.0, out=img[y:y + 64], dtype=np.float32)
    # Load the library's code and start its threads with the same kind of
    # call (its scratch, freed, then counts in the peak before as after).
    warm = np.ones((64, n), np.float32)
    warm_out = enh_lee.filter(warm, window=window, statistic=statistic,
                              out=warm if in_place else None)
    del warm, warm_out
    before = peak()
    out = enh_lee.filter(img, window=window, statistic=statistic, out=img if in_place else None)
    after = peak()
    assert np.isfinite(out[::97, ::89]).all()
    print(img.nbytes, before, after)
""")


def measure(n, statistic, window, in_place):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)  # enh_lee as imported here
    r = subprocess.run([sys.executable, "-c", MEASURE, str(n), statistic, str(window),
                        "1" if in_place else "0"], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    nbytes, before, after = map(int, r.stdout.split())
    return nbytes, after - before


@pytest.mark.parametrize("statistic,window", [("window", 7), ("residual", 11)])
def test_in_place_4000x4000_stays_within_image_plus_scratch(statistic, window):
    nbytes, growth = measure(4000, statistic, window, in_place=True)
    assert nbytes == 64_000_000
    assert growth < 64 * MiB, f"peak grew by {growth / MiB:.1f} MiB filtering in place"


def test_the_memory_measurement_sees_an_output_image():
    # Out of place, the new 61 MiB output must show up: the measurement works.
    nbytes, growth = measure(4000, "window", 7, in_place=False)
    assert growth > 0.9 * nbytes, f"peak grew by only {growth / MiB:.1f} MiB out of place"


def test_gil_is_released_during_the_call():
    """While one thread is inside a long in-place filter call, another
    Python thread runs and sees the call's first rows written before the
    call returns. Timing-free: with a switch interval far longer than the
    test, Python switches threads only where a thread gives the GIL up
    itself. Had the call kept the GIL, this thread could not run between
    the first write (inside the call) and `done` (set right after it
    returns, before the GIL can change hands again)."""
    rng = np.random.default_rng(1)
    big = rng.gamma(1.0, 100.0, (2000, 2000)).astype(np.float32)
    first_row = big[0].copy()
    done = threading.Event()

    def long_call():
        enh_lee.filter(big, window=11, statistic="residual", threads=1, out=big)
        done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    seen = False
    try:
        t = threading.Thread(target=long_call)
        t.start()
        while not done.is_set():
            written = not np.array_equal(big[0], first_row)
            seen |= written and not done.is_set()
            time.sleep(0.001)  # gives the GIL up, so the call can return
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert not np.array_equal(big[0], first_row)
    assert seen, "this thread never ran while the call was writing: the GIL was held"


def test_two_threads_filter_concurrently_and_correctly():
    rng = np.random.default_rng(3)
    imgs = [rng.gamma(1.0, 100.0, (600, 500)).astype(np.float32) for _ in range(4)]
    expected = [enh_lee.filter(a, window=7, threads=1) for a in imgs]
    results = [None] * len(imgs)

    def work(i):
        for _ in range(3):
            results[i] = enh_lee.filter(imgs[i], window=7, threads=1)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(imgs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, exp in zip(results, expected):
        np.testing.assert_array_equal(got, exp)
