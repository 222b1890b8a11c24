//! Lee Sigma's point threshold: the 98th percentile of a raster's valid
//! pixels (`docs/filters.md`, "Lee Sigma"), exact, in bounded memory, and
//! the same however the raster is cut.
//!
//! The percentile is the `k`-th smallest valid value, `k = max(1, floor(98
//! n / 100))` of `n` valid pixels. It is found by two counting passes over
//! the float bits, ordered as integers: the first counts the pixels of
//! each value of the upper 16 bits and picks the bin holding rank `k`, the
//! second counts the lower 16 bits inside that bin. Counts add up, so a
//! raster read in strips, tiles or chunks (in any order) is counted piece
//! by piece into one table: [`ThresholdSearch`], a [`KeySearch`]. Memory
//! is one table of [`BINS`] counts (512 KiB), per thread while counting.

use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;

use crate::key_search::{KeySearch, BINS};
use crate::{Error, Params};

/// The percentile of the raster's valid pixels that is the point
/// threshold.
const PERCENTILE: u64 = 98;

/// Where a search over a raster's pieces stands. Start with
/// [`ThresholdSearch::new`]; for each pass, [`ThresholdSearch::count`]
/// every piece of the raster into a zeroed table of [`BINS`] counts, then
/// [`ThresholdSearch::step`] with it, until `step` returns the threshold
/// (after two passes). The keys are the pixels' float bits ordered as
/// integers ([`key`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ThresholdSearch(pub KeySearch);

/// The float bits of `x` as an integer that orders like `x` (negative
/// values below positive ones).
fn key(x: f32) -> u32 {
    let b = x.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

/// The value whose [`key`] is `k`.
fn value(k: u32) -> f32 {
    f32::from_bits(if k & 0x8000_0000 != 0 {
        k & 0x7fff_ffff
    } else {
        !k
    })
}

impl ThresholdSearch {
    /// A search at its first pass.
    pub fn new() -> Self {
        ThresholdSearch::default()
    }

    /// The threshold, once the search is done: `+inf` for a raster with
    /// no valid pixel (nothing is bright).
    pub fn threshold(&self) -> Option<f64> {
        self.0.found().then(|| match self.0.rank {
            0 => f64::INFINITY,
            _ => f64::from(value(self.0.key)),
        })
    }

    /// Adds the valid pixels (finite, not `params.nodata`) of `piece` to
    /// `counts` for the current pass. Any piece sizes and order; every
    /// pixel of the raster exactly once per pass.
    pub fn count(
        &self,
        piece: ArrayView2<f32>,
        params: &Params,
        counts: &mut [u64],
    ) -> Result<(), Error> {
        if self.0.found() {
            return Err(Error::InvalidPointThreshold);
        }
        if counts.len() != BINS {
            return Err(Error::BufferTooSmall);
        }
        let threads = crate::filter::thread_count(params);
        let rows_per_part = piece.nrows().div_ceil(threads).max(64);
        let parts: Vec<_> = piece.axis_chunks_iter(Axis(0), rows_per_part).collect();
        if parts.len() <= 1 {
            self.count_rows(piece, params, counts);
            return Ok(());
        }
        let job = || {
            parts
                .into_par_iter()
                .map(|part| {
                    let mut table = vec![0u64; BINS];
                    self.count_rows(part, params, &mut table);
                    table
                })
                .collect::<Vec<_>>()
        };
        let tables = crate::filter::in_pool(params.threads, job)?;
        for table in tables {
            for (c, t) in counts.iter_mut().zip(table) {
                *c += t;
            }
        }
        Ok(())
    }

    fn count_rows(&self, rows: ArrayView2<f32>, params: &Params, counts: &mut [u64]) {
        for row in rows.rows() {
            for &x in row {
                if params.is_valid(x) {
                    if let Some(b) = self.0.bin(key(x)) {
                        counts[b] += 1;
                    }
                }
            }
        }
    }

    /// Ends a pass with the whole raster's `counts`. Returns the threshold
    /// when the search is done.
    pub fn step(&mut self, counts: &[u64]) -> Result<Option<f64>, Error> {
        let percentile = |n: u64| (u128::from(n) * u128::from(PERCENTILE) / 100) as u64;
        self.0
            .step(counts, percentile, Error::InvalidPointThreshold)?;
        Ok(self.threshold())
    }
}

/// The point threshold of a whole raster held in memory: both passes of a
/// [`ThresholdSearch`] over `image` (parameters: `nodata` and `threads`).
pub fn point_threshold(image: ArrayView2<f32>, params: &Params) -> Result<f64, Error> {
    params.validate()?;
    if image.is_empty() {
        return Err(Error::EmptyImage);
    }
    let mut search = ThresholdSearch::new();
    let mut counts = vec![0u64; BINS];
    loop {
        counts.fill(0);
        search.count(image.view(), params, &mut counts)?;
        if let Some(t) = search.step(&counts)? {
            return Ok(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn keys_order_like_values() {
        let xs = [-f32::MAX, -1.5, -0.0, 0.0, 1e-40, 1.0, 3.5, f32::MAX];
        for pair in xs.windows(2) {
            assert!(key(pair[0]) < key(pair[1]), "{pair:?}");
        }
        for x in xs {
            assert_eq!(value(key(x)).to_bits(), x.to_bits());
        }
    }

    #[test]
    fn is_the_rank_of_a_sort() {
        let p = Params::default();
        // 1000 values, one nodata and one NaN: k = floor(0.98 * 998) = 978.
        let mut v: Vec<f32> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f32 * 0.37 - 20.0)
            .collect();
        v[3] = f32::NAN;
        v[5] = -9999.0;
        let image = Array2::from_shape_vec((40, 25), v.clone()).unwrap();
        let p = Params {
            nodata: Some(-9999.0),
            ..p
        };
        let mut valid: Vec<f32> = v.into_iter().filter(|x| p.is_valid(*x)).collect();
        valid.sort_by(f32::total_cmp);
        let t = point_threshold(image.view(), &p).unwrap();
        assert_eq!(t, f64::from(valid[978 - 1]));
        // Strips in any order give the same value.
        let mut search = ThresholdSearch::new();
        let mut counts = vec![0u64; BINS];
        let found = loop {
            counts.fill(0);
            for rows in [30..40, 0..7, 7..30] {
                search
                    .count(image.slice(ndarray::s![rows, ..]), &p, &mut counts)
                    .unwrap();
            }
            if let Some(t) = search.step(&counts).unwrap() {
                break t;
            }
        };
        assert_eq!(found, t);
    }

    #[test]
    fn no_valid_pixel_is_infinite_and_misuse_is_refused() {
        let image = Array2::from_elem((3, 3), f32::NAN);
        let p = Params::default();
        assert_eq!(point_threshold(image.view(), &p), Ok(f64::INFINITY));
        let mut search = ThresholdSearch::new();
        let counts = vec![0u64; BINS];
        // A second pass that counts fewer pixels than the first.
        let mut first = counts.clone();
        first[5] = 10;
        search.step(&first).unwrap();
        assert_eq!(search.step(&counts), Err(Error::InvalidPointThreshold));
    }
}
