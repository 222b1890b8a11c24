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
//!
//! `compat=gee` chooses the half as the Earth Engine script does
//! ([`earth_engine_half`]) and leaves the gain unclamped.
//!
//! Every sum is a sum of column sums, so each is computed once for a
//! chunk of windows and shared by the windows and the sums that contain
//! it: the column sums from the window's top and bottom rows inwards give
//! the halves (the triangles take one column sum of each column), and the
//! three rows of each band of sub-areas give their 3x3 sums, shared by the
//! three windows that hold each sub-area.

use std::ops::Range;

use super::{finish, take, RowKernel, SpeckleFilter};
use crate::band::{BandIo, Plan, Weighting};
use crate::error::Error;
use crate::params::{Coefficients, Params};
use crate::simd::{with_isa, Isa};
use crate::window_rows::WindowRows;

/// The Refined Lee filter of a row of 7x7 windows.
pub struct RefinedLee;

/// The window side the filter is defined for.
const WINDOW: usize = 7;

impl SpeckleFilter for RefinedLee {
    const NAME: &'static str = "refined_lee";
    const SOURCE: &'static str = "Lee 1981, 7x7 edge-aligned windows";
    const PARAMETERS: &'static [&'static str] = &["statistic"];
    /// The whole window's statistics are read only next to invalid pixels
    /// (its halves otherwise).
    const READS_WINDOW_STATISTICS_WHERE_VALID: bool = false;
    const TAKES_GEE: bool = true;

    /// Its window is 7x7, the one size it is defined for.
    fn check(p: &Params) -> Result<(), Error> {
        if p.window != WINDOW {
            return Err(Error::InvalidWindow);
        }
        Ok(())
    }

    fn rule(error: Error) -> Option<&'static str> {
        (error == Error::InvalidWindow).then_some("refined_lee takes window 7")
    }

    fn row_scratch(_p: &Params, n: usize) -> Option<usize> {
        Some(4 * n + RefinedLee::work_len())
    }
}

impl RowKernel for RefinedLee {
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
        let n = tile.len();
        let (planes, work) = work.split_at_mut(4 * n);
        let (whole, blend) = planes.split_at_mut(2 * n);
        let (whole_mean, whole_var) = whole.split_at_mut(n);
        // Unused where every pixel is valid (the tile's sums are not
        // computed then: `window_tile`).
        if !dense {
            for ((j, m), v) in whole_mean.iter_mut().enumerate().zip(whole_var.iter_mut()) {
                (*m, *v) = stats(j);
            }
        }
        let (means, gains) = blend.split_at_mut(n);
        blends_with(
            plan.isa,
            &*rows,
            y as isize,
            dense,
            &plan.coeffs,
            whole,
            means,
            gains,
            work,
        );
        let (means, gains) = (&*means, &*gains);
        io.write_row(
            y,
            tile.clone(),
            #[inline(always)]
            |j, x| {
                let valid = dense || plan.params.is_valid(x);
                finish(
                    x,
                    valid,
                    means[j],
                    means[j] + gains[j] * (f64::from(x) - means[j]),
                )
            },
        );
    }
}

/// [`RefinedLee::blends`], compiled once for each instruction set (not
/// inlined into every variant of the kernel: its code is large).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn blends_with(
    isa: Isa,
    rows: &WindowRows,
    y: isize,
    dense: bool,
    c: &Coefficients,
    whole: &[f64],
    means: &mut [f64],
    gains: &mut [f64],
    work: &mut [f64],
) {
    with_isa(
        isa,
        #[inline(always)]
        || RefinedLee::blends(rows, y, dense, c, whole, means, gains, work),
    )
}

/// Columns of a chunk: its planes stay in the L1 and L2 caches.
const CHUNK: usize = 128;

/// Padded positions a chunk's windows cover.
const LINE: usize = CHUNK + WINDOW - 1;

/// Positions of a band's sub-areas in a chunk: sub-area `b` of window `i`
/// starts at position `i + 2b`.
const AREAS: usize = CHUNK + 4;

/// The pixels of a sub-area and of a half.
const AREA: f64 = 9.0;
const HALF: f64 = 28.0;

/// The sub-areas compared by gradient `k`, as indices `3a + b` of
/// `A[a][b]`.
const GRADIENTS: [[usize; 2]; 4] = [[3, 5], [2, 6], [1, 7], [0, 8]];

/// The centre sub-area `A[1][1]`.
const CENTRE: usize = 4;

/// The Earth Engine script's gradients `|s_p - s_q|`, as indices `3a + b`
/// of its 3x3 grid of sub-areas (`neighborhoodToBands`, row by row): the
/// vertical, the anti-diagonal, the horizontal and the diagonal one.
const EARTH_ENGINE_GRADIENTS: [[usize; 2]; 4] = [[1, 7], [6, 2], [3, 5], [0, 8]];

/// The half (an index of [`Halves`]) that the Earth Engine script's
/// direction codes 1 to 8 select: its `rect_kernel` (rows 3-6) and
/// `diag_kernel` (column <= row), rotated clockwise by `ee.Kernel.rotate`.
/// Code `g + 1` (`s_p - s_centre > s_centre - s_q` for gradient `g`) and
/// code `g + 5` (otherwise) select: 1 the bottom half, 2 the lower left
/// triangle, 3 the left half, 4 the upper left triangle, 5 the top half,
/// 6 the upper right triangle, 7 the right half, 8 the lower right
/// triangle.
const EARTH_ENGINE_HALVES: [f64; 8] = [5.0, 3.0, 0.0, 6.0, 4.0, 2.0, 1.0, 7.0];

/// `out[i] = terms[0].0[i + terms[0].1] + terms[1].0[i + terms[1].1] +
/// ...`, added in that order, for every `i` of `out`.
#[inline(always)]
fn sum_shifted<const N: usize>(terms: [(&[f64], usize); N], out: &mut [f64]) {
    let n = out.len();
    let planes: [&[f64]; N] = std::array::from_fn(|t| &terms[t].0[terms[t].1..terms[t].1 + n]);
    for (i, o) in out.iter_mut().enumerate() {
        let mut s = planes[0][i];
        for plane in &planes[1..] {
            s += plane[i];
        }
        *o = s;
    }
}

/// Column `c` of `plane(c)`, for each column `c` of a window: the terms
/// of [`sum_shifted`] that add one column sum of each column.
#[inline(always)]
fn across<'a>(plane: impl Fn(usize) -> &'a [f64]) -> [(&'a [f64], usize); WINDOW] {
    std::array::from_fn(|c| (plane(c), c))
}

/// The column sums of one quantity (the values, or their squares) over a
/// chunk's window rows `x[0..7]`: `down[k]` adds rows `0, 1, ..., k` and
/// `up[k]` rows `6, 5, ..., 6 - k`, in those orders.
struct Columns<'a> {
    down: [&'a mut [f64]; WINDOW],
    up: [&'a mut [f64]; WINDOW],
}

impl<'a> Columns<'a> {
    const SCRATCH: usize = 2 * WINDOW * LINE;

    fn new(scratch: &mut &'a mut [f64]) -> Self {
        Columns {
            down: std::array::from_fn(|_| take(scratch, LINE)),
            up: std::array::from_fn(|_| take(scratch, LINE)),
        }
    }

    /// The column sums of the `wide` positions of rows `x`.
    #[inline(always)]
    fn fill(&mut self, x: &[&[f64]; WINDOW], wide: usize) {
        for (sums, order) in [(&mut self.down, false), (&mut self.up, true)] {
            let row = |k: usize| x[if order { WINDOW - 1 - k } else { k }];
            sums[0][..wide].copy_from_slice(&row(0)[..wide]);
            for k in 1..WINDOW {
                let (done, todo) = sums.split_at_mut(k);
                sum_shifted([(&*done[k - 1], 0), (row(k), 0)], &mut todo[0][..wide]);
            }
        }
    }

    /// The sums over the eight halves of the `len` windows, into `out`.
    #[inline(always)]
    fn halves(&self, out: &mut Halves, len: usize) {
        let mut planes = out.sums.chunks_exact_mut(CHUNK);
        let half: [&mut [f64]; 8] = std::array::from_fn(|_| planes.next().unwrap_or_default());
        let (down, up) = (&self.down, &self.up);
        let all = &*down[6];
        // Left and right: columns 0-3 and 3-6 of the whole columns.
        sum_shifted(
            [(all, 0), (all, 1), (all, 2), (all, 3)],
            &mut half[0][..len],
        );
        sum_shifted(
            [(all, 3), (all, 4), (all, 5), (all, 6)],
            &mut half[1][..len],
        );
        // Upper right (c >= r): column c holds rows 0..=c; lower left
        // (c <= r): rows c..=6.
        sum_shifted(across(|c| &*down[c]), &mut half[2][..len]);
        sum_shifted(across(|c| &*up[6 - c]), &mut half[3][..len]);
        // Top (rows 0-3) and bottom (rows 3-6).
        sum_shifted(across(|_| &*down[3]), &mut half[4][..len]);
        sum_shifted(across(|_| &*up[3]), &mut half[5][..len]);
        // Upper left (r + c <= 6): column c holds rows 0..=6-c; lower
        // right (r + c >= 6): rows 6-c..=6.
        sum_shifted(across(|c| &*down[6 - c]), &mut half[6][..len]);
        sum_shifted(across(|c| &*up[c]), &mut half[7][..len]);
    }
}

/// The sums of one quantity over the eight halves of a chunk's windows:
/// half `2k` lies towards the first sub-area of gradient `k`, half
/// `2k + 1` towards the second. In order: the left (columns 0-3) and
/// right (3-6) halves, the upper right (column >= row) and lower left
/// (column <= row) triangles, the top (rows 0-3) and bottom (3-6) halves,
/// and the upper left (row + column <= 6) and lower right (row + column
/// >= 6) triangles. The tests hold them as a table.
struct Halves<'a> {
    /// Half `h`'s sum for window `i` at `h * CHUNK + i`.
    sums: &'a mut [f64],
}

impl<'a> Halves<'a> {
    const SCRATCH: usize = 8 * CHUNK;

    fn new(scratch: &mut &'a mut [f64]) -> Self {
        Halves {
            sums: take(scratch, Self::SCRATCH),
        }
    }

    /// Window `i`'s sum over half `half` (an index, as a float; -1, no
    /// half, reads half 0).
    #[inline(always)]
    fn of(&self, half: f64, i: usize) -> f64 {
        self.sums[(half.max(0.0) as usize).min(7) * CHUNK + i]
    }
}

/// The statistics of one band of sub-areas (rows `2a..2a+3`) at each
/// position of a chunk.
struct Band<'a> {
    /// The sub-area's mean.
    mu: &'a mut [f64],
    /// Its noise estimate `var / mu^2`, `+inf` where the sub-area has an
    /// invalid pixel.
    ratio: &'a mut [f64],
}

/// The work planes of a chunk.
struct Planes<'a> {
    /// The squares of the window rows' values.
    squares: &'a mut [f64],
    /// The middle band's column sums (values, squares), a band's column
    /// counts and its 3x3 counts.
    band: &'a mut [f64],
    bands: [Band<'a>; 3],
    values: Columns<'a>,
    moments: Columns<'a>,
    value_halves: Halves<'a>,
    moment_halves: Halves<'a>,
    /// Each window's choices: the number of noise estimates averaged,
    /// their sum, the number of entirely valid sub-areas, and its half.
    choices: Choices<'a>,
}

/// What [`Planes::choose`] settles for each window of a chunk.
struct Choices<'a> {
    /// The number `k` of the smallest noise estimates averaged: the five
    /// smallest, or those of every entirely valid sub-area where fewer are
    /// valid (at least 1).
    k: &'a mut [f64],
    /// Their sum, added from the smallest up.
    sum: &'a mut [f64],
    /// The number of entirely valid sub-areas.
    valid: &'a mut [f64],
    /// The half on the centre's side of the strongest edge: an index of
    /// [`Halves`], as a float.
    half: &'a mut [f64],
    /// The sums of the values and of their squares over that half.
    s1: &'a mut [f64],
    s2: &'a mut [f64],
}

impl RefinedLee {
    /// Work space (f64) of [`RefinedLee::blends`], besides the four planes
    /// of `n` that it reads and writes.
    fn work_len() -> usize {
        WINDOW * LINE
            + 4 * LINE
            + 3 * 2 * AREAS
            + 2 * Columns::SCRATCH
            + 2 * Halves::SCRATCH
            + 6 * CHUNK
    }

    /// The blends of the windows centred on padded row `y`, columns
    /// `0..n` (window positions `j..j + 7` of the padded rows): their means
    /// into `means` and gains into `gains`. `whole` holds each window's
    /// mean and variance (the first `n`, then the next `n`), used where a
    /// position of the window is invalid; `dense`: every position is valid.
    /// `work` holds [`RefinedLee::work_len`] elements. Where the Earth
    /// Engine rule (`c.earth_engine`) names no half, the mean is NaN: the
    /// pixel is left as it is.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn blends(
        rows: &WindowRows,
        y: isize,
        dense: bool,
        c: &Coefficients,
        whole: &[f64],
        means: &mut [f64],
        gains: &mut [f64],
        work: &mut [f64],
    ) {
        let n = means.len();
        let (whole_mean, whole_var) = whole.split_at(n);
        let mut rest = work;
        let mut planes = Planes {
            squares: take(&mut rest, WINDOW * LINE),
            band: take(&mut rest, 4 * LINE),
            bands: std::array::from_fn(|_| Band {
                mu: take(&mut rest, AREAS),
                ratio: take(&mut rest, AREAS),
            }),
            values: Columns::new(&mut rest),
            moments: Columns::new(&mut rest),
            value_halves: Halves::new(&mut rest),
            moment_halves: Halves::new(&mut rest),
            choices: Choices {
                k: take(&mut rest, CHUNK),
                sum: take(&mut rest, CHUNK),
                valid: take(&mut rest, CHUNK),
                half: take(&mut rest, CHUNK),
                s1: take(&mut rest, CHUNK),
                s2: take(&mut rest, CHUNK),
            },
        };
        let lines: [(&[f64], &[f64]); WINDOW] =
            std::array::from_fn(|r| rows.row(y + r as isize - 3));
        // The variances' divisors, as factors of the population variance.
        let scale = (
            c.variance.of(1.0, 1.0 / AREA),
            c.variance.of(1.0, 1.0 / HALF),
        );
        for start in (0..n).step_by(CHUNK) {
            let len = CHUNK.min(n - start);
            let chunk = start..start + len;
            planes.chunk(&lines, start, len, dense, scale.0);
            planes.blend(
                (&whole_mean[chunk.clone()], &whole_var[chunk.clone()]),
                &mut means[chunk.clone()],
                &mut gains[chunk],
                scale.1,
                c.earth_engine,
            );
        }
    }
}

impl Planes<'_> {
    /// The sub-areas' statistics and the halves' sums of the `len` windows
    /// from padded position `start` on.
    #[inline(always)]
    fn chunk(
        &mut self,
        lines: &[(&[f64], &[f64]); WINDOW],
        start: usize,
        len: usize,
        dense: bool,
        scale: f64,
    ) {
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
        self.values.fill(&values, wide);
        self.moments.fill(&squares, wide);
        self.values.halves(&mut self.value_halves, len);
        self.moments.halves(&mut self.moment_halves, len);
        let areas = len + 4;
        for (a, band) in self.bands.iter_mut().enumerate() {
            // Column sums of the band's three rows (the outer bands': the
            // columns' first three rows from the top and from the bottom),
            // then their 3x3 sums.
            let (middle_sums, rest) = self.band.split_at_mut(LINE);
            let (middle_moments, rest) = rest.split_at_mut(LINE);
            let (counts, area_counts) = rest.split_at_mut(LINE);
            let (sums, moments): (&[f64], &[f64]) = match a {
                0 => (&*self.values.down[2], &*self.moments.down[2]),
                2 => (&*self.values.up[2], &*self.moments.up[2]),
                _ => {
                    sum_shifted(
                        [(values[2], 0), (values[3], 0), (values[4], 0)],
                        &mut middle_sums[..wide],
                    );
                    sum_shifted(
                        [(squares[2], 0), (squares[3], 0), (squares[4], 0)],
                        &mut middle_moments[..wide],
                    );
                    (&*middle_sums, &*middle_moments)
                }
            };
            sum_shifted([(sums, 0), (sums, 1), (sums, 2)], &mut band.mu[..areas]);
            sum_shifted(
                [(moments, 0), (moments, 1), (moments, 2)],
                &mut band.ratio[..areas],
            );
            if !dense {
                let valid: [&[f64]; 3] =
                    std::array::from_fn(|t| &lines[2 * a + t].1[start..start + wide]);
                sum_shifted(
                    [(valid[0], 0), (valid[1], 0), (valid[2], 0)],
                    &mut counts[..wide],
                );
                sum_shifted(
                    [(&*counts, 0), (&*counts, 1), (&*counts, 2)],
                    &mut area_counts[..areas],
                );
            }
            let counts = &area_counts[..areas];
            for ((mu, ratio), count) in band.mu[..areas]
                .iter_mut()
                .zip(band.ratio.iter_mut())
                .zip(counts)
            {
                // Divided, not multiplied by 1/9: the means are the
                // correctly rounded means of exact sums, so that equal
                // gradients tie as they do in the definition.
                let m = *mu / AREA;
                let var = ((*ratio * (1.0 / AREA) - m * m) * scale).max(0.0);
                let r = if m > 0.0 { var / (m * m) } else { 0.0 };
                let full = dense || *count == AREA;
                *mu = m;
                *ratio = if full { r } else { f64::INFINITY };
            }
        }
    }

    /// The blends of the chunk's windows (after [`Planes::chunk`]): means
    /// and gains, from `whole`'s means and variances where a window has an
    /// invalid position; `scale` is the halves' variance divisor;
    /// `earth_engine`: the Earth Engine script's half and unclamped gain.
    #[inline(always)]
    fn blend(
        &mut self,
        whole: (&[f64], &[f64]),
        means: &mut [f64],
        gains: &mut [f64],
        scale: f64,
        earth_engine: bool,
    ) {
        let len = means.len();
        self.choose(len, earth_engine);
        // The gain's lower bound: 0, or none (the script's).
        let floor = if earth_engine { f64::NEG_INFINITY } else { 0.0 };
        let c = &self.choices;
        let (k, sum, valid) = (&c.k[..len], &c.sum[..len], &c.valid[..len]);
        let (s1, s2, half) = (&c.s1[..len], &c.s2[..len], &c.half[..len]);
        let (whole_mean, whole_var) = (&whole.0[..len], &whole.1[..len]);
        let gains = &mut gains[..len];
        for i in 0..len {
            let half_mean = s1[i] * (1.0 / HALF);
            let half_var = (s2[i] * (1.0 / HALF) - half_mean * half_mean) * scale;
            let every = valid[i] == 9.0;
            // No half (the Earth Engine rule's ties): NaN, the pixel as is.
            let half_mean = if half[i] < 0.0 { f64::NAN } else { half_mean };
            let m = if every { half_mean } else { whole_mean[i] };
            let var = if every { half_var } else { whole_var[i] }.max(0.0);
            // b = max(0, var - m^2 sigma_v^2) / (var (1 + sigma_v^2)), with
            // sigma_v^2 = sum / k multiplied through by k.
            let b = (k[i] * var - m * m * sum[i]).max(floor) / (var * (k[i] + sum[i]));
            means[i] = m;
            gains[i] = if var > 0.0 { b } else { 0.0 };
        }
    }

    /// Each window's [`Choices`], for the `len` windows of the chunk; the
    /// half by [`earth_engine_half`] if `earth_engine`, else by
    /// [`edge_half`]. Each step is its own pass over the chunk's windows,
    /// with the same operations for each: the compiler vectorises these
    /// loops (not one loop that does it all).
    #[inline(always)]
    fn choose(&mut self, len: usize, earth_engine: bool) {
        let Planes {
            bands: [b0, b1, b2],
            value_halves,
            moment_halves,
            choices: c,
            ..
        } = self;
        // Sub-area `3a + b` of window `i` is at position `i + 2b` of band
        // `a`: each plane is read as three, shifted by 0, 2 and 4.
        let mu = sub_areas(b0, b1, b2, |b| &b.mu, len);
        let ratio = sub_areas(b0, b1, b2, |b| &b.ratio, len);
        let (k, sum, valid) = (&mut c.k[..len], &mut c.sum[..len], &mut c.valid[..len]);
        for i in 0..len {
            (k[i], sum[i], valid[i]) = five_smallest(at(&ratio, i));
        }
        let half = &mut c.half[..len];
        if earth_engine {
            for (i, h) in half.iter_mut().enumerate() {
                *h = earth_engine_half(at(&mu, i));
            }
        } else {
            for (i, h) in half.iter_mut().enumerate() {
                *h = edge_half(at(&mu, i));
            }
        }
        // The chosen half's sums.
        for (i, h) in half.iter().enumerate() {
            c.s1[i] = value_halves.of(*h, i);
            c.s2[i] = moment_halves.of(*h, i);
        }
    }
}

/// One plane of the nine sub-areas of the chunk's `len` windows, each
/// exactly `len` long (so that indexing them needs no check), from the
/// bands' planes `plane(band)`.
#[inline(always)]
fn sub_areas<'a>(
    b0: &'a Band,
    b1: &'a Band,
    b2: &'a Band,
    plane: impl Fn(&'a Band) -> &'a &'a mut [f64],
    len: usize,
) -> [&'a [f64]; 9] {
    let (p0, p1, p2): (&[f64], &[f64], &[f64]) = (plane(b0), plane(b1), plane(b2));
    [
        &p0[..len],
        &p0[2..2 + len],
        &p0[4..4 + len],
        &p1[..len],
        &p1[2..2 + len],
        &p1[4..4 + len],
        &p2[..len],
        &p2[2..2 + len],
        &p2[4..4 + len],
    ]
}

/// Window `i`'s values of the nine sub-area planes.
#[inline(always)]
fn at(planes: &[&[f64]; 9], i: usize) -> [f64; 9] {
    let [p0, p1, p2, p3, p4, p5, p6, p7, p8] = planes;
    [
        p0[i], p1[i], p2[i], p3[i], p4[i], p5[i], p6[i], p7[i], p8[i],
    ]
}

/// `(k, s, v)`: the number `k` of the smallest noise estimates averaged
/// (the five smallest, or those of every entirely valid sub-area where
/// fewer are valid, at least 1), their sum `s`, added from the smallest
/// up, and the number `v` of entirely valid sub-areas (finite estimates).
#[inline(always)]
fn five_smallest(ratios: [f64; 9]) -> (f64, f64, f64) {
    // Kept sorted by insertion, with selects.
    let mut smallest = [f64::INFINITY; 5];
    let mut valid: f64 = 0.0;
    for mut v in ratios {
        valid += if v < f64::INFINITY { 1.0 } else { 0.0 };
        for s in smallest.iter_mut() {
            let lower = *s < v;
            let (lo, hi) = if lower { (*s, v) } else { (v, *s) };
            *s = lo;
            v = hi;
        }
    }
    let k = valid.min(5.0);
    let mut sum = 0.0;
    for (t, s) in smallest.iter().enumerate() {
        sum += if (t as f64) < k { *s } else { 0.0 };
    }
    (k.max(1.0), sum, valid)
}

/// The half of a window on the centre's side of its strongest edge (an
/// index of [`Halves`], as a float), from its sub-areas' means.
#[inline(always)]
fn edge_half(mu: [f64; 9]) -> f64 {
    // Each gradient's half (towards the sub-area closer to the centre's),
    // then the first of equal maxima: two selects per gradient, rather
    // than branches, which the data would mispredict.
    let centre = mu[CENTRE];
    let (mut half, mut strongest) = (0.0, f64::NEG_INFINITY);
    for (g, [p, q]) in GRADIENTS.into_iter().enumerate() {
        let (p, q) = (mu[p], mu[q]);
        let v = (p - q).abs();
        let towards_first = (p - centre).abs() < (centre - q).abs();
        let own = 2.0 * g as f64 + if towards_first { 0.0 } else { 1.0 };
        let stronger = g == 0 || v > strongest;
        half = if stronger { own } else { half };
        strongest = if stronger { v } else { strongest };
    }
    half
}

/// The half of a window that the Earth Engine script's Refined Lee
/// chooses (`docs/filters.md`, "compat=gee"), from its sub-areas' means:
/// each gradient equal to the largest adds its direction code, `g + 1`
/// where `s_p - s_centre > s_centre - s_q`, else `g + 5`; a sum of 1 to 8
/// names a half ([`EARTH_ENGINE_HALVES`]), any other (ties) none: -1.
#[inline(always)]
fn earth_engine_half(mu: [f64; 9]) -> f64 {
    let (mut gradients, mut largest) = ([0.0; 4], f64::NEG_INFINITY);
    for (gradient, [p, q]) in gradients.iter_mut().zip(EARTH_ENGINE_GRADIENTS) {
        *gradient = (mu[p] - mu[q]).abs();
        largest = largest.max(*gradient);
    }
    let centre = mu[CENTRE];
    let mut code = 0.0;
    for (g, [p, q]) in EARTH_ENGINE_GRADIENTS.into_iter().enumerate() {
        let first = mu[p] - centre > centre - mu[q];
        let direction = (if first { g + 1 } else { g + 5 }) as f64;
        code += if gradients[g] == largest {
            direction
        } else {
            0.0
        };
    }
    let mut half = -1.0;
    for (c, h) in EARTH_ENGINE_HALVES.into_iter().enumerate() {
        half = if code == (c + 1) as f64 { h } else { half };
    }
    half
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

    /// The mask of a half of [`HALVES`], as a 7x7 table.
    fn mask(half: &[(usize, usize); WINDOW]) -> [[bool; WINDOW]; WINDOW] {
        std::array::from_fn(|r| std::array::from_fn(|c| half[r].0 <= c && c < half[r].1))
    }

    #[test]
    fn earth_engine_codes_select_its_rotated_kernels() {
        // The script's kernels, written as it writes them (rows from the
        // top): rect_kernel weights rows 3-6, diag_kernel row r columns
        // 0..=r; ee.Kernel.rotate(i) turns them i quarter turns clockwise.
        let rect: [[bool; WINDOW]; WINDOW] = std::array::from_fn(|r| [r >= 3; WINDOW]);
        let diag: [[bool; WINDOW]; WINDOW] =
            std::array::from_fn(|r| std::array::from_fn(|c| c <= r));
        let clockwise = |k: [[bool; WINDOW]; WINDOW]| -> [[bool; WINDOW]; WINDOW] {
            std::array::from_fn(|r| std::array::from_fn(|c| k[WINDOW - 1 - c][r]))
        };
        let mut kernels = vec![rect, diag];
        for _ in 1..4 {
            let (r, d) = (kernels[kernels.len() - 2], kernels[kernels.len() - 1]);
            kernels.extend([clockwise(r), clockwise(d)]);
        }
        for (code, kernel) in kernels.iter().enumerate() {
            let half = EARTH_ENGINE_HALVES[code] as usize;
            assert_eq!(mask(&HALVES[half]), *kernel, "direction code {}", code + 1);
        }
    }

    #[test]
    fn earth_engine_directions_are_signed_and_ties_add_up() {
        // Sub-area means row by row; the centre is 1. A bright top (the
        // vertical gradient 9 the largest; s1 - s4 = 9 > s4 - s7 = 0): code
        // 1, the bottom half, as SNAP's rule.
        let top = [6.0, 10.0, 6.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        assert_eq!(earth_engine_half(top), 5.0);
        assert_eq!(edge_half(top), 5.0);
        // A bright left: code 3, the left half, where SNAP's rule takes the
        // right one (the centre's side).
        let left = [6.0, 1.0, 1.0, 10.0, 1.0, 1.0, 6.0, 1.0, 1.0];
        assert_eq!(earth_engine_half(left), 0.0);
        assert_eq!(edge_half(left), 1.0);
        // A flat window: all four gradients tie, codes 5 + 6 + 7 + 8 = 26
        // name no half.
        assert_eq!(earth_engine_half([2.0; 9]), -1.0);
        // Two gradients tie (vertical and horizontal, both 9; the diagonal
        // 4): codes 1 + 3 = 4, the upper left triangle.
        let corner = [5.0, 10.0, 10.0, 10.0, 1.0, 1.0, 10.0, 1.0, 1.0];
        assert_eq!(earth_engine_half(corner), 6.0);
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
        let mut scratch = vec![0.0; Columns::SCRATCH + Halves::SCRATCH];
        let mut rest = &mut scratch[..];
        let mut columns = Columns::new(&mut rest);
        let mut halves = Halves::new(&mut rest);
        columns.fill(&x, wide);
        columns.halves(&mut halves, len);
        for (h, half) in HALVES.iter().enumerate() {
            for i in 0..len {
                let want: f64 = half
                    .iter()
                    .enumerate()
                    .map(|(r, &(lo, hi))| rows[r][i + lo..i + hi].iter().sum::<f64>())
                    .sum();
                assert_eq!(halves.sums[h * CHUNK + i], want, "half {h}, window {i}");
            }
        }
    }
}
