//! The equivalent number of looks of a raster, estimated from its most
//! homogeneous areas (`docs/filters.md`, "Estimating the looks").
//!
//! The raster is cut into blocks of [`BLOCK`] x [`BLOCK`] pixels from its
//! top left corner (the last partial row and column of blocks are left
//! out). A block counts when all its pixels are valid. Its pixels are split
//! like a chessboard into two halves of 128: the first half's squared
//! coefficient of variation `var / mean^2` (sample variance) ranks the
//! blocks, and the most homogeneous quarter of them (at least one) is
//! kept; the second half of each kept block gives the estimate,
//! `looks = c1^2 / mean(var / mean^2)`, with `c1^2` the speckle's squared
//! coefficient of variation at one look (1 for intensity, `4/pi - 1` for
//! amplitude, the filters' own model). Ranking with one half and measuring
//! with the other keeps the choice of blocks from favouring those whose
//! speckle happens to vary less, which would overestimate the looks. A
//! block whose measuring half varies more than [`CONSISTENT`] times its
//! ranking half is left out before ranking: a bright target among the
//! measuring half's pixels, which the ranking half cannot see (for speckle
//! alone, 128 pixels a half, that ratio is out of reach even at one look).

use ndarray::ArrayView2;

use crate::{Error, Params, Signal};

/// Side of the blocks, in pixels.
pub const BLOCK: usize = 16;

/// The largest ratio of the measuring half's `var / mean^2` to the
/// ranking half's that a block may have.
const CONSISTENT: f64 = 2.5;

/// One block's two halves: `(n, sum, sum of squares)` in float64.
type Halves = [(f64, f64, f64); 2];

/// The squared coefficient of variation of one half: `var / mean^2` with
/// the sample variance, `None` where the mean is not positive.
fn cv2((n, s1, s2): (f64, f64, f64)) -> Option<f64> {
    let mean = s1 / n;
    let var = ((s2 - s1 * mean) / (n - 1.0)).max(0.0);
    (mean > 0.0).then(|| var / (mean * mean))
}

/// The two halves of the block whose top left pixel is `(y, x)`, `None`
/// if one of its pixels is invalid.
fn block(image: &ArrayView2<f32>, params: &Params, y: usize, x: usize) -> Option<Halves> {
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

/// The equivalent number of looks of a whole raster held in memory (see
/// the module docs). Parameters: `signal` and `nodata`; all are validated.
/// Fails with [`Error::LooksNotEstimable`] where no block of valid pixels
/// with a positive mean exists, or where the kept blocks do not vary.
pub fn estimate_looks(image: ArrayView2<f32>, params: &Params) -> Result<f64, Error> {
    params.validate()?;
    if image.is_empty() {
        return Err(Error::EmptyImage);
    }
    let (h, w) = image.dim();
    // (rank, measure) of each consistent block with a positive mean in
    // both halves, in raster order.
    let mut blocks: Vec<(f64, f64)> = Vec::new();
    for y in (0..h / BLOCK).map(|b| b * BLOCK) {
        for x in (0..w / BLOCK).map(|b| b * BLOCK) {
            if let Some([a, b]) = block(&image, params, y, x) {
                match (cv2(a), cv2(b)) {
                    (Some(rank), Some(measure)) if measure <= CONSISTENT * rank => {
                        blocks.push((rank, measure))
                    }
                    _ => {}
                }
            }
        }
    }
    if blocks.is_empty() {
        return Err(Error::LooksNotEstimable);
    }
    // Stable: equal ranks keep raster order, so the choice is deterministic.
    blocks.sort_by(|p, q| p.0.total_cmp(&q.0));
    let kept = &blocks[..blocks.len().div_ceil(4)];
    let mean_cv2 = kept.iter().map(|b| b.1).sum::<f64>() / kept.len() as f64;
    let one_look = match params.signal {
        Signal::Intensity => 1.0,
        Signal::Amplitude => 4.0 / std::f64::consts::PI - 1.0,
    };
    let looks = one_look / mean_cv2;
    if !(looks.is_finite() && looks > 0.0) {
        return Err(Error::LooksNotEstimable);
    }
    Ok(looks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

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
        let want = 9.0 / (128.0 / 127.0);
        assert!((looks - want).abs() < 1e-12 * want, "{looks} vs {want}");
    }
}
