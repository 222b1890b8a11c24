//! Filtering one band of output rows: streams the source rows once through
//! the window-sum stages and applies the per-pixel rule.

use std::ops::Range;

use crate::params::{Border, Coefficients, Params, Statistic};
use crate::rule::enhanced_lee;
use crate::stage::{Columns, Stage};
use crate::Region;

/// Where a band reads its source rows and writes its output rows.
pub trait BandIo {
    /// Raster row `q`, starting at raster column [`Plan::src_x`]. Only rows
    /// of the band's source window are asked for, in increasing order except
    /// where the border rule maps outside positions back into the raster.
    fn source_row(&self, q: usize) -> &[f32];

    /// Sets output raster row `y`: column `j` of the region becomes
    /// `f(j, x)`, where `x` is the source value of that pixel.
    fn write_row(&mut self, y: usize, f: impl FnMut(usize, f32) -> f32);
}

/// What every band of one call shares.
pub struct Plan {
    pub params: Params,
    pub coeffs: Coefficients,
    pub raster_width: usize,
    pub raster_height: usize,
    /// The output region, in raster coordinates.
    pub region: Region,
    /// Raster column of the first source column.
    pub src_x: usize,
}

impl Plan {
    fn output_columns(&self) -> Columns {
        Columns {
            raster: self.raster_width,
            out_start: self.region.x_off,
            out_len: self.region.width,
        }
    }

    /// Scratch (f64) one band needs; an upper bound for every band of a
    /// region `width` columns wide.
    pub fn band_scratch_len(params: &Params, width: usize) -> Option<usize> {
        let (w, r) = (params.window, params.radius());
        match params.statistic {
            Statistic::Window => {
                Stage::<3>::scratch_len(w, width)?.checked_add(width.checked_mul(3)?)
            }
            Statistic::Residual => {
                let wide = width.checked_add(2 * r)?;
                let ring = (r + 1).checked_mul(2)?.checked_mul(wide)?;
                Stage::<2>::scratch_len(w, wide)?
                    .checked_add(Stage::<1>::scratch_len(w, width)?)?
                    .checked_add(ring)?
                    .checked_add(wide.checked_mul(2)?)?
                    .checked_add(width)
            }
        }
    }
}

/// Writes, for raster columns `cols` of `row`, the per-pixel quantities a
/// stage sums: the first `K` of `[valid, x, x^2]` (zeros for invalid
/// pixels) when `counted`, else of `[x, x^2]` (a band whose pixels are all
/// valid: [`all_valid`]).
#[inline(always)]
fn load<const K: usize>(
    plan: &Plan,
    row: &[f32],
    cols: &Range<usize>,
    counted: bool,
    buf: &mut [[f64; K]],
) {
    let src = &row[cols.start - plan.src_x..cols.end - plan.src_x];
    if counted {
        for (x, b) in src.iter().zip(buf.iter_mut()) {
            let valid = plan.params.is_valid(*x);
            let v = if valid { f64::from(*x) } else { 0.0 };
            let moments = [if valid { 1.0 } else { 0.0 }, v, v * v];
            *b = std::array::from_fn(|q| moments[q]);
        }
    } else {
        for (x, b) in src.iter().zip(buf.iter_mut()) {
            let v = f64::from(*x);
            let moments = [v, v * v];
            *b = std::array::from_fn(|q| moments[q]);
        }
    }
}

/// Filters output raster rows `rows` of `plan.region`. Everything it calls
/// is inlined into it, so that [`crate::simd`] can compile the whole kernel
/// for each instruction set.
#[inline(always)]
pub fn filter_band_kernel(
    io: &mut impl BandIo,
    plan: &Plan,
    rows: Range<usize>,
    scratch: &mut [f64],
) {
    match plan.params.statistic {
        Statistic::Window => window_band(io, plan, rows, scratch),
        Statistic::Residual => residual_band(io, plan, rows, scratch),
    }
}

/// `var = mean(x^2) - mean(x)^2` over each window: one stage. When every
/// window of the band is full ([`all_valid`]) the count need not be summed;
/// the result is the same to the bit (counts are exact integers).
#[inline(always)]
fn window_band(io: &mut impl BandIo, plan: &Plan, rows: Range<usize>, scratch: &mut [f64]) {
    if all_valid(io, plan, &rows) {
        window_band_with::<2>(io, plan, rows, scratch)
    } else {
        window_band_with::<3>(io, plan, rows, scratch)
    }
}

/// True when every window of the band holds `w^2` valid pixels: the border
/// pads (not `Shrink`) and every pixel the band reads is valid.
#[inline(always)]
fn all_valid(io: &impl BandIo, plan: &Plan, rows: &Range<usize>) -> bool {
    let p = &plan.params;
    let halo = p.halo().expect("validated");
    let input = plan.output_columns().input(halo);
    let source_rows = rows.start.saturating_sub(halo)..(rows.end + halo).min(plan.raster_height);
    p.border != Border::Shrink
        && source_rows.into_iter().all(
            #[inline(always)]
            |q| {
                let row = &io.source_row(q)[input.start - plan.src_x..input.end - plan.src_x];
                row.iter().fold(true, |all, &x| all & p.is_valid(x))
            },
        )
}

/// The window statistic over `K` quantities: `[count, x, x^2]` (`K == 3`)
/// or `[x, x^2]` with the count `w^2` (`K == 2`).
#[inline(always)]
fn window_band_with<const K: usize>(
    io: &mut impl BandIo,
    plan: &Plan,
    rows: Range<usize>,
    scratch: &mut [f64],
) {
    let p = &plan.params;
    let cols = plan.output_columns();
    let (mut stage, rest) = Stage::<K>::new(p.window, p.border, cols, scratch);
    let input = stage.input_columns();
    let sums = &mut rest[..K * cols.out_len].as_chunks_mut::<K>().0;
    let full = (p.window * p.window) as f64;
    for y in rows {
        stage.sums(
            y,
            plan.raster_height,
            #[inline(always)]
            |q, buf| load(plan, io.source_row(q), &input, K == 3, buf),
            sums,
        );
        io.write_row(
            y,
            #[inline(always)]
            |j, x| {
                let (count, s1, s2) = if K == 3 {
                    (sums[j][0], sums[j][1], sums[j][2])
                } else {
                    (full, sums[j][0], sums[j][1])
                };
                let inv = 1.0 / count;
                let m = s1 * inv;
                let var = s2 * inv - m * m;
                // K == 2: every pixel of the band is valid.
                let valid = K == 2 || p.is_valid(x);
                enhanced_lee(x, valid, m, var, &plan.coeffs)
            },
        );
    }
}

/// The last few rows of local statistics, by raster row.
struct Ring<'a> {
    buf: &'a mut [f64],
    row_len: usize,
    capacity: usize,
    next: usize,
}

impl Ring<'_> {
    #[inline(always)]
    fn get(&self, row: usize) -> &[f64] {
        assert!(
            row < self.next && row + self.capacity >= self.next,
            "row {row} left the ring"
        );
        let slot = row % self.capacity;
        &self.buf[slot * self.row_len..(slot + 1) * self.row_len]
    }

    /// Computes rows up to `row` with `compute(row, slot)`.
    #[inline(always)]
    fn advance_to(&mut self, row: usize, mut compute: impl FnMut(usize, &mut [f64])) {
        while self.next <= row {
            let slot = self.next % self.capacity;
            compute(
                self.next,
                &mut self.buf[slot * self.row_len..(slot + 1) * self.row_len],
            );
            self.next += 1;
        }
    }
}

/// `var = mean((x_j - m_j)^2)`: a first stage gives the local mean `m_j` of
/// every pixel the output windows touch, kept in a ring of `r + 1` rows; a
/// second stage sums the squared residuals.
#[inline(always)]
fn residual_band(io: &mut impl BandIo, plan: &Plan, rows: Range<usize>, scratch: &mut [f64]) {
    if all_valid(io, plan, &rows) {
        residual_band_with::<1>(io, plan, rows, scratch)
    } else {
        residual_band_with::<2>(io, plan, rows, scratch)
    }
}

/// The residual statistic with local means summed over `[count, x]`
/// (`K == 2`) or over `[x]` with the count `w^2` (`K == 1`).
#[inline(always)]
fn residual_band_with<const K: usize>(
    io: &mut impl BandIo,
    plan: &Plan,
    rows: Range<usize>,
    scratch: &mut [f64],
) {
    let p = &plan.params;
    let r = p.radius();
    let full = (p.window * p.window) as f64;
    let cols = plan.output_columns();
    let wide = cols.widened(r);
    let (mut means, rest) = Stage::<K>::new(p.window, p.border, wide, scratch);
    let (mut residuals, rest) = Stage::<1>::new(p.window, p.border, cols, rest);
    let (nw, n) = (wide.out_len, cols.out_len);
    debug_assert_eq!(residuals.input_columns().len(), nw);
    let (ring, rest) = rest.split_at_mut((r + 1) * 2 * nw);
    let (mean_sums, rest) = rest.split_at_mut(K * nw);
    let mean_sums = mean_sums.as_chunks_mut::<K>().0;
    let residual_sums = rest[..n].as_chunks_mut::<1>().0;
    // Ring rows hold (1 / valid count, mean) per wide column.
    let mut ring = Ring {
        buf: ring,
        row_len: 2 * nw,
        capacity: r + 1,
        next: rows.start.saturating_sub(r),
    };
    let input = means.input_columns();
    let wide_cols = wide.out_start - plan.src_x..wide.out_start - plan.src_x + nw;
    let offset = cols.out_start - wide.out_start;
    // K == 1: every pixel of the band is valid.
    let dense = K == 1;
    for y in rows {
        residuals.sums(
            y,
            plan.raster_height,
            #[inline(always)]
            |q, buf| {
                ring.advance_to(
                    q,
                    #[inline(always)]
                    |row, stats| {
                        means.sums(
                            row,
                            plan.raster_height,
                            #[inline(always)]
                            |q1, b| load(plan, io.source_row(q1), &input, K == 2, b),
                            mean_sums,
                        );
                        let (inv, mean) = stats.split_at_mut(nw);
                        for ((s, i), m) in mean_sums.iter().zip(inv).zip(mean) {
                            let (count, sum) = if K == 2 { (s[0], s[1]) } else { (full, s[0]) };
                            *i = 1.0 / count;
                            *m = sum * *i;
                        }
                    },
                );
                // The squared residuals of row q.
                let mean = &ring.get(q)[nw..];
                let xs = &io.source_row(q)[wide_cols.clone()];
                for ((b, x), m) in buf.iter_mut().zip(xs).zip(mean) {
                    let d = f64::from(*x) - m;
                    b[0] = if dense || p.is_valid(*x) { d * d } else { 0.0 };
                }
            },
            residual_sums,
        );
        let stats = ring.get(y);
        let (inv, mean) = (&stats[offset..nw], &stats[nw + offset..]);
        io.write_row(
            y,
            #[inline(always)]
            |j, x| {
                let var = residual_sums[j][0] * inv[j];
                enhanced_lee(x, dense || p.is_valid(x), mean[j], var, &plan.coeffs)
            },
        );
    }
}
