//! One pass of 2-D window sums over a few per-pixel quantities: column sums
//! down the rows ([`ColumnSums`]), then line sums along the row
//! ([`line_sums`]) over the border-padded columns.

use std::ops::Range;

use crate::carve::Carve;
use crate::params::Border;
use crate::window_sum::{line_sums, line_sums_scratch_len, ColumnSums};

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

    /// `out_len` output columns far from both raster edges: no window and
    /// no widened stage is clipped, so a layout measured for them bounds
    /// the layout of any `out_len` columns.
    pub fn unclipped(out_len: usize) -> Columns {
        Columns {
            raster: usize::MAX,
            out_start: usize::MAX / 4,
            out_len,
        }
    }

    /// The output columns of a stage that feeds this one through windows of
    /// radius `r`: exactly this stage's input columns.
    pub fn widened(&self, r: usize) -> Columns {
        let input = self.input(r);
        Columns {
            raster: self.raster,
            out_start: input.start,
            out_len: input.len(),
        }
    }
}

/// 2-D window sums of `K` quantities, interleaved per column: an input row
/// is `[[f64; K]; input columns]`, flattened.
pub struct Stage<'a, const K: usize> {
    w: usize,
    border: Border,
    cols: Columns,
    input: Range<usize>,
    column_sums: ColumnSums<'a>,
    padded: &'a mut [[f64; K]],
    levels: &'a mut [f64],
}

impl<'a, const K: usize> Stage<'a, K> {
    /// Takes its buffers from `scratch`: for the column sums of the
    /// output columns' input (clipped to the raster; measured unclipped,
    /// an upper bound), the padded line and the line sums' levels.
    pub fn new(w: usize, border: Border, cols: Columns, scratch: &mut Carve<'a, f64>) -> Self {
        let input = cols.input(w / 2);
        let column_sums = ColumnSums::new(w, K * input.len(), scratch);
        let padded = scratch.take_chunks::<K>(cols.out_len + w - 1);
        let levels = scratch.take(1, line_sums_scratch_len(K, w));
        Stage {
            w,
            border,
            cols,
            input,
            column_sums,
            padded,
            levels,
        }
    }

    /// The raster columns whose quantities `fill` provides.
    pub fn input_columns(&self) -> Range<usize> {
        self.input.clone()
    }

    /// Window sums centred on raster row `row`, written to `out` (one
    /// `[f64; K]` per output column). Successive calls must pass
    /// consecutive rows. `fill(q, buf)` must write the quantities of raster
    /// row `q` over the input columns into `buf` (rows outside the raster
    /// under `Shrink` are zero and never asked for).
    #[inline(always)]
    pub fn sums(
        &mut self,
        row: usize,
        raster_height: usize,
        mut fill: impl FnMut(usize, &mut [[f64; K]]),
        out: &mut [[f64; K]],
    ) {
        let r = self.w / 2;
        let border = self.border;
        let inside = self.inside();
        // Window start u = row: padded row u holds raster row u - r. The
        // column sums land directly in the padded line.
        self.column_sums.next(
            row,
            #[inline(always)]
            |u, buf| match border.map(u as isize - r as isize, raster_height) {
                Some(q) => fill(q, buf.as_chunks_mut::<K>().0),
                None => buf.fill(0.0),
            },
            self.padded[inside.clone()].as_flattened_mut(),
        );
        self.pad_edges(inside);
        line_sums(self.padded, self.w, self.levels, out);
    }

    /// Positions of the padded line that hold the input columns: the
    /// padded line starts at raster column `out_start - r`, and the input
    /// columns lie within it.
    #[inline(always)]
    fn inside(&self) -> Range<usize> {
        let first = self.cols.out_start as isize - (self.w / 2) as isize;
        let from = (self.input.start as isize - first) as usize;
        from..from + self.input.len()
    }

    /// Fills the padded positions outside the raster by the border rule,
    /// from the input columns already in place.
    #[inline(always)]
    fn pad_edges(&mut self, inside: Range<usize>) {
        let first = self.cols.out_start as isize - (self.w / 2) as isize;
        let (border, raster, start) = (self.border, self.cols.raster, self.input.start);
        for j in (0..inside.start).chain(inside.end..self.padded.len()) {
            self.padded[j] = match border.map(first + j as isize, raster) {
                Some(c) => self.padded[inside.start + c - start],
                None => [0.0; K],
            };
        }
    }
}
