//! One pass of 2-D window sums over a few per-pixel quantities: column sums
//! down the rows ([`ColumnSums`]), then line sums along the row
//! ([`line_sums`]) over the border-padded columns.

use std::ops::Range;

use crate::params::Border;
use crate::window_sum::{line_sums, ColumnSums};

/// The columns a stage reads and writes, in raster coordinates.
#[derive(Clone, Copy, Debug)]
pub struct Columns {
    /// Raster width (for the border rule).
    pub raster: usize,
    /// First output column.
    pub out_start: usize,
    /// Number of output columns.
    pub out_len: usize,
}

impl Columns {
    /// The raster columns the windows of the output columns touch, clipped
    /// to the raster: border positions map into this range.
    pub fn input(&self, r: usize) -> Range<usize> {
        self.out_start.saturating_sub(r)..(self.out_start + self.out_len + r).min(self.raster)
    }

    /// The output columns of a stage that feeds this one through windows of
    /// radius `r`: exactly this stage's input columns.
    pub fn widened(&self, r: usize) -> Columns {
        let input = self.input(r);
        Columns { raster: self.raster, out_start: input.start, out_len: input.len() }
    }
}

/// 2-D window sums of `k` quantities, stored side by side in rows of
/// `k * input_len` values (quantity `q` of input column `c` at
/// `q * input_len + (c - input.start)`).
pub struct Stage<'a> {
    k: usize,
    w: usize,
    border: Border,
    cols: Columns,
    input: Range<usize>,
    column_sums: ColumnSums<'a>,
    vsum: &'a mut [f64],
    padded: &'a mut [f64],
    suffix: &'a mut [f64],
    prefix: &'a mut [f64],
}

impl<'a> Stage<'a> {
    /// Scratch (f64) for `k` quantities, window `w`, at most `out_len`
    /// output columns (with their halo unclipped, an upper bound).
    pub fn scratch_len(k: usize, w: usize, out_len: usize) -> Option<usize> {
        let input = out_len.checked_add(w - 1)?;
        let row = k.checked_mul(input)?;
        ColumnSums::scratch_len(w, 1)
            .checked_mul(row)?
            .checked_add(row)?
            .checked_add(input.checked_mul(3)?)
    }

    /// Takes its buffers from the front of `scratch`, returns the rest.
    pub fn new(
        k: usize,
        w: usize,
        border: Border,
        cols: Columns,
        scratch: &'a mut [f64],
    ) -> (Self, &'a mut [f64]) {
        let input = cols.input(w / 2);
        let row_len = k * input.len();
        let (column_sums, rest) = ColumnSums::new(w, row_len, scratch);
        let (vsum, rest) = rest.split_at_mut(row_len);
        let line = cols.out_len + w - 1;
        let (padded, rest) = rest.split_at_mut(line);
        let (suffix, rest) = rest.split_at_mut(line);
        let (prefix, rest) = rest.split_at_mut(line);
        let stage =
            Stage { k, w, border, cols, input, column_sums, vsum, padded, suffix, prefix };
        (stage, rest)
    }

    /// Length of one input row (`k * input columns`) that `fill` receives.
    pub fn input_columns(&self) -> Range<usize> {
        self.input.clone()
    }

    /// Window sums centred on raster row `row`, written to `out` (`k` runs of
    /// `out_len` values). Successive calls must pass consecutive rows.
    /// `fill(Some(q), buf)` must write the quantities of raster row `q` over
    /// the input columns into `buf`; `fill(None, buf)` is never called
    /// (rows outside the raster under `Shrink` are zero here).
    pub fn sums(
        &mut self,
        row: usize,
        raster_height: usize,
        mut fill: impl FnMut(usize, &mut [f64]),
        out: &mut [f64],
    ) {
        let r = self.w / 2;
        let border = self.border;
        // Window start u = row: padded row u holds raster row u - r.
        self.column_sums.next(
            row,
            |u, buf| match border.map(u as isize - r as isize, raster_height) {
                Some(q) => fill(q, buf),
                None => buf.fill(0.0),
            },
            self.vsum,
        );
        let n_in = self.input.len();
        let n_out = self.cols.out_len;
        let first = self.cols.out_start as isize - r as isize;
        for q in 0..self.k {
            let vsum = &self.vsum[q * n_in..(q + 1) * n_in];
            for (j, p) in self.padded.iter_mut().enumerate() {
                *p = match border.map(first + j as isize, self.cols.raster) {
                    Some(c) => vsum[c - self.input.start],
                    None => 0.0,
                };
            }
            line_sums(
                self.padded,
                self.cols.out_start,
                self.w,
                self.suffix,
                self.prefix,
                &mut out[q * n_out..(q + 1) * n_out],
            );
        }
    }
}
