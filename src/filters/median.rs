//! Median: the median of the valid pixels of the `w x w` window
//! (`docs/median-idan-notes.md`; SNAP's `Median.java`).
//!
//! For `N` valid pixels sorted `v_0 <= ... <= v_(N-1)`, the median is
//! `v_(N/2)` when `N` is odd; when `N` is even it is the mean of the two
//! middle values `(v_(N/2-1) + v_(N/2)) / 2` (numpy's `median`), or the
//! upper one `v_(N/2)` with SNAP's rule (`Median.java`, `getMedianValue`:
//! `tmp[numSamples / 2]`), which `compat=snap` selects. No valid pixel: NaN
//! (the caller keeps the pixel).
//!
//! The window's columns are sorted once per output row by a sorting
//! network applied to whole padded rows (Batcher's merge exchange, the
//! same comparators for every column, so the loops run along the row and
//! vectorise), and shared by the `w` windows that contain each column.
//! Where every pixel of a window is valid, the median is then picked by a
//! second, pruned network across the `w` sorted columns of the window
//! (Adams 2021, "Fast median filters using separable sorting networks"):
//! sort each rank's row across the columns; in a matrix whose rows and
//! columns are sorted, the element at rank `i` of its column and `k` of its
//! row has at least `(i + 1)(k + 1)` elements `<=` it and `(w - i)(w - k)`
//! `>=` it, so only those with both counts at most `(w^2 + 1) / 2` can be
//! the median; as many of the others lie below as above it (the set is
//! symmetric), so the median of the window is the median of these
//! candidates, found by a sorting network on them. Comparators whose
//! outputs the median does not read are pruned (Adams's "forgetful"
//! networks), those of which one output is read keep one `min` or `max`.
//! The network runs on chunks of [`CHUNK`] windows at a time, again along
//! the row. Windows with an invalid pixel (nodata, `shrink` borders, SNAP's
//! clipped edges) take the general path: the valid prefixes of their sorted
//! columns (invalid pixels sort last, as `+inf`) are gathered and the middle
//! ranks selected.
//!
//! The values are the window rows' float32 pixels widened to f64
//! (`band::load_padded`), and a median is one of them (or the mean of two,
//! taken in float64 and rounded once), whatever the order of the
//! comparisons: the result does not depend on chunks, tiles, threads or
//! instruction sets.

use std::cell::RefCell;
use std::ops::Range;

use super::{RowKernel, SpeckleFilter};
use crate::band::{BandIo, Plan, Weighting};
use crate::params::{Compat, Params};
use crate::window_rows::{output, WindowRows};

impl SpeckleFilter for Median {
    const NAME: &'static str = "median";
    const SOURCE: &'static str = "the window median";
    const PARAMETERS: &'static [&'static str] = &["window"];
    /// It reads no window statistic.
    const READS_WINDOW_STATISTICS_WHERE_VALID: bool = false;

    /// The window's radius whatever `statistic` says.
    fn context_radius(p: &Params) -> usize {
        p.radius()
    }

    fn row_scratch(p: &Params, n: usize) -> Option<usize> {
        Some(Median::scratch_for(p.window, n))
    }
}

impl RowKernel for Median {
    #[inline(always)]
    fn write_row(
        io: &mut impl BandIo,
        plan: &Plan,
        y: usize,
        tile: &Range<usize>,
        dense: bool,
        weighting: &mut Weighting,
        _stats: impl Fn(usize) -> (f64, f64),
    ) {
        weighting.load_through(io, plan, y, dense);
        let Weighting { rows, work, .. } = weighting;
        let upper = plan.params.compat == Compat::Snap;
        let medians = Median::with(plan.params.window, upper, |median| {
            median.medians(rows, y as isize, tile.len(), dense, work)
        });
        io.write_row(
            y,
            tile.clone(),
            #[inline(always)]
            |j, x| output(x, dense || plan.params.is_valid(x), medians[j]),
        );
    }
}

thread_local! {
    /// The last median network this thread built: a call builds it once
    /// per thread, not once per row.
    static NETWORK: RefCell<Option<Median>> = const { RefCell::new(None) };
}

/// Windows per chunk of the network path: its wires (`w^2` rows of
/// `CHUNK`) stay in the L1 or L2 cache.
const CHUNK: usize = 64;

/// Windows above this side take the general path only: the network's wires
/// (`w^2 CHUNK` values) and its program grow with `w^2`, and a window of
/// more than 225 pixels is selected about as fast as it is gathered.
const NETWORK_MAX_WINDOW: usize = 15;

/// One comparator of the pruned network over the wires of a chunk: `a <
/// b`; afterwards wire `a` holds the smaller value (when `min`) and wire
/// `b` the larger (when `max`).
#[derive(Clone, Copy, Debug)]
struct Op {
    a: usize,
    b: usize,
    min: bool,
    max: bool,
}

/// The median of a row of windows of side `w`, with the even-count rule.
#[derive(Clone, Debug)]
pub struct Median {
    w: usize,
    /// SNAP's rule for an even count: the upper middle value.
    upper: bool,
    /// The pruned network of the dense path (empty above
    /// [`NETWORK_MAX_WINDOW`]).
    program: Vec<Op>,
    /// The wires the program reads: `(rank i, column k)` of the window's
    /// sorted columns, wire `i w + k`.
    inputs: Vec<usize>,
    /// The wire that holds the median at the end.
    output: usize,
}

impl Median {
    /// The median of windows of side `window` (odd, at least 3); `upper`:
    /// SNAP's even-count rule (`compat=snap`), else the mean of the two
    /// middle values.
    pub fn new(window: usize, upper: bool) -> Self {
        // Counts are f64: exact up to 2^24 pixels.
        assert!(
            window >= 3 && window % 2 == 1 && window < 4096,
            "window {window}"
        );
        let w = window;
        if w > NETWORK_MAX_WINDOW {
            return Median {
                w,
                upper,
                program: Vec::new(),
                inputs: Vec::new(),
                output: 0,
            };
        }
        let mut ops = Vec::new();
        // Sort every rank's row across the window's columns.
        for i in 0..w {
            merge_exchange(w, |p, q| ops.push((i * w + p, i * w + q)));
        }
        // The candidates, and a sorting network on them.
        let half = (w * w).div_ceil(2);
        let candidates: Vec<usize> = (0..w * w)
            .filter(|&c| {
                let (i, k) = (c / w, c % w);
                (i + 1) * (k + 1) <= half && (w - i) * (w - k) <= half
            })
            .collect();
        merge_exchange(candidates.len(), |p, q| {
            ops.push((candidates[p], candidates[q]))
        });
        let output = candidates[candidates.len() / 2];
        // Forgetful pruning, from the output back.
        let mut needed = vec![false; w * w];
        needed[output] = true;
        let mut program = Vec::new();
        for &(a, b) in ops.iter().rev() {
            let (min, max) = (needed[a], needed[b]);
            if min || max {
                program.push(Op { a, b, min, max });
                needed[a] = true;
                needed[b] = true;
            }
        }
        program.reverse();
        let inputs = (0..w * w).filter(|&c| needed[c]).collect();
        Median {
            w,
            upper,
            program,
            inputs,
            output,
        }
    }

    /// Runs `f` with the median of windows of side `window` and even-count
    /// rule `upper`, built once per thread.
    fn with<R>(window: usize, upper: bool, f: impl FnOnce(&Median) -> R) -> R {
        NETWORK.with_borrow_mut(|cached| {
            let fits = |m: &Median| m.w == window && m.upper == upper;
            if !cached.as_ref().is_some_and(fits) {
                *cached = Some(Median::new(window, upper));
            }
            f(cached.as_ref().expect("built above"))
        })
    }

    /// Scratch (f64) for a row of `n` output pixels with windows of side
    /// `window`: the sorted columns
    /// (`w (n + w - 1)`), the columns' and windows' counts (`2 n + w - 1`),
    /// the network's wires (`w^2 CHUNK`, none above [`NETWORK_MAX_WINDOW`])
    /// and the general path's `w^2` values.
    fn scratch_for(window: usize, n: usize) -> usize {
        let line = n + window - 1;
        let wires = if window > NETWORK_MAX_WINDOW {
            0
        } else {
            window * window * CHUNK
        };
        n + window * line + line + n + wires + window * window
    }

    /// The medians of the valid pixels of the windows centred on padded
    /// row `y`, columns `0..n` (window positions `j..j + w` of the padded
    /// rows `y - w/2..=y + w/2`, which `rows` must hold): `v_(N/2)` of the
    /// `N` valid values sorted when `N` is odd or the rule is SNAP's (upper),
    /// else `(v_(N/2-1) + v_(N/2)) / 2`; NaN when `N = 0`. `dense`: every
    /// position counts (the count planes are not read). The values of
    /// `rows` must be float32 values (the engine's are). The result is in
    /// the first `n` elements of the returned slice, exact (a pick, or one
    /// rounding of the mean of two values).
    pub fn medians<'s>(
        &self,
        rows: &WindowRows,
        y: isize,
        n: usize,
        dense: bool,
        scratch: &'s mut [f64],
    ) -> &'s [f64] {
        let w = self.w;
        assert_eq!(rows.window(), w, "window rows of another side");
        let line = n + w - 1;
        let r = (w / 2) as isize;
        let (out, rest) = scratch.split_at_mut(n);
        let (planes, rest) = rest.split_at_mut(w * line);
        let (column_counts, rest) = rest.split_at_mut(line);
        let (window_counts, rest) = rest.split_at_mut(n);
        let wires_len = if self.program.is_empty() {
            0
        } else {
            w * w * CHUNK
        };
        let (wires, rest) = rest.split_at_mut(wires_len);
        let gathered = &mut rest[..w * w];

        // The window's rows, invalid positions as +inf (they sort last; no
        // valid pixel is infinite), and the columns' counts.
        column_counts.fill(0.0);
        for (i, plane) in planes.chunks_exact_mut(line).enumerate() {
            let (values, counts) = rows.row(y - r + i as isize);
            if dense {
                for (p, v) in plane.iter_mut().zip(&values[..line]) {
                    *p = *v;
                }
            } else {
                for (((p, v), c), s) in plane
                    .iter_mut()
                    .zip(&values[..line])
                    .zip(&counts[..line])
                    .zip(column_counts.iter_mut())
                {
                    *p = if *c != 0.0 { *v } else { f64::INFINITY };
                    *s += *c;
                }
            }
        }
        // Sort every column.
        merge_exchange(w, |a, b| {
            let (low, high) = planes.split_at_mut(b * line);
            compare_exchange(&mut low[a * line..(a + 1) * line], &mut high[..line]);
        });
        // The windows' counts (small integers: exact sums).
        let full = (w * w) as f64;
        if dense {
            window_counts.fill(full);
        } else {
            let mut sum: f64 = column_counts[..w - 1].iter().sum();
            for (j, c) in window_counts.iter_mut().enumerate() {
                sum += column_counts[j + w - 1];
                *c = sum;
                sum -= column_counts[j];
            }
        }

        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            let counts = &window_counts[start..end];
            if !self.program.is_empty() && counts.contains(&full) {
                self.network(planes, line, start, wires, &mut out[start..end]);
            }
            for (j, &count) in (start..end).zip(counts) {
                if count != full || self.program.is_empty() {
                    out[j] = self.general(planes, line, j, column_counts, dense, gathered);
                }
            }
        }
        out
    }

    /// The network path for the windows `start..start + out.len()`: the
    /// median of each, meaningful where all `w^2` pixels are valid.
    #[inline(always)]
    fn network(
        &self,
        planes: &[f64],
        line: usize,
        start: usize,
        wires: &mut [f64],
        out: &mut [f64],
    ) {
        let (w, len) = (self.w, out.len());
        for &c in &self.inputs {
            let (i, k) = (c / w, c % w);
            let from = i * line + start + k;
            wires[c * CHUNK..c * CHUNK + len].copy_from_slice(&planes[from..from + len]);
        }
        // Whole chunks (a fixed trip count: the loops vectorise); the
        // wires' tails past `len` hold stale values, never read.
        for op in &self.program {
            let (low, high) = wires.split_at_mut(op.b * CHUNK);
            let a: &mut [f64; CHUNK] = (&mut low[op.a * CHUNK..(op.a + 1) * CHUNK])
                .try_into()
                .expect("a chunk");
            let b: &mut [f64; CHUNK] = (&mut high[..CHUNK]).try_into().expect("a chunk");
            match (op.min, op.max) {
                (true, true) => compare_exchange(a, b),
                (true, false) => {
                    for (a, b) in a.iter_mut().zip(b.iter()) {
                        *a = a.min(*b);
                    }
                }
                _ => {
                    for (a, b) in a.iter().zip(b.iter_mut()) {
                        *b = b.max(*a);
                    }
                }
            }
        }
        out.copy_from_slice(&wires[self.output * CHUNK..self.output * CHUNK + len]);
    }

    /// The general path for window `j`: the valid prefixes of its sorted
    /// columns gathered, then the middle ranks selected.
    fn general(
        &self,
        planes: &[f64],
        line: usize,
        j: usize,
        column_counts: &[f64],
        dense: bool,
        gathered: &mut [f64],
    ) -> f64 {
        let w = self.w;
        let mut len = 0;
        for k in 0..w {
            let valid = if dense {
                w
            } else {
                column_counts[j + k] as usize
            };
            for i in 0..valid {
                gathered[len] = planes[i * line + j + k];
                len += 1;
            }
        }
        if len == 0 {
            return f64::NAN;
        }
        let values = &mut gathered[..len];
        let (below, &mut high, _) = values.select_nth_unstable_by(len / 2, f64::total_cmp);
        if len % 2 == 1 || self.upper {
            high
        } else {
            let low = below.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            // In float64 (exact), rounded once.
            (low + high) * 0.5
        }
    }
}

/// `(a, b) = (min(a, b), max(a, b))` element by element (no NaN here;
/// `f64::min` and `max` compile without branches, a `select` may not).
#[inline(always)]
fn compare_exchange(a: &mut [f64], b: &mut [f64]) {
    for (a, b) in a.iter_mut().zip(b.iter_mut()) {
        let (x, y) = (*a, *b);
        *a = x.min(y);
        *b = x.max(y);
    }
}

/// The comparators `(i, j)`, `i < j`, of Batcher's merge-exchange sorting
/// network on `n` elements (Knuth, TAOCP vol. 3, 5.2.2, Algorithm M), in
/// order: applying `min` to `i` and `max` to `j` for each sorts ascending.
fn merge_exchange(n: usize, mut comparator: impl FnMut(usize, usize)) {
    if n < 2 {
        return;
    }
    let t = usize::BITS - (n - 1).leading_zeros();
    let mut p = 1usize << (t - 1);
    while p > 0 {
        let (mut q, mut r, mut d) = (1usize << (t - 1), 0, p);
        loop {
            for i in 0..n - d {
                if i & p == r {
                    comparator(i, i + d);
                }
            }
            if q == p {
                break;
            }
            d = q - p;
            q >>= 1;
            r = p;
        }
        p >>= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carve::Carve;

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn merge_exchange_sorts_every_zero_one_input() {
        for n in 0..=12usize {
            let mut comparators = Vec::new();
            merge_exchange(n, |a, b| comparators.push((a, b)));
            for bits in 0u32..(1 << n) {
                let mut v: Vec<u32> = (0..n).map(|i| (bits >> i) & 1).collect();
                for &(a, b) in &comparators {
                    assert!(a < b);
                    if v[a] > v[b] {
                        v.swap(a, b);
                    }
                }
                assert!(v.windows(2).all(|p| p[0] <= p[1]), "n = {n}: {v:?}");
            }
        }
    }

    /// The definition, in float64: the valid values of the window sorted,
    /// the middle one, or the two middle ones' mean (or the upper one).
    fn reference(window: &[Option<f64>], upper: bool) -> f64 {
        let mut v: Vec<f64> = window.iter().flatten().copied().collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        match n {
            0 => f64::NAN,
            _ if n % 2 == 1 || upper => v[n / 2],
            _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }

    /// A `height x width` raster (None: invalid), filtered row by row
    /// through `WindowRows` with positions outside the raster invalid
    /// (shrink, SNAP's clipped windows) or reflected, against the
    /// reference on the same padded positions.
    fn check(raster: &[Vec<Option<f64>>], w: usize, reflect: bool, dense: bool) {
        let (height, width) = (raster.len(), raster[0].len());
        let r = (w / 2) as isize;
        let at = |p: isize, q: isize| -> Option<f64> {
            let map = |v: isize, len: usize| {
                let len = len as isize;
                if (0..len).contains(&v) {
                    Some(v as usize)
                } else if reflect {
                    let v = if v < 0 { -v } else { 2 * (len - 1) - v };
                    Some(v.clamp(0, len - 1) as usize)
                } else {
                    None
                }
            };
            raster[map(p, height)?][map(q, width)?]
        };
        for upper in [false, true] {
            let median = Median::new(w, upper);
            let n = width;
            let line = n + w - 1;
            let mut buf = vec![0.0; 2 * w * line];
            let mut carve = Carve::new(&mut buf);
            let mut rows = WindowRows::new(w, n, 0, &mut carve);
            let mut scratch = vec![0.0; Median::scratch_for(median.w, n)];
            for y in 0..height as isize {
                rows.advance_to(y + r, |p, values, counts| {
                    for i in 0..line {
                        let v = at(p, i as isize - r);
                        values[i] = v.unwrap_or(0.0);
                        counts[i] = f64::from(u8::from(v.is_some()));
                    }
                });
                let got = median.medians(&rows, y, n, dense, &mut scratch);
                for x in 0..n as isize {
                    let window: Vec<Option<f64>> = (-r..=r)
                        .flat_map(|dy| (-r..=r).map(move |dx| (dy, dx)))
                        .map(|(dy, dx)| at(y + dy, x + dx))
                        .collect();
                    let want = reference(&window, upper) as f32;
                    let g = got[x as usize];
                    assert!(
                        (g as f32).to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
                        "w {w} upper {upper} reflect {reflect} ({y}, {x}): {g} != {want}"
                    );
                }
            }
        }
    }

    fn raster(
        rng: &mut Rng,
        h: usize,
        w: usize,
        invalid: f64,
        levels: u64,
    ) -> Vec<Vec<Option<f64>>> {
        (0..h)
            .map(|_| {
                (0..w)
                    .map(|_| {
                        let v = if levels > 0 {
                            (rng.next() % levels) as f64 * 0.25
                        } else {
                            (rng.unit() * 100.0) as f32 as f64
                        };
                        (rng.unit() >= invalid).then_some(v)
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn dense_windows_match_the_definition() {
        let mut rng = Rng(7);
        for w in [3, 5, 7, 9, 11, 15, 17] {
            for levels in [0, 3, 1000] {
                let img = raster(&mut rng, 9, 37 + w, 0.0, levels);
                check(&img, w, true, true);
                check(&img, w, true, false);
            }
        }
    }

    #[test]
    fn nodata_shrink_edges_and_even_counts_match_the_definition() {
        let mut rng = Rng(11);
        for w in [3, 5, 7, 9, 17] {
            for invalid in [0.0, 0.05, 0.4, 0.9] {
                for levels in [0, 4] {
                    let img = raster(&mut rng, 2 * w + 3, 3 * w + 5, invalid, levels);
                    check(&img, w, false, false);
                    check(&img, w, true, false);
                }
            }
        }
    }

    #[test]
    fn all_invalid_windows_give_nan_and_keep_the_pixel() {
        let img = vec![vec![None; 20]; 12];
        check(&img, 7, false, false);
        assert_eq!(output(3.5, false, f64::NAN), 3.5);
        assert_eq!(output(3.5, true, f64::NAN), 3.5);
        assert_eq!(output(3.5, true, 2.0), 2.0);
        assert_eq!(output(3.5, false, 2.0), 3.5);
    }

    #[test]
    fn even_counts_take_the_mean_or_snaps_upper_value() {
        // A 3x3 window with two valid pixels, 1 and 4: numpy 2.5, SNAP 4.
        let mut img = vec![vec![None; 3]; 3];
        img[0][0] = Some(1.0);
        img[2][2] = Some(4.0);
        for upper in [false, true] {
            let m = Median::new(3, upper);
            let mut buf = vec![0.0; 2 * 3 * 5];
            let mut carve = Carve::new(&mut buf);
            let mut rows = WindowRows::new(3, 3, 1, &mut carve);
            rows.advance_to(2, |p, values, counts| {
                for i in 0..5 {
                    let v = (1..=3)
                        .contains(&i)
                        .then(|| img[p as usize][i - 1])
                        .flatten();
                    values[i] = v.unwrap_or(0.0);
                    counts[i] = f64::from(u8::from(v.is_some()));
                }
            });
            let mut scratch = vec![0.0; Median::scratch_for(m.w, 3)];
            let got = m.medians(&rows, 1, 3, false, &mut scratch);
            assert_eq!(got[1], if upper { 4.0 } else { 2.5 });
        }
    }
}
