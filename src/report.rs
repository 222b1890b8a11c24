//! What a filter did, measured (`docs/filters.md`, "Quality report"): the
//! equivalent number of looks of the most homogeneous areas before and
//! after filtering, and the mean and standard deviation of the ratio image
//! `x / filtered`. A filter that removes speckle and nothing else leaves a
//! ratio image of pure speckle: mean 1, standard deviation `Cu` (`sqrt(1 /
//! L)` for intensity).
//!
//! The homogeneous areas are those of the looks estimate
//! ([`crate::estimate_looks`]): the input's 16x16 blocks in the most
//! homogeneous quarter. "Before" is the looks estimate itself; "after"
//! measures the filtered pixels of the same blocks in the same way. Every
//! sum is exact ([`Sums`]), so a raster read in pieces gives the bits of
//! the whole raster in memory.

use ndarray::{ArrayView2, Zip};

use crate::key_search::BINS;
use crate::looks::{block, check_piece, cv2, looks_of, measured, Sums, BLOCK};
use crate::{Error, LooksSearch, Params};

/// What [`quality_report`] measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QualityReport {
    /// The input's equivalent number of looks (the looks estimate).
    pub looks_before: f64,
    /// The filtered image's, on the same blocks (infinite where they came
    /// out flat).
    pub looks_after: f64,
    /// Mean of `x / filtered` over the valid pixels whose filtered value is
    /// positive.
    pub ratio_mean: f64,
    /// Its standard deviation (population).
    pub ratio_std: f64,
    /// The homogeneous blocks measured.
    pub blocks: u64,
    /// The pixels of the ratio image.
    pub pixels: u64,
}

/// Where each quantity is summed in a table of [`BINS`] counts.
const BEFORE: usize = 0;
const AFTER: usize = BEFORE + Sums::LEN;
const RATIO: usize = AFTER + Sums::LEN;
const SQUARES: usize = RATIO + Sums::LEN;

impl LooksSearch {
    /// Adds a piece of the input `image` and the same piece of its
    /// `filtered` image to `counts` (a zeroed table of [`BINS`] entries,
    /// for [`finish_report`]), once the search has found the homogeneous
    /// quarter (after its first two passes; also when done). Pieces as
    /// [`LooksSearch::count`]'s: any order, none cutting a block, the
    /// whole raster once.
    pub fn count_report(
        &self,
        image: ArrayView2<f32>,
        filtered: ArrayView2<f32>,
        origin: (usize, usize),
        raster: (usize, usize),
        params: &Params,
        counts: &mut [u64],
    ) -> Result<(), Error> {
        if !self.rank.found() {
            return Err(Error::LooksNotEstimable);
        }
        if counts.len() != BINS {
            return Err(Error::BufferTooSmall);
        }
        if image.dim() != filtered.dim() {
            return Err(Error::InvalidRegion);
        }
        check_piece(image.dim(), origin, raster)?;
        let (height, width) = image.dim();
        for y in (0..height / BLOCK).map(|b| b * BLOCK) {
            for x in (0..width / BLOCK).map(|b| b * BLOCK) {
                let Some((key, measure)) = measured(&image, params, y, x) else {
                    continue;
                };
                if key > self.rank.key {
                    continue;
                }
                Sums::add(&mut counts[BEFORE..AFTER], measure);
                if let Some(after) = block(&filtered, params, y, x).and_then(|[_, b]| cv2(b)) {
                    Sums::add(&mut counts[AFTER..RATIO], after as f32);
                }
            }
        }
        Zip::from(image).and(filtered).for_each(|&x, &f| {
            if params.is_valid(x) && params.is_valid(f) && f > 0.0 && x >= 0.0 {
                let ratio = (f64::from(x) / f64::from(f)) as f32;
                if ratio.is_finite() {
                    Sums::add(&mut counts[RATIO..SQUARES], ratio);
                    Sums::add(
                        &mut counts[SQUARES..SQUARES + Sums::LEN],
                        (ratio * ratio).min(f32::MAX),
                    );
                }
            }
        });
        Ok(())
    }
}

/// The report of a whole raster's summed `counts` ([`LooksSearch::count_report`]).
/// `signal` says what the pixels are. Fails with [`Error::LooksNotEstimable`]
/// where no homogeneous block was measured.
pub fn finish_report(counts: &[u64], params: &Params) -> Result<QualityReport, Error> {
    if counts.len() != BINS {
        return Err(Error::BufferTooSmall);
    }
    let table = |at: usize| &counts[at..at + Sums::LEN];
    let before = Sums::mean(table(BEFORE)).ok_or(Error::LooksNotEstimable)?;
    let looks_before = looks_of(before, params.signal);
    if !(looks_before.is_finite() && looks_before > 0.0) {
        return Err(Error::LooksNotEstimable);
    }
    let looks_after = Sums::mean(table(AFTER)).map_or(f64::NAN, |m| looks_of(m, params.signal));
    let ratio_mean = Sums::mean(table(RATIO)).unwrap_or(f64::NAN);
    let squares = Sums::mean(table(SQUARES)).unwrap_or(f64::NAN);
    Ok(QualityReport {
        looks_before,
        looks_after,
        ratio_mean,
        ratio_std: (squares - ratio_mean * ratio_mean).max(0.0).sqrt(),
        blocks: counts[BEFORE + Sums::COUNT],
        pixels: counts[RATIO + Sums::COUNT],
    })
}

/// The quality report of a whole raster in memory and its filtered image
/// (see the module docs): bit for bit what a [`LooksSearch`] and
/// [`LooksSearch::count_report`] over its pieces give. Parameters:
/// `signal`, `nodata`, `threads`; all are validated.
pub fn quality_report(
    image: ArrayView2<f32>,
    filtered: ArrayView2<f32>,
    params: &Params,
) -> Result<QualityReport, Error> {
    params.validate()?;
    if image.is_empty() {
        return Err(Error::EmptyImage);
    }
    if image.dim() != filtered.dim() {
        return Err(Error::InvalidRegion);
    }
    let search = LooksSearch::ranked(image, params)?;
    let mut counts = vec![0u64; BINS];
    let (h, w) = image.dim();
    search.count_report(image, filtered, (0, 0), (w, h), params, &mut counts)?;
    finish_report(&counts, params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{s, Array2};

    /// Blocks of known speckle: a deterministic pattern of 4 values per
    /// pixel of each block, scaled per block, with a dark and a bright field.
    fn scene(h: usize, w: usize) -> Array2<f32> {
        Array2::from_shape_fn((h, w), |(y, x)| {
            let level = if x < w / 2 { 10.0 } else { 50.0 };
            let wiggle = ((y * 7 + x * 13) % 5) as f32 - 2.0;
            level * (1.0 + 0.3 * wiggle)
        })
    }

    #[test]
    fn an_identity_filter_changes_nothing_and_a_mean_filter_flattens() {
        let img = scene(64, 80);
        let p = Params::default();
        let same = quality_report(img.view(), img.view(), &p).unwrap();
        assert_eq!(
            same.looks_before,
            crate::estimate_looks(img.view(), &p).unwrap()
        );
        assert_eq!(same.looks_after, same.looks_before);
        assert_eq!(same.ratio_mean, 1.0);
        assert_eq!(same.ratio_std, 0.0);
        assert_eq!(same.pixels, 64 * 80);
        // Each field replaced by its mean: the ratio image is the speckle,
        // and the blocks come out flat.
        let mean_of = |cols: std::ops::Range<usize>| {
            let part = img.slice(s![.., cols]);
            part.iter().map(|&v| f64::from(v)).sum::<f64>() / part.len() as f64
        };
        let (dark, bright) = (mean_of(0..40), mean_of(40..80));
        let flat =
            Array2::from_shape_fn((64, 80), |(_, x)| if x < 40 { dark } else { bright } as f32);
        let r = quality_report(img.view(), flat.view(), &p).unwrap();
        assert_eq!(r.looks_after, f64::INFINITY);
        assert!((r.ratio_mean - 1.0).abs() < 1e-6, "{r:?}");
        // The speckle's own coefficient of variation.
        let cv = (0.3f64 * 0.3 * 2.0).sqrt();
        assert!((r.ratio_std - cv).abs() < 0.01, "{r:?} vs {cv}");
    }

    #[test]
    fn pieces_give_the_in_memory_bits_and_bad_pieces_are_refused() {
        let img = scene(70, 50);
        let filtered = img.mapv(|v| 0.5 * v + 7.0);
        let p = Params::default();
        let whole = quality_report(img.view(), filtered.view(), &p).unwrap();
        let mut search = LooksSearch::new();
        let mut counts = vec![0u64; BINS];
        let strips = [(48, 22), (16, 32), (0, 16)];
        while !search.rank.found() {
            counts.fill(0);
            for (y, h) in strips {
                let piece = img.slice(s![y..y + h, ..]);
                search
                    .count(piece, (0, y), (50, 70), &p, &mut counts)
                    .unwrap();
            }
            search.step(&counts, p.signal).unwrap();
        }
        counts.fill(0);
        for (y, h) in strips {
            let (a, b) = (
                img.slice(s![y..y + h, ..]),
                filtered.slice(s![y..y + h, ..]),
            );
            search
                .count_report(a, b, (0, y), (50, 70), &p, &mut counts)
                .unwrap();
        }
        assert_eq!(finish_report(&counts, &p).unwrap(), whole);
        let cut = search.count_report(
            img.slice(s![8..24, ..]),
            filtered.slice(s![8..24, ..]),
            (0, 8),
            (50, 70),
            &p,
            &mut counts,
        );
        assert_eq!(cut, Err(Error::InvalidRegion));
        assert_eq!(
            LooksSearch::new().count_report(
                img.view(),
                filtered.view(),
                (0, 0),
                (50, 70),
                &p,
                &mut counts
            ),
            Err(Error::LooksNotEstimable)
        );
    }
}
