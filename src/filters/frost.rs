//! Frost (Frost, Stiles, Shanmugan & Holtzman 1982): the window's valid
//! pixels averaged with the weights `exp(-K Ci^2 |t|)`, `|t|` the Euclidean
//! distance from the centre, `Ci^2 = var / m^2` the window's squared
//! coefficient of variation, `K` the damping factor (`docs/filters.md`).
//!
//! The weight depends on `t` only through `|t|`, so the window is summed
//! by classes of pixels at the same distance: the eight positions
//! `(+-a, +-b), (+-b, +-a)` for `0 <= a <= b <= r`. A class's values are
//! summed first (the same adds for every pixel, whatever the weights),
//! then weighted: one `exp` per class and pixel, and the inner loops run
//! along the row and vectorise.

use std::ops::Range;

use super::exp::{exp_neg, MAX_EXPONENT};
use super::{finish, RowKernel, SpeckleFilter};
use crate::band::{BandIo, Plan, Weighting};
use crate::params::{Coefficients, Params};
use crate::window_rows::WindowRows;

/// The Frost weighted mean of a row of windows.
pub struct Frost;

impl SpeckleFilter for Frost {
    const NAME: &'static str = "frost";
    const SOURCE: &'static str = "Frost et al. 1982";
    const PARAMETERS: &'static [&'static str] = &["window", "damping", "statistic"];

    fn row_scratch(_p: &Params, n: usize) -> Option<usize> {
        Some(Frost::scratch_len(n))
    }
}

impl RowKernel for Frost {
    #[inline(always)]
    fn write_row(
        io: &mut impl BandIo,
        plan: &Plan,
        y: usize,
        tile: &Range<usize>,
        dense: bool,
        weighting: &mut Weighting,
        stats: impl Fn(usize) -> (f64, f64),
    ) {
        weighting.load_through(io, plan, y, dense);
        let Weighting { rows, work, .. } = weighting;
        let means = Frost::weighted_means(
            &*rows,
            y as isize,
            tile.len(),
            &plan.coeffs,
            dense,
            &stats,
            work,
        );
        io.write_row(
            y,
            tile.clone(),
            #[inline(always)]
            |j, x| {
                let (m, _) = stats(j);
                finish(x, dense || plan.params.is_valid(x), m, means[j])
            },
        );
    }
}

/// The positions of class `(a, b)` relative to the centre, as
/// `(row, column)` offsets, without repeats (1, 4 or 8 of them).
fn class(a: isize, b: isize) -> ([(isize, isize); 8], usize) {
    let mut out = [(0, 0); 8];
    let mut n = 0;
    for t in [
        (a, b),
        (a, -b),
        (-a, b),
        (-a, -b),
        (b, a),
        (b, -a),
        (-b, a),
        (-b, -a),
    ] {
        if !out[..n].contains(&t) {
            out[n] = t;
            n += 1;
        }
    }
    (out, n)
}

impl Frost {
    /// Scratch (f64) for a row of `n` output pixels (`n` is at most a
    /// raster side, 2^60: no overflow).
    fn scratch_len(n: usize) -> usize {
        3 * n + 2 * CHUNK
    }

    /// The weighted means of the windows centred on padded row `y`,
    /// columns `0..n` (window positions `j..j + w` of the padded rows):
    /// `sum e(t) x(t) / sum e(t)` over the valid pixels, `e(t) =
    /// exp(-K var_j / m_j^2 |t|)`, where `stats(j) = (m_j, var_j)`, `K` is
    /// `c.damping` and `|t|` is the Euclidean distance, or the Chebyshev
    /// distance `max(|dx|, |dy|)` (SNAP's) when `c.chebyshev`.
    /// `dense`: every pixel counts (the count planes are not read). The
    /// result is in the first `n` elements of the returned slice; where
    /// `m_j` is not positive it is not meaningful (the caller keeps `x`).
    #[inline(always)]
    fn weighted_means<'s>(
        rows: &WindowRows,
        y: isize,
        n: usize,
        c: &Coefficients,
        dense: bool,
        stats: impl Fn(usize) -> (f64, f64),
        scratch: &'s mut [f64],
    ) -> &'s [f64] {
        let (a, rest) = scratch.split_at_mut(n);
        let (out, rest) = rest.split_at_mut(n);
        let (den, rest) = rest.split_at_mut(n);
        let (sv, rest) = rest.split_at_mut(CHUNK.min(n));
        let sc = &mut rest[..CHUNK.min(n)];
        for (j, a) in a.iter_mut().enumerate() {
            let (m, var) = stats(j);
            *a = c.damping * var.max(0.0) / (m * m);
        }
        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            let len = end - start;
            let sums = Sums {
                num: &mut out[start..end],
                den: &mut den[start..end],
                class_values: &mut sv[..len],
                class_counts: &mut sc[..len],
            };
            sums.add_windows(rows, y, start, &a[start..end], c.chebyshev, dense);
        }
        out
    }
}

/// Columns of a chunk: its sums stay in the L1 cache across the classes.
const CHUNK: usize = 128;

/// The weighted sums of a chunk of windows, and the work space of a class.
struct Sums<'a> {
    num: &'a mut [f64],
    den: &'a mut [f64],
    class_values: &'a mut [f64],
    class_counts: &'a mut [f64],
}

/// `exp(-t)`, `t >= 0`; NaN (from m = 0 or NaN, where the output is not
/// used) counts as 0: `max`, not `clamp`.
#[inline(always)]
fn weight(t: f64) -> f64 {
    #[allow(clippy::manual_clamp)]
    exp_neg(t.max(0.0).min(MAX_EXPONENT))
}

impl Sums<'_> {
    /// Weighted means (in `num`) of the windows of padded row `y` whose
    /// first positions are `start..start + num.len()`, with `a` the
    /// exponents' factors `K Ci^2`.
    #[inline(always)]
    fn add_windows(
        self,
        rows: &WindowRows,
        y: isize,
        start: usize,
        a: &[f64],
        chebyshev: bool,
        dense: bool,
    ) {
        let Sums {
            num,
            den,
            class_values: sv,
            class_counts: sc,
        } = self;
        let n = num.len();
        let r = (rows.window() / 2) as isize;
        // The centre: weight 1.
        let (values, counts) = rows.row(y);
        let centre = start + r as usize;
        num.copy_from_slice(&values[centre..centre + n]);
        if dense {
            den.fill(1.0);
        } else {
            den.copy_from_slice(&counts[centre..centre + n]);
        }
        for ca in 0..=r {
            for cb in ca.max(1)..=r {
                let (members, len) = class(ca, cb);
                for (k, &(dy, dx)) in members[..len].iter().enumerate() {
                    let (values, counts) = rows.row(y + dy);
                    let at = (start as isize + r + dx) as usize;
                    add_or_copy(sv, &values[at..at + n], k == 0);
                    if !dense {
                        add_or_copy(sc, &counts[at..at + n], k == 0);
                    }
                }
                let distance = if chebyshev {
                    cb as f64
                } else {
                    ((ca * ca + cb * cb) as f64).sqrt()
                };
                let terms = num
                    .iter_mut()
                    .zip(den.iter_mut())
                    .zip(a.iter().zip(sv.iter()));
                if dense {
                    let size = len as f64;
                    for ((num, den), (a, s)) in terms {
                        let e = weight(*a * distance);
                        *num += e * *s;
                        *den += e * size;
                    }
                } else {
                    for (((num, den), (a, s)), c) in terms.zip(sc.iter()) {
                        let e = weight(*a * distance);
                        *num += e * *s;
                        *den += e * *c;
                    }
                }
            }
        }
        for (q, d) in num.iter_mut().zip(den.iter()) {
            *q /= *d;
        }
    }
}

/// `sum = values` (`first`) or `sum += values`, element by element.
#[inline(always)]
fn add_or_copy(sum: &mut [f64], values: &[f64], first: bool) {
    if first {
        sum.copy_from_slice(values);
    } else {
        for (s, v) in sum.iter_mut().zip(values) {
            *s += *v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_the_window_once() {
        for r in 0..6isize {
            let mut seen = vec![0; ((2 * r + 1) * (2 * r + 1)) as usize];
            for a in 0..=r {
                for b in a..=r {
                    let (m, n) = class(a, b);
                    for &(dy, dx) in &m[..n] {
                        assert_eq!(dy * dy + dx * dx, a * a + b * b);
                        seen[((dy + r) * (2 * r + 1) + dx + r) as usize] += 1;
                    }
                }
            }
            assert!(seen.iter().all(|&k| k == 1), "r = {r}: {seen:?}");
        }
    }
}
