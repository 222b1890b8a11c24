//! Lee Sigma (Lee, Wen, Ainsworth, Chen & Chen 2009, "Improved sigma
//! filter for speckle filtering of SAR imagery", IEEE TGRS 47(1)), as
//! `docs/filters.md` ("Lee Sigma") defines it:
//!
//! 1. Point targets: a pixel brighter than the point threshold `z` (the
//!    raster's 98th percentile) is kept unchanged when a target window
//!    centred on it or on a neighbour inside the raster, itself brighter
//!    than `z`, holds at least [`LeeSigma::TARGET_COUNT`] such pixels.
//! 2. The a priori mean `x^ = m + k (x - m)`: the Kuan estimate over the
//!    target window (its mean `m` and variance from the shared engine),
//!    with the speckle's `Cu`.
//! 3. The window's valid pixels inside the sigma range `[I1 x^, I2 x^]`
//!    give a mean `m_s` and variance `var_s`, and the output is the Kuan
//!    blend `m_s + k_s (x - m_s)` with the revised `sigma_vp` of the
//!    range. No pixel in range (or `m`, `m_s` not positive) keeps `x`.

use std::ops::Range;

use super::kuan::Kuan;
use super::{take, RowKernel, SpeckleFilter};
use crate::band::{BandIo, Plan, Weighting};
use crate::error::Error;
use crate::params::{Coefficients, Params, Signal, Statistic, SIGMAS};
use crate::simd::{with_isa, Isa};
use crate::window_rows::WindowRows;

/// The Lee Sigma filter of a row of windows.
pub struct LeeSigma;

impl SpeckleFilter for LeeSigma {
    const NAME: &'static str = "lee_sigma";
    const SOURCE: &'static str = "Lee et al. 2009";
    const PARAMETERS: &'static [&'static str] = &[
        "window",
        "looks",
        "signal",
        "sigma",
        "target_window",
        "point_threshold",
    ];

    /// A window of at least 5, larger than the target window; looks from
    /// its table; the window statistic (its ranges are its own variance).
    fn check(p: &Params) -> Result<(), Error> {
        if p.window < 5 || p.window <= p.target_window {
            return Err(Error::InvalidWindow);
        }
        if !LeeSigma::LOOKS.contains(&p.looks) {
            return Err(Error::InvalidLooks);
        }
        if p.statistic != Statistic::Window {
            return Err(Error::InvalidStatistic);
        }
        Ok(())
    }

    fn rule(error: Error) -> Option<&'static str> {
        match error {
            Error::InvalidWindow => {
                Some("lee_sigma takes a window of at least 5, larger than target_window")
            }
            Error::InvalidLooks => Some("lee_sigma takes 1, 2, 3 or 4 looks (its table's rows)"),
            Error::InvalidStatistic => Some("lee_sigma takes statistic=window"),
            _ => None,
        }
    }

    /// Its sigma ranges are the looks' row of its table.
    fn uses_looks(_p: &Params) -> bool {
        true
    }

    fn uses_point_threshold() -> bool {
        true
    }

    /// Its speckle model is its table's (looks and signal only).
    fn derive(p: &Params, looks: f64, c: &mut Coefficients) {
        let (sigma_range, revised_cu) = LeeSigma::sigma_range(p.signal, looks, p.sigma);
        c.sigma_range = sigma_range;
        c.revised_cu2 = revised_cu * revised_cu;
    }

    /// The larger of `r` and twice the target window's radius (a point
    /// target's cluster is found by its neighbours' target windows).
    fn context_radius(p: &Params) -> usize {
        p.radius().max(2 * (p.target_window / 2))
    }

    fn pixel_radius(p: &Params) -> usize {
        Self::context_radius(p)
    }

    /// The engine gives the target window's mean and variance.
    fn stats_window(p: &Params) -> usize {
        p.target_window
    }

    fn row_scratch(_p: &Params, n: usize) -> Option<usize> {
        Some(LeeSigma::scratch_len(n) + 2 * n)
    }
}

impl RowKernel for LeeSigma {
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
        let Weighting { rows, cols, work } = weighting;
        let at = Geometry {
            radius: plan.params.radius(),
            target_radius: plan.params.target_window / 2,
            context: Self::pixel_radius(&plan.params),
            out_start: cols.out_start,
            raster_width: plan.raster_width,
            raster_height: plan.raster_height,
            dense,
        };
        let n = tile.len();
        let (stats_planes, work) = work.split_at_mut(2 * n);
        let (means, variances) = stats_planes.split_at_mut(n);
        for ((j, m), v) in means.iter_mut().enumerate().zip(variances.iter_mut()) {
            (*m, *v) = stats(j);
        }
        let filtered = row_with(
            plan.isa,
            &*rows,
            y as isize,
            &at,
            &plan.coeffs,
            means,
            variances,
            work,
        );
        io.write_row(
            y,
            tile.clone(),
            #[inline(always)]
            |j, x| {
                if dense || plan.params.is_valid(x) {
                    filtered[j] as f32
                } else {
                    x
                }
            },
        );
    }
}

/// [`LeeSigma::filtered_row`] for the target windows' means and
/// variances, compiled once for each instruction set.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn row_with<'s>(
    isa: Isa,
    rows: &WindowRows,
    y: isize,
    at: &Geometry,
    coeffs: &Coefficients,
    means: &[f64],
    variances: &[f64],
    work: &'s mut [f64],
) -> &'s [f64] {
    with_isa(
        isa,
        #[inline(always)]
        || {
            LeeSigma::filtered_row(
                rows,
                y,
                means.len(),
                at,
                coeffs,
                #[inline(always)]
                |j| (means[j], variances[j]),
                work,
            )
        },
    )
}

/// `(I1, I2, sigma_vp)` of intensity images, by looks 1-4 and by
/// [`SIGMAS`]: Lee et al. (2009), Table I, as SNAP and the Earth Engine
/// scripts carry it (`bench/lee_sigma_table.py` recomputes it).
const INTENSITY: [[(f64, f64, f64); 6]; 4] = [
    [
        (0.436, 1.920, 0.4057),
        (0.343, 2.210, 0.4954),
        (0.254, 2.582, 0.5911),
        (0.168, 3.094, 0.6966),
        (0.084, 3.941, 0.8191),
        (0.043, 4.840, 0.8599),
    ],
    [
        (0.582, 1.584, 0.2763),
        (0.501, 1.755, 0.3388),
        (0.418, 1.972, 0.4062),
        (0.327, 2.260, 0.4810),
        (0.221, 2.744, 0.5699),
        (0.152, 3.206, 0.6254),
    ],
    [
        (0.652, 1.458, 0.2222),
        (0.580, 1.586, 0.2736),
        (0.505, 1.751, 0.3280),
        (0.419, 1.965, 0.3892),
        (0.313, 2.320, 0.4624),
        (0.238, 2.656, 0.5084),
    ],
    [
        (0.694, 1.385, 0.1921),
        (0.630, 1.495, 0.2348),
        (0.560, 1.627, 0.2825),
        (0.480, 1.804, 0.3354),
        (0.378, 2.094, 0.3991),
        (0.302, 2.360, 0.4391),
    ],
];

/// The same for amplitude images: SNAP's values for sigma 0.5-0.9, and
/// for 0.95 (which SNAP lacks) `bench/lee_sigma_table.py`'s.
const AMPLITUDE: [[(f64, f64, f64); 6]; 4] = [
    [
        (0.653997, 1.40002, 0.208349),
        (0.578998, 1.50601, 0.255358),
        (0.496999, 1.63201, 0.305303),
        (0.403999, 1.79501, 0.361078),
        (0.286, 2.04301, 0.426375),
        (0.202905, 2.258824, 0.466418),
    ],
    [
        (0.76, 1.263, 0.139021),
        (0.705, 1.332, 0.169777),
        (0.643, 1.412, 0.206675),
        (0.568, 1.515, 0.244576),
        (0.467, 1.673, 0.29107),
        (0.386197, 1.809725, 0.319998),
    ],
    [
        (0.806, 1.21, 0.109732),
        (0.76, 1.263, 0.138001),
        (0.708, 1.327, 0.163686),
        (0.645, 1.408, 0.19597),
        (0.557, 1.531, 0.234219),
        (0.484784, 1.637698, 0.258189),
    ],
    [
        (0.832, 1.179, 0.0894192),
        (0.793, 1.226, 0.112018),
        (0.747, 1.279, 0.139243),
        (0.691, 1.347, 0.167771),
        (0.613, 1.452, 0.201036),
        (0.547354, 1.541476, 0.222197),
    ],
];

/// Columns of a chunk: its sums stay in the L1 cache across the window.
const CHUNK: usize = 128;

/// The running sums of a chunk of windows over the valid pixels inside
/// their ranges `[lo, hi]`.
struct RangeSums<'a> {
    lo: &'a [f64],
    hi: &'a [f64],
    count: &'a mut [f64],
    s1: &'a mut [f64],
    s2: &'a mut [f64],
}

impl RangeSums<'_> {
    /// Adds one row of the windows: positions `i..i + side` of `values`
    /// (and their `valid` flags) to window `i`, in that order, the sums in
    /// registers along the row. Called with a constant `side` (inlined),
    /// the row is unrolled and the windows vectorise. `DENSE`: every flag
    /// is 1, so none is read (the same sums).
    #[inline(always)]
    fn add_row<const DENSE: bool>(&mut self, side: usize, values: &[f64], valid: &[f64]) {
        let n = self.count.len();
        let (values, valid) = (&values[..n + side - 1], &valid[..n + side - 1]);
        for i in 0..n {
            let (lo, hi) = (self.lo[i], self.hi[i]);
            let (mut count, mut s1, mut s2) = (self.count[i], self.s1[i], self.s2[i]);
            for dx in 0..side {
                // `&`, not `&&`: no branches.
                let v = values[i + dx];
                let inside = (DENSE || valid[i + dx] > 0.0) & (v >= lo) & (v <= hi);
                count += if inside { 1.0 } else { 0.0 };
                s1 += if inside { v } else { 0.0 };
                s2 += if inside { v * v } else { 0.0 };
            }
            (self.count[i], self.s1[i], self.s2[i]) = (count, s1, s2);
        }
    }
}

impl RangeSums<'_> {
    /// Adds a whole row of the windows, `side` positions: unrolled for the
    /// usual sides, so that the sums stay in registers along the row;
    /// wider rows in segments of 8 positions, then one at a time, still in
    /// order.
    #[inline(always)]
    fn add_window_row<const DENSE: bool>(&mut self, side: usize, values: &[f64], valid: &[f64]) {
        match side {
            5 => self.add_row::<DENSE>(5, values, valid),
            7 => self.add_row::<DENSE>(7, values, valid),
            9 => self.add_row::<DENSE>(9, values, valid),
            11 => self.add_row::<DENSE>(11, values, valid),
            side => {
                let eights = side / 8 * 8;
                for dx in (0..eights).step_by(8) {
                    self.add_row::<DENSE>(8, &values[dx..], &valid[dx..]);
                }
                for dx in eights..side {
                    self.add_row::<DENSE>(1, &values[dx..], &valid[dx..]);
                }
            }
        }
    }
}

/// What the row kernel needs besides the window rows.
struct Geometry {
    /// The window's radius `r` and the target window's `r_t`.
    pub radius: usize,
    pub target_radius: usize,
    /// The window rows' padding: position `context + j` of a padded row is
    /// output column `j`.
    pub context: usize,
    /// Raster column of output column 0, and the raster's size.
    pub out_start: usize,
    pub raster_width: usize,
    pub raster_height: usize,
    /// Every pixel the windows read is valid (their flags are all 1).
    pub dense: bool,
}

impl LeeSigma {
    /// The looks the table has.
    const LOOKS: [f64; 4] = [1.0, 2.0, 3.0, 4.0];

    /// Pixels brighter than the threshold a target window must hold to
    /// make its bright pixels a point target.
    const TARGET_COUNT: usize = 5;

    /// `((I1, I2), sigma_vp)` for the signal, looks and sigma; NaN for
    /// values outside the table (other filters' looks).
    fn sigma_range(signal: Signal, looks: f64, sigma: f64) -> ((f64, f64), f64) {
        let table = match signal {
            Signal::Intensity => &INTENSITY,
            Signal::Amplitude => &AMPLITUDE,
        };
        let row = LeeSigma::LOOKS.iter().position(|&l| l == looks);
        let column = SIGMAS.iter().position(|&s| s == sigma);
        match (row, column) {
            (Some(r), Some(c)) => {
                let (low, high, eta) = table[r][c];
                ((low, high), eta)
            }
            _ => ((f64::NAN, f64::NAN), f64::NAN),
        }
    }

    /// Scratch (f64) for a row of `n` output pixels (`n` is at most a
    /// raster side, 2^60: no overflow).
    fn scratch_len(n: usize) -> usize {
        n + 5 * CHUNK
    }

    /// The filtered values of output row `y` (padded row `y` of `rows`),
    /// columns `0..n`, in the first `n` elements of the returned slice:
    /// where a valid pixel is neither a point target nor without pixels in
    /// its sigma range, the Kuan blend over the range, else the pixel's own
    /// value. `stats(j)` is the target window's `(m, var)`.
    #[inline(always)]
    fn filtered_row<'s>(
        rows: &WindowRows,
        y: isize,
        n: usize,
        at: &Geometry,
        c: &Coefficients,
        stats: impl Fn(usize) -> (f64, f64),
        scratch: &'s mut [f64],
    ) -> &'s [f64] {
        let (out, mut rest) = scratch.split_at_mut(n);
        let lo = take(&mut rest, CHUNK);
        let hi = take(&mut rest, CHUNK);
        let count = take(&mut rest, CHUNK);
        let s1 = take(&mut rest, CHUNK);
        let s2 = take(&mut rest, CHUNK);
        let (centre, _) = rows.row(y);
        let centre = &centre[at.context..at.context + n];
        let cu2 = c.cu * c.cu;
        let (low, high) = c.sigma_range;
        let r = at.radius as isize;
        for start in (0..n).step_by(CHUNK) {
            let len = CHUNK.min(n - start);
            let (lo, hi) = (&mut lo[..len], &mut hi[..len]);
            // The a priori mean and the sigma range (NaN: none).
            for (i, (lo, hi)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
                let (m, var) = stats(start + i);
                let x = centre[start + i];
                let prior = m + Kuan::gain(m, var.max(0.0), cu2) * (x - m);
                let positive = m > 0.0;
                *lo = if positive { low * prior } else { f64::NAN };
                *hi = if positive { high * prior } else { f64::NAN };
            }
            let (count, s1, s2) = (&mut count[..len], &mut s1[..len], &mut s2[..len]);
            count.fill(0.0);
            s1.fill(0.0);
            s2.fill(0.0);
            let (lo, hi) = (&*lo, &*hi);
            // The valid pixels of each window inside its range, row by row
            // and position by position (the same order for every pixel).
            let mut sums = RangeSums {
                lo,
                hi,
                count: &mut *count,
                s1: &mut *s1,
                s2: &mut *s2,
            };
            for dy in -r..=r {
                let (values, valid) = rows.row(y + dy);
                let first = at.context - at.radius + start;
                let (values, valid) = (&values[first..], &valid[first..]);
                if at.dense {
                    sums.add_window_row::<true>(2 * at.radius + 1, values, valid);
                } else {
                    sums.add_window_row::<false>(2 * at.radius + 1, values, valid);
                }
            }
            for i in 0..len {
                let x = centre[start + i];
                let m = s1[i] / count[i];
                let var = s2[i] / count[i] - m * m;
                let var = c.variance.of(var, 1.0 / count[i]).max(0.0);
                let blend = m + Kuan::gain(m, var, c.revised_cu2) * (x - m);
                out[start + i] = if m > 0.0 { blend } else { x };
            }
        }
        // Point targets: rare (2% of the pixels are above the threshold),
        // so looked for one pixel at a time.
        let (_, valid) = rows.row(y);
        for j in 0..n {
            let x = centre[j];
            let bright = valid[at.context + j] > 0.0 && x > c.point_threshold;
            if bright && Self::point_target(rows, y, j, at, c.point_threshold) {
                out[j] = x;
            }
        }
        out
    }

    /// Whether bright pixel `j` of row `y` belongs to a point target: some
    /// bright pixel of the raster within the target radius (itself
    /// included) has a target window holding at least `TARGET_COUNT`
    /// valid pixels above `threshold`.
    fn point_target(rows: &WindowRows, y: isize, j: usize, at: &Geometry, threshold: f64) -> bool {
        let rt = at.target_radius as isize;
        let bright = |p: isize, i: isize| {
            let (values, valid) = rows.row(p);
            let i = (at.context as isize + j as isize + i) as usize;
            valid[i] > 0.0 && values[i] > threshold
        };
        let column = (at.out_start + j) as isize;
        for cy in -rt..=rt {
            let row = y + cy;
            if row < 0 || row >= at.raster_height as isize {
                continue;
            }
            for cx in -rt..=rt {
                let col = column + cx;
                if col < 0 || col >= at.raster_width as isize || !bright(row, cx) {
                    continue;
                }
                let mut count = 0;
                for ty in -rt..=rt {
                    for tx in -rt..=rt {
                        count += usize::from(bright(row + ty, cx + tx));
                    }
                }
                if count >= Self::TARGET_COUNT {
                    return true;
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_ordered_as_their_probabilities() {
        for table in [&INTENSITY, &AMPLITUDE] {
            for row in table {
                for pair in row.windows(2) {
                    let ((l0, h0, e0), (l1, h1, e1)) = (pair[0], pair[1]);
                    assert!(l1 < l0 && h1 > h0 && e1 > e0, "{pair:?}");
                }
                for &(low, high, _) in row {
                    assert!(low < 1.0 && 1.0 < high);
                }
            }
        }
        assert_eq!(
            LeeSigma::sigma_range(Signal::Intensity, 4.0, 0.9),
            ((0.378, 2.094), 0.3991)
        );
        assert!(LeeSigma::sigma_range(Signal::Intensity, 4.4, 0.9)
            .1
            .is_nan());
    }
}
