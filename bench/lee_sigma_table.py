"""Recomputes Lee Sigma's sigma-range table (Lee et al. 2009, Table I).

For L-look speckle of mean 1 (intensity: gamma(L, 1/L); amplitude: its
square root, Nakagami, scaled to mean 1) and a probability xi, the range
[I1, I2] holds probability xi and the speckle restricted to it keeps mean 1;
sigma_vp is the standard deviation of the restricted speckle. Printed rows
are (signal, looks, xi, I1, I2, sigma_vp). The library uses the published
values for intensity (and SNAP's for amplitude; both in
oracle/lee_sigma_table.txt); this script reproduces them (within 0.5% for
I1 and I2, see docs/filters.md) and gives the amplitude row for xi = 0.95,
which SNAP lacks; the numpy reference of the Python tests imports it for
that row.

Run: /usr/bin/python3 bench/lee_sigma_table.py (numpy, scipy).
"""
import math

from scipy import integrate, optimize, stats


def ranges(dist):
    for xi in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        def excess_mean(a):
            b = dist.ppf(dist.cdf(a) + xi)
            return integrate.quad(lambda x: x * dist.pdf(x), a, b)[0] / xi - 1.0

        a = optimize.brentq(excess_mean, 1e-12, dist.ppf(1.0 - xi) - 1e-12)
        b = dist.ppf(dist.cdf(a) + xi)
        m2 = integrate.quad(lambda x: x * x * dist.pdf(x), a, b)[0] / xi
        yield xi, a, b, math.sqrt(m2 - 1.0)


def speckle(signal, looks):
    """L-look speckle of mean 1: intensity gamma(L, 1/L), amplitude its
    square root scaled to mean 1 (Nakagami)."""
    if signal == "intensity":
        return stats.gamma(looks, scale=1.0 / looks)
    mean = math.gamma(looks + 0.5) / math.gamma(looks) / math.sqrt(looks)
    return stats.nakagami(looks, scale=1.0 / mean)


def table():
    """{(signal, looks, xi): (I1, I2, sigma_vp)} for looks 1-4."""
    return {(signal, looks, xi): (a, b, eta)
            for signal in ("intensity", "amplitude")
            for looks in (1, 2, 3, 4)
            for xi, a, b, eta in ranges(speckle(signal, looks))}


if __name__ == "__main__":
    for (signal, looks, xi), (a, b, eta) in table().items():
        print(f"{signal:9s} {looks} {xi:4.2f} {a:.6f} {b:.6f} {eta:.6f}")
