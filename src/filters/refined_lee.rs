//! Refined Lee (Lee 1981, edge-aligned windows), in the 7x7 form of SNAP
//! and Earth Engine (`docs/filters.md`, "Refined Lee").
//!
//! In a 7x7 window, the nine 3x3 sub-areas `A[a][b]` (rows `2a..2a+3`,
//! columns `2b..2b+3`) give means `mu[a][b]`. The largest of the four
//! gradients `|mu10 - mu12|`, `|mu02 - mu20|`, `|mu01 - mu21|`,
//! `|mu00 - mu22|` (the first on ties) names the edge's orientation; the
//! side whose sub-area mean is closer to the centre's names the half of
//! the window (28 pixels, the centre line included) on the pixel's side of
//! the edge. The MMSE blend then uses that half's mean and variance, with
//! the noise variance `sigma_v^2` estimated from the window itself: the
//! mean of the five smallest `var / mu^2` of the sub-areas.
//!
//! Windows with an invalid position (nodata, NaN, or outside the image
//! with `border=shrink`) use the whole window's statistics instead, and
//! `sigma_v^2` from the sub-areas that are entirely valid.

use super::{finish, take};
use crate::params::Variance;
use crate::window_rows::WindowRows;

/// The Refined Lee filter of a row of 7x7 windows.
pub struct RefinedLee;

/// The window side the filter is defined for.
pub const WINDOW: usize = 7;

/// Columns of a chunk: its planes stay in the L1 and L2 caches.
const CHUNK: usize = 128;

/// Padded positions a chunk's windows cover.
const LINE: usize = CHUNK + WINDOW - 1;

/// The eight halves of the window, each 28 pixels with the centre's row,
/// column or diagonal: half `2k` lies towards the first sub-area of
/// gradient `k`, half `2k + 1` towards the second. In order: the left
/// (columns 0-3) and right (3-6) halves, the upper right (column >= row)
/// and lower left (column <= row) triangles, the top (rows 0-3) and bottom
/// (3-6) halves, and the upper left (row + column <= 6) and lower right
/// (row + column >= 6) triangles. [`Halves::sum`] sums them; the tests
/// hold them as a table.
/// The sub-areas compared by gradient `k`, as indices `3a + b` of
/// `A[a][b]`.
const GRADIENTS: [[usize; 2]; 4] = [[3, 5], [2, 6], [1, 7], [0, 8]];

/// The centre sub-area `A[1][1]`.
const CENTRE: usize = 4;

/// `out[i] = src[i] + src[i + 1] + ... + src[i + len - 1]`, added in that
/// order, for every `i` of `out`.
#[inline(always)]
fn slide(src: &[f64], len: usize, out: &mut [f64]) {
    out.copy_from_slice(&src[..out.len()]);
    for t in 1..len {
        for (o, s) in out.iter_mut().zip(&src[t..]) {
            *o += *s;
        }
    }
}

/// `out[i] += src[i]`.
#[inline(always)]
fn add(out: &mut [f64], src: &[f64]) {
    for (o, s) in out.iter_mut().zip(src) {
        *o += *s;
    }
}

/// The sums of one quantity (the values, or their squares) over the
/// eight halves of a chunk's windows, computed for every window from
/// sliding sums along the rows and the columns: half `h` of window `i`
/// is `half[h * CHUNK + i]`.
struct Halves<'a> {
    half: &'a mut [f64],
    /// Sliding sums of each row, row `r` over `7 - r` positions.
    rows: &'a mut [f64],
    /// Column sums over all rows, rows `0..=3` and rows `3..=6`, and a
    /// work plane.
    cols: &'a mut [f64],
}

impl<'a> Halves<'a> {
    const SCRATCH: usize = 8 * CHUNK + WINDOW * LINE + 4 * LINE;

    fn new(scratch: &mut &'a mut [f64]) -> Self {
        Halves {
            half: take(scratch, 8 * CHUNK),
            rows: take(scratch, WINDOW * LINE),
            cols: take(scratch, 4 * LINE),
        }
    }

    /// The halves' sums of the `len` windows whose rows are `x[r]` (each
    /// `len + 6` positions).
    #[inline(always)]
    fn sum(&mut self, x: &[&[f64]; WINDOW], len: usize) {
        let wide = len + WINDOW - 1;
        let (all, rest) = self.cols.split_at_mut(LINE);
        let (top, rest) = rest.split_at_mut(LINE);
        let (bottom, work) = rest.split_at_mut(LINE);
        let (all, top, bottom) = (&mut all[..wide], &mut top[..wide], &mut bottom[..wide]);
        top.copy_from_slice(&x[0][..wide]);
        for row in &x[1..=3] {
            add(top, row);
        }
        bottom.copy_from_slice(&x[3][..wide]);
        for row in &x[4..] {
            add(bottom, row);
        }
        all.copy_from_slice(top);
        for row in &x[4..] {
            add(all, row);
        }
        let mut half: [&mut [f64]; 8] = {
            let mut rest = &mut self.half[..];
            std::array::from_fn(|_| &mut take(&mut rest, CHUNK)[..len])
        };
        // Left and right: four columns of the column sums, at 0 and at 3.
        let four = &mut work[..len + 3];
        slide(all, 4, four);
        half[0].copy_from_slice(&four[..len]);
        half[1].copy_from_slice(&four[3..]);
        slide(top, 7, half[4]);
        slide(bottom, 7, half[5]);
        // The triangles: row r over 7 - r positions, from column r (upper
        // right) or from column 0 (upper left).
        for r in 0..WINDOW {
            let sums = &mut self.rows[r * LINE..r * LINE + len + r];
            slide(x[r], WINDOW - r, sums);
            let (ur, ul) = (&sums[r..], &sums[..len]);
            if r == 0 {
                half[2].copy_from_slice(ur);
                half[6].copy_from_slice(ul);
            } else {
                add(half[2], ur);
                add(half[6], ul);
            }
        }
        // The other triangles: the window less the opposite triangle, plus
        // the diagonal they share.
        let whole = &mut work[..len];
        slide(all, 7, whole);
        for (h, opposite, diagonal) in [(3, 2, true), (7, 6, false)] {
            let (done, todo) = half.split_at_mut(h);
            let out = &mut *todo[0];
            out.copy_from_slice(whole);
            for (r, row) in x.iter().enumerate() {
                let c = if diagonal { r } else { WINDOW - 1 - r };
                add(out, &row[c..]);
            }
            for (o, t) in out.iter_mut().zip(done[opposite].iter()) {
                *o -= *t;
            }
        }
    }
}

/// The work planes of a chunk.
struct Planes<'a> {
    sub: SubAreas<'a>,
    /// The squares of the window rows' values.
    squares: &'a mut [f64],
    values: Halves<'a>,
    moments: Halves<'a>,
}

/// The statistics of a chunk's sub-areas.
struct SubAreas<'a> {
    /// Each sub-area's mean, `mu[q * CHUNK + i]` for sub-area `q`.
    mu: &'a mut [f64],
    /// Each sub-area's noise estimate `var / mu^2`, `+inf` where the
    /// sub-area has an invalid pixel.
    ratio: &'a mut [f64],
    /// The noise variance estimate `sigma_v^2`.
    sigma2: &'a mut [f64],
    /// The number of entirely valid sub-areas.
    full: &'a mut [f64],
    /// Column sums over three rows (value, square, count) for one band.
    band: &'a mut [f64],
    /// The divisor of the sub-areas' variances.
    variance: Variance,
}

impl RefinedLee {
    /// Scratch (f64) for a row of `n` output pixels, besides the four
    /// planes of `n` that [`RefinedLee::blends`] reads and writes.
    pub fn work_len() -> usize {
        9 * CHUNK * 2 + 2 * CHUNK + 3 * LINE + WINDOW * LINE + 2 * Halves::SCRATCH
    }

    /// Scratch (f64) for a row of `n` output pixels.
    pub fn scratch_len(n: usize) -> Option<usize> {
        n.checked_mul(4)?.checked_add(RefinedLee::work_len())
    }

    /// The output pixel: `m + b (x - m)` where `x` is valid and `m`
    /// positive, else `x` unchanged.
    #[inline(always)]
    pub fn filtered(x: f32, valid: bool, m: f64, b: f64) -> f32 {
        finish(x, valid, m, m + b * (f64::from(x) - m))
    }

    /// The blends of the windows centred on padded row `y`, columns
    /// `0..n` (window positions `j..j + 7` of the padded rows): their means
    /// into `means` and gains into `gains`. `whole` holds each window's
    /// mean and variance (the first `n`, then the next `n`), used where a
    /// position of the window is invalid; `dense`: every position is valid.
    /// `work` holds [`RefinedLee::work_len`] elements.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn blends(
        rows: &WindowRows,
        y: isize,
        dense: bool,
        variance: Variance,
        whole: &[f64],
        means: &mut [f64],
        gains: &mut [f64],
        work: &mut [f64],
    ) {
        let n = means.len();
        let (whole_mean, whole_var) = whole.split_at(n);
        let mut rest = work;
        let mut planes = Planes {
            sub: SubAreas {
                mu: take(&mut rest, 9 * CHUNK),
                ratio: take(&mut rest, 9 * CHUNK),
                sigma2: take(&mut rest, CHUNK),
                full: take(&mut rest, CHUNK),
                band: take(&mut rest, 3 * LINE),
                variance,
            },
            squares: take(&mut rest, WINDOW * LINE),
            values: Halves::new(&mut rest),
            moments: Halves::new(&mut rest),
        };
        let lines: [(&[f64], &[f64]); WINDOW] =
            std::array::from_fn(|r| rows.row(y + r as isize - 3));
        for start in (0..n).step_by(CHUNK) {
            let len = CHUNK.min(n - start);
            planes.chunk(&lines, start, len, dense);
            for i in 0..len {
                let j = start + i;
                let (m, var) = if planes.sub.full[i] < 9.0 {
                    (whole_mean[j], whole_var[j])
                } else {
                    let h = planes.sub.half(i);
                    let m = planes.values.half[h * CHUNK + i] / 28.0;
                    let var = planes.moments.half[h * CHUNK + i] / 28.0 - m * m;
                    (m, variance.of(var, 1.0 / 28.0))
                };
                let var = var.max(0.0);
                let s2 = planes.sub.sigma2[i];
                let signal = ((var - m * m * s2) / (1.0 + s2)).max(0.0);
                means[j] = m;
                gains[j] = if var > 0.0 { signal / var } else { 0.0 };
            }
        }
    }
}

impl Planes<'_> {
    /// Everything but the choice of the half, for the `len` windows from
    /// padded position `start` on.
    #[inline(always)]
    fn chunk(&mut self, lines: &[(&[f64], &[f64]); WINDOW], start: usize, len: usize, dense: bool) {
        let wide = len + WINDOW - 1;
        let values: [&[f64]; WINDOW] = std::array::from_fn(|r| &lines[r].0[start..start + wide]);
        for (r, v) in values.iter().enumerate() {
            for (s, v) in self.squares[r * LINE..r * LINE + wide]
                .iter_mut()
                .zip(v.iter())
            {
                *s = *v * *v;
            }
        }
        let squares: [&[f64]; WINDOW] =
            std::array::from_fn(|r| &self.squares[r * LINE..r * LINE + wide]);
        self.sub
            .compute(lines, &values, &squares, start, len, dense);
        self.values.sum(&values, len);
        self.moments.sum(&squares, len);
    }
}

impl SubAreas<'_> {
    /// The sub-areas' means and noise estimates, `sigma_v^2` and the
    /// number of entirely valid sub-areas.
    #[inline(always)]
    fn compute(
        &mut self,
        lines: &[(&[f64], &[f64]); WINDOW],
        values: &[&[f64]; WINDOW],
        squares: &[&[f64]; WINDOW],
        start: usize,
        len: usize,
        dense: bool,
    ) {
        let wide = len + WINDOW - 1;
        let variance = self.variance;
        for a in 0..3 {
            // Column sums of the band's three rows.
            let (sums, rest) = self.band.split_at_mut(LINE);
            let (moments, counts) = rest.split_at_mut(LINE);
            let (sums, moments, counts) =
                (&mut sums[..wide], &mut moments[..wide], &mut counts[..wide]);
            sums.copy_from_slice(values[2 * a]);
            moments.copy_from_slice(squares[2 * a]);
            for r in 2 * a + 1..2 * a + 3 {
                add(sums, values[r]);
                add(moments, squares[r]);
            }
            if !dense {
                counts.copy_from_slice(&lines[2 * a].1[start..start + wide]);
                for line in &lines[2 * a + 1..2 * a + 3] {
                    add(counts, &line.1[start..start + wide]);
                }
            }
            for b in 0..3 {
                let q = 3 * a + b;
                let mu = &mut self.mu[q * CHUNK..q * CHUNK + len];
                let ratio = &mut self.ratio[q * CHUNK..q * CHUNK + len];
                let at = 2 * b;
                for i in 0..len {
                    let k = i + at;
                    let s1 = sums[k] + sums[k + 1] + sums[k + 2];
                    let s2 = moments[k] + moments[k + 1] + moments[k + 2];
                    let full = dense || counts[k] + counts[k + 1] + counts[k + 2] == 9.0;
                    let m = s1 / 9.0;
                    let var = variance.of(s2 / 9.0 - m * m, 1.0 / 9.0).max(0.0);
                    let r = if m > 0.0 { var / (m * m) } else { 0.0 };
                    mu[i] = m;
                    ratio[i] = if full { r } else { f64::INFINITY };
                }
            }
        }
        // The mean of the five smallest estimates (of all, where fewer
        // sub-areas are valid): kept sorted by insertion, with selects.
        for i in 0..len {
            let mut smallest = [f64::INFINITY; 5];
            let mut full = 0.0;
            for q in 0..9 {
                let mut v = self.ratio[q * CHUNK + i];
                full += if v < f64::INFINITY { 1.0 } else { 0.0 };
                for s in smallest.iter_mut() {
                    let lower = *s < v;
                    let (lo, hi) = if lower { (*s, v) } else { (v, *s) };
                    *s = lo;
                    v = hi;
                }
            }
            let k = if full < 5.0 { full } else { 5.0 };
            let mut sum = 0.0;
            for (t, s) in smallest.iter().enumerate() {
                sum += if (t as f64) < k { *s } else { 0.0 };
            }
            self.full[i] = full;
            self.sigma2[i] = if k > 0.0 { sum / k } else { 0.0 };
        }
    }

    /// The half of window `i` (of the chunk) on the centre's side of its
    /// strongest edge: an index of the halves (see [`GRADIENTS`]).
    #[inline(always)]
    fn half(&self, i: usize) -> usize {
        let mu = |q: usize| self.mu[q * CHUNK + i];
        let gradient = |k: usize| {
            let [p, q] = GRADIENTS[k];
            (mu(p) - mu(q)).abs()
        };
        // The first of equal maxima; selects rather than branches, which
        // the data would mispredict.
        let mut k = 0;
        let mut strongest = gradient(0);
        for g in 1..4 {
            let v = gradient(g);
            let stronger = v > strongest;
            k = if stronger { g } else { k };
            strongest = if stronger { v } else { strongest };
        }
        let [p, q] = GRADIENTS[k];
        let centre = mu(CENTRE);
        let towards_first = (mu(p) - centre).abs() < (centre - mu(q)).abs();
        2 * k + usize::from(!towards_first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The halves of the window, as the columns `lo..hi` of each of its rows:
    /// index `2k` is the half towards the first sub-area of gradient `k`,
    /// `2k + 1` the half towards the second. Each holds 28 pixels, the
    /// centre's row, column or diagonal included.
    const HALVES: [[(usize, usize); WINDOW]; 8] = {
        let mut h = [[(0, 0); WINDOW]; 8];
        let mut r = 0;
        while r < WINDOW {
            h[0][r] = (0, 4); // towards mu10: the left half
            h[1][r] = (3, 7); // towards mu12: the right half
            h[2][r] = (r, 7); // towards mu02: the upper right triangle, c >= r
            h[3][r] = (0, r + 1); // towards mu20: the lower left triangle, c <= r
            h[4][r] = if r <= 3 { (0, 7) } else { (0, 0) }; // towards mu01: the top half
            h[5][r] = if r >= 3 { (0, 7) } else { (0, 0) }; // towards mu21: the bottom half
            h[6][r] = (0, 7 - r); // towards mu00: the upper left triangle, r + c <= 6
            h[7][r] = (6 - r, 7); // towards mu22: the lower right triangle, r + c >= 6
            r += 1;
        }
        h
    };

    #[test]
    fn halves_hold_28_pixels_and_the_centre() {
        for half in HALVES {
            let count: usize = half.iter().map(|(lo, hi)| hi - lo).sum();
            assert_eq!(count, 28);
            assert!(half[3].0 <= 3 && 3 < half[3].1);
        }
    }

    #[test]
    fn half_sums_match_the_table() {
        // Distinct powers of two: every sum is exact, so any wrong or
        // missing position shows.
        let len = 5;
        let wide = len + WINDOW - 1;
        let rows: Vec<Vec<f64>> = (0..WINDOW)
            .map(|r| (0..wide).map(|c| ((r * wide + c) as f64).exp2()).collect())
            .collect();
        let x: [&[f64]; WINDOW] = std::array::from_fn(|r| &rows[r][..]);
        let mut scratch = vec![0.0; Halves::SCRATCH];
        let mut rest = &mut scratch[..];
        let mut halves = Halves::new(&mut rest);
        halves.sum(&x, len);
        for (h, half) in HALVES.iter().enumerate() {
            for i in 0..len {
                let want: f64 = half
                    .iter()
                    .enumerate()
                    .map(|(r, &(lo, hi))| rows[r][i + lo..i + hi].iter().sum::<f64>())
                    .sum();
                assert_eq!(halves.half[h * CHUNK + i], want, "half {h}, window {i}");
            }
        }
    }
}
