//! Filtering one band of output rows: cut into sub-bands of rows and column
//! tiles (so that a tile's window sums stay in the L2 cache), each tile
//! streams its source rows through the window-sum stages and applies the
//! per-pixel rule.

use std::ops::Range;

use crate::carve::Carve;
use crate::error::Error;
use crate::params::{Border, Coefficients, Params, Statistic};
use crate::simd::Isa;
use crate::stage::{Columns, Stage};
use crate::window_rows::WindowRows;
use crate::Region;

/// Where a band reads its source rows and writes its output rows.
///
/// The kernel cuts the band into sub-bands of rows and each sub-band into
/// column tiles, and filters tile after tile, left to right: it calls
/// [`BandIo::begin_rows`] before a sub-band and [`BandIo::end_tile`] after
/// each tile, so that an in-place implementation knows which pixels it may
/// overwrite.
pub trait BandIo {
    /// Raster row `q`, starting at raster column [`Plan::src_x`], as it was
    /// before the call. Only rows of the band's source window are asked
    /// for, and only the columns of the current tile's source window are
    /// read.
    fn source_row(&self, q: usize) -> &[f32];

    /// Sets columns `cols` (of the region) of output raster row `y`: column
    /// `cols.start + j` becomes `f(j, x)`, where `x` is the source value of
    /// that pixel.
    fn write_row(&mut self, y: usize, cols: Range<usize>, f: impl FnMut(usize, f32) -> f32);

    /// The kernel is about to filter output rows `rows` of the band.
    fn begin_rows(&mut self, rows: Range<usize>);

    /// The kernel has written every row of the sub-band in the current
    /// tile's columns.
    fn end_tile(&mut self);
}

/// Rows of a sub-band (at least this, and at least 16 halos). The stages
/// restart at each sub-band (re-reading `2 * halo` rows), and one tile's
/// source rows of a sub-band stay in the L2 cache between the validity
/// check and the stages; it also bounds what an in-place band holds back.
const SUB_BAND_ROWS: usize = 128;

/// The bytes of column sums a tile should keep, to stay in the L2 cache.
const TILE_BYTES: usize = 256 << 10;

/// Narrowest tile (unless the region is narrower): wider tiles of large
/// windows spend less on their halo columns than they lose to the cache.
const MIN_TILE: usize = 512;

/// The geometry of a call's windows and tiles, worked out once from
/// validated parameters for a region `width` columns wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// Pixels of context a region needs on each side ([`Params::halo`]).
    pub halo: usize,
    /// Output rows of each sub-band: at least [`SUB_BAND_ROWS`] and 16
    /// halos.
    pub sub_band_rows: usize,
    /// Output columns of each tile (the last may be narrower): as many as
    /// keep the column sums of a tile within [`TILE_BYTES`], and never
    /// fewer than 4 halos (so that in-place tiles hold back few columns).
    pub tile_width: usize,
}

impl Geometry {
    /// The geometry of a region `width` columns wide; errors are those of
    /// the parameters.
    pub fn new(params: &Params, width: usize) -> Result<Geometry, Error> {
        let halo = params.halo()?;
        let stages = match params.statistic_used() {
            Statistic::Window => 1,
            Statistic::Residual => 2,
        };
        let bytes_per_column = (2 * params.stats_window() + 1) * 3 * 8 * stages;
        Ok(Geometry {
            halo,
            sub_band_rows: SUB_BAND_ROWS.max(16 * halo),
            tile_width: (TILE_BYTES / bytes_per_column)
                .saturating_sub(2 * halo)
                .max(MIN_TILE)
                .max(4 * halo)
                .min(width),
        })
    }

    /// Scratch (f64) one band needs: the buffers of its widest tile, as
    /// [`filter_band_kernel`] carves them (with the most quantities a
    /// stage may sum). `None` on overflow.
    pub fn band_scratch_len(&self, params: &Params) -> Option<usize> {
        let cols = Columns::unclipped(self.tile_width);
        let mut scratch = Carve::measure();
        match params.statistic_used() {
            Statistic::Window => {
                WindowTile::<3>::new(params, 0, cols, &mut scratch);
            }
            Statistic::Residual => {
                ResidualTile::<2>::new(params, 0, cols, &mut scratch);
            }
        }
        scratch.taken()
    }
}

/// What every band of one call shares.
pub struct Plan {
    pub params: Params,
    pub coeffs: Coefficients,
    pub geometry: Geometry,
    pub raster_width: usize,
    pub raster_height: usize,
    /// The output region, in raster coordinates.
    pub region: Region,
    /// Raster column of the first source column.
    pub src_x: usize,
    /// The instruction set the kernel runs with.
    pub isa: Isa,
}

impl Plan {
    /// The tiles of the region, as region columns.
    fn tiles(&self) -> impl Iterator<Item = Range<usize>> {
        let (width, tile) = (self.region.width, self.geometry.tile_width);
        (0..width)
            .step_by(tile)
            .map(move |t| t..(t + tile).min(width))
    }

    /// The output columns of tile `cols`, in raster coordinates.
    fn output_columns(&self, cols: &Range<usize>) -> Columns {
        Columns {
            raster: self.raster_width,
            out_start: self.region.x_off + cols.start,
            out_len: cols.len(),
        }
    }
}

/// A tile's buffers under the window statistic: one stage over `K`
/// quantities, its sums, and the window rows of the filters that weight
/// each pixel.
struct WindowTile<'a, const K: usize> {
    stage: Stage<'a, K>,
    sums: &'a mut [[f64; K]],
    weighting: Weighting<'a>,
}

impl<'a, const K: usize> WindowTile<'a, K> {
    fn new(params: &Params, first_row: usize, cols: Columns, scratch: &mut Carve<'a, f64>) -> Self {
        WindowTile {
            stage: Stage::new(params.stats_window(), params.border, cols, scratch),
            sums: scratch.take_chunks(cols.out_len),
            weighting: Weighting::new(params, first_row, cols, scratch),
        }
    }
}

/// A tile's buffers under the residual statistic: the local means' stage
/// over the widened columns and its ring of rows, the squared residuals'
/// stage, their sums, and the window rows of the filters that weight each
/// pixel.
struct ResidualTile<'a, const K: usize> {
    /// The output columns widened by the radius: the local means' columns.
    wide: Columns,
    means: Stage<'a, K>,
    residuals: Stage<'a, 1>,
    ring: &'a mut [f64],
    mean_sums: &'a mut [[f64; K]],
    residual_sums: &'a mut [[f64; 1]],
    weighting: Weighting<'a>,
}

impl<'a, const K: usize> ResidualTile<'a, K> {
    fn new(params: &Params, first_row: usize, cols: Columns, scratch: &mut Carve<'a, f64>) -> Self {
        let r = params.radius();
        let wide = cols.widened(r);
        ResidualTile {
            wide,
            means: Stage::new(params.window, params.border, wide, scratch),
            residuals: Stage::new(params.window, params.border, cols, scratch),
            ring: scratch.take(2 * (r + 1), wide.out_len),
            mean_sums: scratch.take_chunks(wide.out_len),
            residual_sums: scratch.take_chunks(cols.out_len),
            weighting: Weighting::new(params, first_row, cols, scratch),
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

/// Filters output raster rows `rows` of `plan.region`, sub-band by
/// sub-band and tile by tile. Everything it calls is inlined into it, so
/// that [`crate::simd`] can compile the whole kernel for each instruction
/// set. The window statistics are one code path for every filter; only
/// the loop that writes a row (the filter's `write_row`) is compiled per
/// rule.
#[inline(always)]
pub fn filter_band_kernel(
    io: &mut impl BandIo,
    plan: &Plan,
    rows: Range<usize>,
    scratch: &mut [f64],
) {
    let sub_band = plan.geometry.sub_band_rows;
    for start in rows.clone().step_by(sub_band) {
        let sub = start..(start + sub_band).min(rows.end);
        io.begin_rows(sub.clone());
        for tile in plan.tiles() {
            let dense = all_valid(io, plan, &sub, &tile);
            match (plan.params.statistic_used(), dense) {
                (Statistic::Window, true) => window_tile::<2>(io, plan, &sub, &tile, scratch),
                (Statistic::Window, false) => window_tile::<3>(io, plan, &sub, &tile, scratch),
                (Statistic::Residual, true) => residual_tile::<1>(io, plan, &sub, &tile, scratch),
                (Statistic::Residual, false) => residual_tile::<2>(io, plan, &sub, &tile, scratch),
            }
            io.end_tile();
        }
    }
}

/// True when every window of output rows `rows`, tile `tile` holds `w^2`
/// valid pixels: the border pads (not `Shrink`) and every pixel they read
/// is valid. Such a tile need not count valid pixels; the result is the
/// same to the bit (counts are exact integers).
#[inline(always)]
fn all_valid(io: &impl BandIo, plan: &Plan, rows: &Range<usize>, tile: &Range<usize>) -> bool {
    let p = &plan.params;
    let halo = plan.geometry.halo;
    let input = plan.output_columns(tile).input(halo);
    let source_rows = rows.start.saturating_sub(halo)..(rows.end + halo).min(plan.raster_height);
    if p.border == Border::Shrink {
        return false;
    }
    // Plain loops: iterator adapters such as `all` are not always inlined,
    // and would then run without the wide instructions of [`crate::simd`].
    for q in source_rows {
        let row = &io.source_row(q)[input.start - plan.src_x..input.end - plan.src_x];
        let mut valid = true;
        for &x in row {
            valid &= p.is_valid(x);
        }
        if !valid {
            return false;
        }
    }
    true
}

/// `var = mean(x^2) - mean(x)^2` over each window of tile `tile` (region
/// columns), one stage over `K` quantities: `[count, x, x^2]` (`K == 3`) or
/// `[x, x^2]` with the count `w^2` (`K == 2`, every pixel valid).
#[inline(always)]
fn window_tile<const K: usize>(
    io: &mut impl BandIo,
    plan: &Plan,
    rows: &Range<usize>,
    tile: &Range<usize>,
    scratch: &mut [f64],
) {
    let cols = plan.output_columns(tile);
    let WindowTile {
        mut stage,
        sums,
        mut weighting,
    } = WindowTile::<K>::new(&plan.params, rows.start, cols, &mut Carve::new(scratch));
    let input = stage.input_columns();
    let w = plan.params.stats_window();
    let full = (w * w) as f64;
    let variance = plan.coeffs.variance;
    // A tile where every pixel is valid needs the window sums only for a
    // rule that reads them there.
    let whole_window = K == 3 || plan.params.filter.reads_window_statistics_where_valid();
    for y in rows.clone() {
        if whole_window {
            stage.sums(
                y,
                plan.raster_height,
                #[inline(always)]
                |q, buf| load(plan, io.source_row(q), &input, K == 3, buf),
                sums,
            );
        }
        let sums = &*sums;
        // K == 2: every pixel of the band is valid.
        plan.params.filter.write_row(
            io,
            plan,
            y,
            tile,
            K == 2,
            &mut weighting,
            #[inline(always)]
            |j| {
                let (count, s1, s2) = if K == 3 {
                    (sums[j][0], sums[j][1], sums[j][2])
                } else {
                    (full, sums[j][0], sums[j][1])
                };
                let inv = 1.0 / count;
                let m = s1 * inv;
                (m, variance.of(s2 * inv - m * m, inv))
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

/// `var = mean((x_j - m_j)^2)` over each window of tile `tile` (region
/// columns): a first stage gives the local mean `m_j` of every pixel the
/// output windows touch, kept in a ring of `r + 1` rows; a second stage
/// sums the squared residuals. Local means are summed over `[count, x]`
/// (`K == 2`) or over `[x]` with the count `w^2` (`K == 1`, every pixel
/// valid).
#[inline(always)]
fn residual_tile<const K: usize>(
    io: &mut impl BandIo,
    plan: &Plan,
    rows: &Range<usize>,
    tile: &Range<usize>,
    scratch: &mut [f64],
) {
    let p = &plan.params;
    let r = p.radius();
    let full = (p.window * p.window) as f64;
    let cols = plan.output_columns(tile);
    let ResidualTile {
        wide,
        mut means,
        mut residuals,
        ring,
        mean_sums,
        residual_sums,
        mut weighting,
    } = ResidualTile::<K>::new(p, rows.start, cols, &mut Carve::new(scratch));
    let nw = wide.out_len;
    debug_assert_eq!(residuals.input_columns().len(), nw);
    // Ring rows hold (1 / valid count, mean) per wide column (the first
    // unused when every pixel is valid).
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
    let inv_full = 1.0 / full;
    for y in rows.clone() {
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
                        if dense {
                            // The count is w^2: no 1 / count to keep.
                            for (s, m) in mean_sums.iter().zip(mean) {
                                *m = s[0] * inv_full;
                            }
                        } else {
                            for ((s, i), m) in mean_sums.iter().zip(inv).zip(mean) {
                                *i = 1.0 / s[0];
                                *m = s[K - 1] * *i;
                            }
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
        let residual_sums = &*residual_sums;
        plan.params.filter.write_row(
            io,
            plan,
            y,
            tile,
            dense,
            &mut weighting,
            #[inline(always)]
            |j| {
                let inv = if dense { inv_full } else { inv[j] };
                (
                    mean[j],
                    plan.coeffs.variance.of(residual_sums[j][0] * inv, inv),
                )
            },
        );
    }
}

/// The source pixels of the current windows and the work space of a
/// filter that reads them one by one (Frost, Refined Lee, Lee Sigma).
pub struct Weighting<'a> {
    pub rows: WindowRows<'a>,
    /// The tile's output columns.
    pub cols: Columns,
    pub work: &'a mut [f64],
}

impl<'a> Weighting<'a> {
    /// For the tile of output columns `cols` whose first output row is
    /// `first_row`, from `scratch`; empty (no scratch) unless the filter
    /// weights the window's pixels. (Not an `Option`: valgrind flags reads
    /// of a `None`'s payload that compiled code makes.)
    fn new(params: &Params, first_row: usize, cols: Columns, scratch: &mut Carve<'a, f64>) -> Self {
        let n = cols.out_len;
        let (w, n, work) = match params.filter.row_scratch(params, n) {
            Some(work) => (2 * params.pixel_radius() + 1, n, work),
            None => (1, 0, 0),
        };
        Weighting {
            rows: WindowRows::new(w, n, first_row, scratch),
            cols,
            work: scratch.take(1, work),
        }
    }

    /// Loads the window rows of output row `y` (padded rows up to `y` plus
    /// the filter's pixel radius). `dense`: every pixel is valid.
    #[inline(always)]
    pub fn load_through(&mut self, io: &impl BandIo, plan: &Plan, y: usize, dense: bool) {
        let cols = &self.cols;
        self.rows.advance_to(
            (y + plan.params.pixel_radius()) as isize,
            #[inline(always)]
            |q, values, counts| load_padded(io, plan, cols, q, dense, values, counts),
        );
    }
}

/// Fills padded row `p` of a tile's window rows (raster row `p`, mapped by
/// the border rule; columns from `cols.out_start - r` on): valid pixels'
/// values and a count of 1, else 0 and 0. `dense`: every pixel is valid.
#[inline(always)]
fn load_padded(
    io: &impl BandIo,
    plan: &Plan,
    cols: &Columns,
    p: isize,
    dense: bool,
    values: &mut [f64],
    counts: &mut [f64],
) {
    let params = &plan.params;
    let Some(q) = params.border.map(p, plan.raster_height) else {
        values.fill(0.0);
        counts.fill(0.0);
        return;
    };
    let row = io.source_row(q);
    let first = cols.out_start as isize - params.pixel_radius() as isize;
    let pixel = |col: Option<usize>| match col {
        Some(col) => {
            let x = row[col - plan.src_x];
            let valid = dense || params.is_valid(x);
            (
                if valid { f64::from(x) } else { 0.0 },
                f64::from(u8::from(valid)),
            )
        }
        None => (0.0, 0.0),
    };
    // Positions inside the raster (a plain loop), then the padded edges.
    let input = cols.input(params.pixel_radius());
    let inside = (input.start as isize - first) as usize..(input.end as isize - first) as usize;
    let src = &row[input.start - plan.src_x..input.end - plan.src_x];
    for ((v, c), x) in values[inside.clone()]
        .iter_mut()
        .zip(counts[inside.clone()].iter_mut())
        .zip(src)
    {
        let valid = dense || params.is_valid(*x);
        *v = if valid { f64::from(*x) } else { 0.0 };
        *c = if valid { 1.0 } else { 0.0 };
    }
    for i in (0..inside.start).chain(inside.end..values.len()) {
        (values[i], counts[i]) = pixel(params.border.map(first + i as isize, cols.raster));
    }
}
