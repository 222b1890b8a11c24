//! Refined Lee (Lee 1981) in the 7x7 form of SNAP's `RefinedLee` (the
//! default, docs/filters.md "Refined Lee" steps 1-5) and of the Earth
//! Engine script (`compat=gee`, "compat=gee" steps 3 and 5).

use crate::window::{Compat, Frame, Raster};

/// Refined Lee's only window side.
pub const WINDOW: usize = 7;

/// The sub-area pairs `(first, second)` of the default rule's gradients,
/// in docs/filters.md's order (the first of equal maxima wins): a vertical
/// edge, a diagonal, a horizontal edge, the other diagonal.
const PAIRS: [((usize, usize), (usize, usize)); 4] = [
    ((1, 0), (1, 2)),
    ((0, 2), (2, 0)),
    ((0, 1), (2, 1)),
    ((0, 0), (2, 2)),
];

/// The script's gradient pairs over its sampled means `s0..s8`.
const SCRIPT: [(usize, usize); 4] = [(1, 7), (6, 2), (3, 5), (0, 8)];

/// Whether window position `(r, c)` is in the half that SPEC's rule picks
/// for gradient `k`, towards its first sub-area or not.
fn lee_half(k: usize, first: bool, r: usize, c: usize) -> bool {
    match (k, first) {
        (0, true) => c <= 3,
        (0, false) => c >= 3,
        (1, true) => c >= r,
        (1, false) => c <= r,
        (2, true) => r <= 3,
        (2, false) => r >= 3,
        (3, true) => r + c <= 6,
        _ => r + c >= 6,
    }
}

/// Whether `(r, c)` is in the script's kernel of direction code 1-8.
fn script_half(code: usize, r: usize, c: usize) -> bool {
    match code {
        1 => r >= 3,
        2 => c <= r,
        3 => c <= 3,
        4 => r + c <= 6,
        5 => r <= 3,
        6 => c >= r,
        7 => c >= 3,
        _ => r + c >= 6,
    }
}

/// `a > b`; where `flip` and the two are within rounding of each other
/// (1e-12 of `scale`), the other answer.
fn greater(a: f64, b: f64, scale: f64, flip: bool) -> bool {
    (a > b) != (flip && (a - b).abs() <= 1e-12 * scale)
}

/// Refined Lee at the valid pixel `(y, x)`: `(output, the mean used)`;
/// the mean is NaN where the script names no half (the caller then keeps
/// the pixel, as it does where the mean is `<= 0`). `whole` is the
/// window's mean and variance (SPEC's, the fallback of step 4).
///
/// Two results: the rule's, and the rule's with every decision that is
/// within rounding of a tie (two gradients, or the two sides of the
/// closeness test, within 1e-12 of the sub-area means) taken the other
/// way. Such ties are exact in real arithmetic at a `reflect` or `mirror`
/// border, where sub-areas repeat the same rows, and any float64
/// evaluation may break them either way (docs/filters.md).
pub fn value(frame: &Frame, img: Raster, y: usize, x: usize, whole: (f64, f64)) -> [(f64, f64); 2] {
    [false, true].map(|flip| decided(frame, img, y, x, whole, flip))
}

/// [`value`]'s rule, with near ties taken the other way where `flip`.
fn decided(
    frame: &Frame,
    img: Raster,
    y: usize,
    x: usize,
    whole: (f64, f64),
    flip: bool,
) -> (f64, f64) {
    let mut grid = [[None; WINDOW]; WINDOW];
    for p in frame.pixels(img, y, x, WINDOW) {
        grid[(p.dy + 3) as usize][(p.dx + 3) as usize] = Some(p.value);
    }
    let area = |a: usize, b: usize| -> Option<Vec<f64>> {
        (2 * a..2 * a + 3)
            .flat_map(|r| (2 * b..2 * b + 3).map(move |c| (r, c)))
            .map(|(r, c)| grid[r][c])
            .collect()
    };
    // Step 2: the noise, from the five most homogeneous full sub-areas.
    let mut ratios: Vec<f64> = (0..9)
        .filter_map(|q| area(q / 3, q % 3))
        .map(|v| {
            let (m, var) = frame.moments(&v);
            if m > 0.0 {
                var / (m * m)
            } else {
                0.0
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let k = ratios.len().min(5);
    let sigma2 = if k == 0 {
        0.0
    } else {
        ratios[..k].iter().sum::<f64>() / k as f64
    };
    let gee = frame.compat == Compat::EarthEngine;
    let (m, var) = if grid.iter().flatten().all(Option::is_some) {
        let means: [f64; 9] =
            std::array::from_fn(|q| frame.moments(&area(q / 3, q % 3).unwrap()).0);
        let mu = |a: usize, b: usize| means[3 * a + b];
        let scale = (0..9).map(|q| mu(q / 3, q % 3).abs()).fold(0.0, f64::max);
        let inside: Box<dyn Fn(usize, usize) -> bool> = if gee {
            let s = |q: usize| mu(q / 3, q % 3);
            let gradient = |g: usize| (s(SCRIPT[g].0) - s(SCRIPT[g].1)).abs();
            let top = (0..4).fold(0, |best, g| {
                if gradient(g) > gradient(best) {
                    g
                } else {
                    best
                }
            });
            let code: usize = (0..4)
                .filter(|&g| g == top || !greater(gradient(top), gradient(g), scale, flip))
                .map(|g| {
                    let (p, q) = SCRIPT[g];
                    if greater(s(p) - s(4), s(4) - s(q), scale, flip) {
                        g + 1
                    } else {
                        g + 5
                    }
                })
                .sum();
            if !(1..=8).contains(&code) {
                return (f64::NAN, f64::NAN);
            }
            Box::new(move |r, c| script_half(code, r, c))
        } else {
            let g: Vec<f64> = PAIRS
                .iter()
                .map(|&((a0, b0), (a1, b1))| (mu(a0, b0) - mu(a1, b1)).abs())
                .collect();
            // The first of equal maxima.
            let k = (0..4).fold(0, |best, i| {
                if greater(g[i], g[best], scale, flip) {
                    i
                } else {
                    best
                }
            });
            let ((a0, b0), (a1, b1)) = PAIRS[k];
            let first = greater(
                (mu(1, 1) - mu(a1, b1)).abs(),
                (mu(a0, b0) - mu(1, 1)).abs(),
                scale,
                flip,
            );
            Box::new(move |r, c| lee_half(k, first, r, c))
        };
        let half: Vec<f64> = (0..WINDOW * WINDOW)
            .filter(|&i| inside(i / WINDOW, i % WINDOW))
            .map(|i| grid[i / WINDOW][i % WINDOW].unwrap())
            .collect();
        assert_eq!(half.len(), 28);
        frame.moments(&half)
    } else {
        whole
    };
    // The script leaves the signal variance negative.
    let floor = if gee { f64::NEG_INFINITY } else { 0.0 };
    let b = if var > 0.0 {
        ((var - m * m * sigma2) / (1.0 + sigma2)).max(floor) / var
    } else {
        0.0
    };
    let xv = f64::from(img.at(y, x));
    (m + b * (xv - m), m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_half_has_28_pixels() {
        for k in 0..4 {
            for first in [true, false] {
                let n = (0..49)
                    .filter(|&i| lee_half(k, first, i / 7, i % 7))
                    .count();
                assert_eq!(n, 28);
            }
        }
        for code in 1..=8 {
            assert_eq!(
                (0..49).filter(|&i| script_half(code, i / 7, i % 7)).count(),
                28
            );
        }
    }
}
