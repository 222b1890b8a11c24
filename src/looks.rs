//! The equivalent number of looks of a raster, estimated from its most
//! homogeneous areas (`docs/filters.md`, "Estimating the looks"), the same
//! whether the raster is in memory or read in pieces.
//!
//! The raster is cut into blocks of [`BLOCK`] x [`BLOCK`] pixels from its
//! top left corner (the last partial row and column of blocks are left
//! out). A block counts when all its pixels are valid. Its pixels are split
//! like a chessboard into two halves of 128: the first half's squared
//! coefficient of variation `var / mean^2` (sample variance) ranks the
//! blocks, and the most homogeneous quarter of them is kept: every block
//! whose rank, rounded to float32, is at most the `ceil(n / 4)`-th smallest
//! of the `n` blocks. The second half of each kept block gives the
//! estimate, `looks = c1^2 / mean(var / mean^2)`, with `c1^2` the speckle's
//! squared coefficient of variation at one look (1 for intensity, `4/pi -
//! 1` for amplitude, the filters' own model). Ranking with one half and
//! measuring with the other keeps the choice of blocks from favouring those
//! whose speckle happens to vary less, which would overestimate the looks.
//! A block whose measuring half varies more than [`CONSISTENT`] times its
//! ranking half is left out before ranking: a bright target among the
//! measuring half's pixels, which the ranking half cannot see.
//!
//! The quarter's rank is found by a [`KeySearch`] (two counting passes),
//! and the measures are summed exactly, as float32 mantissas added up in
//! integers per exponent ([`Sums`]), so that the order in which pieces and
//! blocks are visited cannot change a bit of the result: a
//! [`LooksSearch`] over strips, tiles or chunks gives what
//! [`estimate_looks`] gives for the whole raster in memory.

use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;

use crate::key_search::{KeySearch, BINS};
use crate::{Error, Params, Signal};

/// Side of the blocks, in pixels.
pub const BLOCK: usize = 16;

/// The largest ratio of the measuring half's `var / mean^2` to the
/// ranking half's that a block may have.
const CONSISTENT: f64 = 2.5;

/// One block's two halves: `(n, sum, sum of squares)` in float64.
pub(crate) type Halves = [(f64, f64, f64); 2];

/// A measured block: its rank's key (the float32 bits of the ranking
/// half's `var / mean^2`, which order like the values, all `>= 0`) and its
/// measuring half's `var / mean^2` as float32.
pub(crate) type Measured = (u32, f32);

/// The squared coefficient of variation of one half: `var / mean^2` with
/// the sample variance, `None` where the mean is not positive.
pub(crate) fn cv2((n, s1, s2): (f64, f64, f64)) -> Option<f64> {
    let mean = s1 / n;
    let var = ((s2 - s1 * mean) / (n - 1.0)).max(0.0);
    (mean > 0.0).then(|| var / (mean * mean))
}

/// The two halves of the block whose top left pixel is `(y, x)`, `None`
/// if one of its pixels is invalid.
pub(crate) fn block(
    image: &ArrayView2<f32>,
    params: &Params,
    y: usize,
    x: usize,
) -> Option<Halves> {
    let mut halves = [(0.0, 0.0, 0.0); 2];
    for dy in 0..BLOCK {
        for dx in 0..BLOCK {
            let v = image[[y + dy, x + dx]];
            if !params.is_valid(v) {
                return None;
            }
            let v = f64::from(v);
            let h = &mut halves[(dy + dx) % 2];
            *h = (h.0 + 1.0, h.1 + v, h.2 + v * v);
        }
    }
    Some(halves)
}

/// The block at `(y, x)` measured, if it counts: valid, both halves with a
/// positive mean, and consistent.
pub(crate) fn measured(
    image: &ArrayView2<f32>,
    params: &Params,
    y: usize,
    x: usize,
) -> Option<Measured> {
    let [a, b] = block(image, params, y, x)?;
    let (rank, measure) = (cv2(a)?, cv2(b)?);
    (measure <= CONSISTENT * rank).then(|| ((rank as f32).to_bits(), measure as f32))
}

/// Every counting block that lies wholly in `piece`, whose top left pixel
/// is a block corner of the raster; any order.
fn measured_blocks(piece: ArrayView2<f32>, params: &Params) -> Result<Vec<Measured>, Error> {
    let bands: Vec<_> = piece
        .axis_chunks_iter(Axis(0), BLOCK)
        .filter(|band| band.nrows() == BLOCK)
        .collect();
    let job = || {
        bands
            .into_par_iter()
            .flat_map_iter(|band| {
                (0..band.ncols() / BLOCK)
                    .filter_map(move |b| measured(&band, params, 0, b * BLOCK))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    crate::filter::in_pool(params.threads, job)
}

/// Exact sums of float32 values, in a slice of [`Sums::LEN`] counts:
/// entry `e < 256` adds the mantissas (with the implicit bit) of the
/// values of biased exponent `e`, exactly (up to 2^40 values), and entry
/// [`Sums::COUNT`] counts them. Slices add up entry by entry, so values
/// summed in any pieces and order give the same table, and the same bits.
pub(crate) struct Sums;

impl Sums {
    pub(crate) const COUNT: usize = 256;
    pub(crate) const LEN: usize = Sums::COUNT + 1;

    /// Adds `value` (finite, `>= 0`).
    pub(crate) fn add(table: &mut [u64], value: f32) {
        let bits = value.to_bits();
        let exponent = (bits >> 23 & 0xff) as usize;
        let implicit = if exponent > 0 { 1 << 23 } else { 0 };
        table[exponent] += u64::from(bits & 0x7f_ffff | implicit);
        table[Sums::COUNT] += 1;
    }

    /// The mean of the values, `None` when there is none.
    pub(crate) fn mean(table: &[u64]) -> Option<f64> {
        let count = table[Sums::COUNT];
        // In a fixed order, so the same table gives the same bits.
        let sum: f64 = (0..Sums::COUNT)
            .map(|e| table[e] as f64 * 2f64.powi(e.max(1) as i32 - 150))
            .sum();
        (count > 0).then(|| sum / count as f64)
    }
}

/// `c1^2 / mean`: the looks whose speckle has the mean squared coefficient
/// of variation `mean` (infinite for 0).
pub(crate) fn looks_of(mean: f64, signal: Signal) -> f64 {
    let one_look = match signal {
        Signal::Intensity => 1.0,
        Signal::Amplitude => 4.0 / std::f64::consts::PI - 1.0,
    };
    one_look / mean
}

/// The looks from the summed measures of the kept blocks.
fn estimate(table: &[u64], signal: Signal) -> Result<f64, Error> {
    let looks = Sums::mean(table).map_or(f64::NAN, |mean| looks_of(mean, signal));
    if !(looks.is_finite() && looks > 0.0) {
        return Err(Error::LooksNotEstimable);
    }
    Ok(looks)
}

/// Checks that a piece of `(height, width)` pixels at `origin` (x, y) of a
/// `raster` (width, height) cuts no block: [`Error::InvalidRegion`] else.
pub(crate) fn check_piece(
    (height, width): (usize, usize),
    origin: (usize, usize),
    raster: (usize, usize),
) -> Result<(), Error> {
    let aligned = |start: usize, side: usize, whole: usize| {
        start.is_multiple_of(BLOCK)
            && start
                .checked_add(side)
                .is_some_and(|end| end <= whole && (side.is_multiple_of(BLOCK) || end == whole))
    };
    if aligned(origin.0, width, raster.0) && aligned(origin.1, height, raster.1) {
        Ok(())
    } else {
        Err(Error::InvalidRegion)
    }
}

/// The rank sought among `n` blocks: the most homogeneous quarter's last.
fn quarter(n: u64) -> u64 {
    n.div_ceil(4)
}

/// Where an estimate over a raster's pieces stands. Start with
/// [`LooksSearch::new`]; for each pass, [`LooksSearch::count`] every
/// piece of the raster into a zeroed table of [`BINS`] counts, then
/// [`LooksSearch::step`] with it, until `step` returns the looks (after
/// three passes: two find the quarter's rank, one sums the kept blocks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LooksSearch {
    /// The quarter's rank key, found after two passes.
    pub rank: KeySearch,
    /// The third pass has ended: the looks were returned.
    pub done: bool,
}

impl LooksSearch {
    /// A search at its first pass.
    pub fn new() -> Self {
        LooksSearch::default()
    }

    /// Adds the blocks of `piece` to `counts` for the current pass.
    /// `piece` is the part of a `raster` (width, height) whose top left
    /// pixel is `origin` (x, y): both multiples of [`BLOCK`], and its
    /// sides multiples of [`BLOCK`] except where it reaches the raster's
    /// right or bottom edge, so that no block is cut (else
    /// [`Error::InvalidRegion`]). Any order; every block once per pass.
    /// Parameters: `nodata` and `threads`.
    pub fn count(
        &self,
        piece: ArrayView2<f32>,
        origin: (usize, usize),
        raster: (usize, usize),
        params: &Params,
        counts: &mut [u64],
    ) -> Result<(), Error> {
        if self.done {
            return Err(Error::LooksNotEstimable);
        }
        if counts.len() != BINS {
            return Err(Error::BufferTooSmall);
        }
        check_piece(piece.dim(), origin, raster)?;
        let blocks = measured_blocks(piece, params)?;
        if self.rank.found() {
            for (key, measure) in blocks {
                if key <= self.rank.key {
                    Sums::add(counts, measure);
                }
            }
        } else {
            for (key, _) in blocks {
                if let Some(b) = self.rank.bin(key) {
                    counts[b] += 1;
                }
            }
        }
        Ok(())
    }

    /// Ends a pass with the whole raster's `counts`. Returns the looks
    /// when the search is done. `signal` says what the pixels are.
    pub fn step(&mut self, counts: &[u64], signal: Signal) -> Result<Option<f64>, Error> {
        if self.done {
            return Err(Error::LooksNotEstimable);
        }
        if self.rank.found() {
            if counts.len() != BINS {
                return Err(Error::BufferTooSmall);
            }
            let looks = estimate(counts, signal)?;
            self.done = true;
            return Ok(Some(looks));
        }
        self.rank.step(counts, quarter, Error::LooksNotEstimable)?;
        if self.rank.found() && self.rank.rank == 0 {
            // Not one block counted.
            return Err(Error::LooksNotEstimable);
        }
        Ok(None)
    }
}

/// The measured blocks of a whole raster and the key of the most
/// homogeneous quarter's last rank ([`Error::LooksNotEstimable`] when no
/// block counts).
fn quarter_of(image: ArrayView2<f32>, params: &Params) -> Result<(Vec<Measured>, u32), Error> {
    let mut blocks = measured_blocks(image, params)?;
    if blocks.is_empty() {
        return Err(Error::LooksNotEstimable);
    }
    let k = quarter(blocks.len() as u64) as usize;
    let (_, &mut (last, _), _) = blocks.select_nth_unstable_by_key(k - 1, |b| b.0);
    Ok((blocks, last))
}

impl LooksSearch {
    /// The search over a whole raster in memory after its first two
    /// passes: the homogeneous quarter found (for [`crate::quality_report`]).
    pub(crate) fn ranked(image: ArrayView2<f32>, params: &Params) -> Result<Self, Error> {
        let (_, last) = quarter_of(image, params)?;
        Ok(LooksSearch {
            rank: KeySearch {
                pass: 2,
                prefix: last >> 16,
                rank: 1,
                key: last,
            },
            done: false,
        })
    }
}

/// The equivalent number of looks of a whole raster held in memory (see
/// the module docs): bit for bit what a [`LooksSearch`] over its pieces
/// gives. Parameters: `signal` and `nodata`; all are validated. Fails with
/// [`Error::LooksNotEstimable`] where no block of valid pixels with a
/// positive mean exists, or where the kept blocks do not vary.
pub fn estimate_looks(image: ArrayView2<f32>, params: &Params) -> Result<f64, Error> {
    params.validate()?;
    if image.is_empty() {
        return Err(Error::EmptyImage);
    }
    let (blocks, last) = quarter_of(image, params)?;
    let mut table = [0u64; Sums::LEN];
    for &(key, measure) in &blocks {
        if key <= last {
            Sums::add(&mut table, measure);
        }
    }
    estimate(&table, params.signal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{s, Array2};

    #[test]
    fn flat_or_invalid_rasters_are_refused() {
        let p = Params::default();
        let flat = Array2::from_elem((64, 64), 3.0f32);
        assert_eq!(
            estimate_looks(flat.view(), &p),
            Err(Error::LooksNotEstimable)
        );
        let small = Array2::from_elem((15, 200), 3.0f32);
        assert_eq!(
            estimate_looks(small.view(), &p),
            Err(Error::LooksNotEstimable)
        );
        let nan = Array2::from_elem((32, 32), f32::NAN);
        assert_eq!(
            estimate_looks(nan.view(), &p),
            Err(Error::LooksNotEstimable)
        );
        let empty = Array2::<f32>::zeros((0, 4));
        assert_eq!(estimate_looks(empty.view(), &p), Err(Error::EmptyImage));
    }

    #[test]
    fn a_chessboard_block_is_measured_on_its_other_half() {
        // One block: the ranking half is 1, 3, 1, 3, ... and the measuring
        // half 2, 4, 2, 4, ...: mean 3, sample variance 128/127.
        let img = Array2::from_shape_fn((16, 16), |(y, x)| {
            let first = (y + x) % 2 == 0;
            let alternate = (y * 16 + x) / 2 % 2 == 1;
            match (first, alternate) {
                (true, false) => 1.0f32,
                (true, true) => 3.0,
                (false, false) => 2.0,
                (false, true) => 4.0,
            }
        });
        let looks = estimate_looks(img.view(), &Params::default()).unwrap();
        let want = 1.0 / f64::from((128.0f64 / 127.0 / 9.0) as f32);
        assert_eq!(looks, want);
    }

    /// A raster of blocks of known variation: pixel noise whose amplitude
    /// follows a hash of the block, so that the ranks differ and tie.
    fn blocks_of_known_variation(h: usize, w: usize) -> Array2<f32> {
        Array2::from_shape_fn((h, w), |(y, x)| {
            let b = (y / BLOCK * 31 + x / BLOCK * 17) % 7;
            let wiggle = ((y % BLOCK * 7 + x % BLOCK * 13) % 5) as f32 - 2.0;
            10.0 + wiggle * (1.0 + b as f32)
        })
    }

    #[test]
    fn pieces_in_any_order_give_the_in_memory_bits() {
        let img = blocks_of_known_variation(100, 75);
        let p = Params::default();
        let whole = estimate_looks(img.view(), &p).unwrap();
        // Strips and tiles aligned to the blocks, the last ones partial,
        // visited in a scrambled order.
        let pieces = [(48, 0, 52, 75), (0, 32, 48, 43), (0, 0, 48, 32)];
        let mut search = LooksSearch::new();
        let mut counts = vec![0u64; BINS];
        let found = loop {
            counts.fill(0);
            for (y, x, h, w) in pieces {
                let piece = img.slice(s![y..y + h, x..x + w]);
                search
                    .count(piece, (x, y), (75, 100), &p, &mut counts)
                    .unwrap();
            }
            if let Some(looks) = search.step(&counts, p.signal).unwrap() {
                break looks;
            }
        };
        assert_eq!(found.to_bits(), whole.to_bits());
        // Ties at the quarter's rank are all kept: the kept mean is that
        // of every block ranked at most the quarter's (a sort by hand).
        let mut blocks: Vec<Measured> = (0..6)
            .flat_map(|by| (0..4).map(move |bx| (by * BLOCK, bx * BLOCK)))
            .filter_map(|(y, x)| measured(&img.view(), &p, y, x))
            .collect();
        blocks.sort_by_key(|b| b.0);
        let last = blocks[blocks.len().div_ceil(4) - 1].0;
        let kept: Vec<f64> = blocks
            .iter()
            .filter(|b| b.0 <= last)
            .map(|b| f64::from(b.1))
            .collect();
        assert!(kept.len() > blocks.len().div_ceil(4), "the scene has ties");
        let mean = kept.iter().sum::<f64>() / kept.len() as f64;
        assert!((whole - 1.0 / mean).abs() < 1e-12 * whole);
    }

    #[test]
    fn auto_looks_filter_with_the_estimate_and_regions_need_it() {
        let img = blocks_of_known_variation(64, 48);
        let auto = Params {
            looks: f64::NAN,
            ..Params::default()
        };
        let looks = estimate_looks(img.view(), &auto).unwrap();
        let filtered = |p: &Params| {
            let mut out = Array2::<f32>::zeros(img.dim());
            crate::filter(img.view(), out.view_mut(), p, None).unwrap();
            out
        };
        let given = filtered(&Params { looks, ..auto });
        assert_eq!(filtered(&auto), given);
        assert_ne!(filtered(&Params::default()), given);
        // Coefficients derived from the estimate are judged then.
        let mut out = Array2::<f32>::zeros(img.dim());
        let too_large_cu = Params {
            cu: Some(5.0),
            ..auto
        };
        assert_eq!(
            crate::filter(img.view(), out.view_mut(), &too_large_cu, None),
            Err(Error::InvalidCoefficients)
        );
        let region = crate::Region {
            x_off: 0,
            y_off: 0,
            width: 48,
            height: 16,
        };
        let mut out = Array2::<f32>::zeros((16, 48));
        let source = img.slice(s![0..19, ..]);
        assert_eq!(
            crate::filter_region(source, out.view_mut(), 48, 64, region, &auto, None),
            Err(Error::InvalidLooks)
        );
    }

    #[test]
    fn pieces_that_cut_blocks_and_misuse_are_refused() {
        let img = blocks_of_known_variation(40, 40);
        let p = Params::default();
        let search = LooksSearch::new();
        let mut counts = vec![0u64; BINS];
        for (y, x, h, w) in [
            (8, 0, 16, 40),
            (0, 0, 20, 40),
            (0, 0, 40, 8),
            (16, 16, 16, 8),
        ] {
            let piece = img.slice(s![y..(y + h).min(40), x..x + w]);
            assert_eq!(
                search.count(piece, (x, y), (40, 40), &p, &mut counts),
                Err(Error::InvalidRegion),
                "{y} {x} {h} {w}"
            );
        }
        assert!(counts.iter().all(|&c| c == 0));
        let mut s = LooksSearch::new();
        assert_eq!(
            s.step(&counts, Signal::Intensity),
            Err(Error::LooksNotEstimable)
        );
    }
}
