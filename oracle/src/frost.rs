//! Frost, Stiles, Shanmugan and Holtzman (1982), docs/filters.md "Frost":
//! the window's valid pixels weighted by `exp(-K Ci^2 |t|)`.

use crate::window::Pixel;

/// How far a window position is from the centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distance {
    /// `sqrt(dx^2 + dy^2)` (Frost et al., OTB; the default).
    Euclidean,
    /// `max(|dx|, |dy|)` (SNAP's `getFrostMask`; `compat=snap`).
    Chebyshev,
}

/// Frost's output over the window's valid `pixels` (the centre among
/// them), whose mean is `m > 0` and variance `var`; `damping` is `K`.
pub fn value(pixels: &[Pixel], m: f64, var: f64, damping: f64, distance: Distance) -> f64 {
    let a = damping * var / (m * m);
    let (mut num, mut den) = (0.0, 0.0);
    for p in pixels {
        let t = match distance {
            Distance::Euclidean => ((p.dy * p.dy + p.dx * p.dx) as f64).sqrt(),
            Distance::Chebyshev => p.dy.abs().max(p.dx.abs()) as f64,
        };
        // The centre's weight is 1 whatever `a` (even infinite).
        let e = if t == 0.0 { 1.0 } else { (-a * t).exp() };
        num += e * p.value;
        den += e;
    }
    num / den
}

#[cfg(test)]
mod tests {
    use super::*;

    fn px(dy: isize, dx: isize, value: f64) -> Pixel {
        Pixel {
            dy,
            dx,
            y: 0,
            x: 0,
            value,
        }
    }

    #[test]
    fn flat_gives_the_mean_and_distances_differ_on_diagonals() {
        let w = [px(0, 0, 1.0), px(1, 1, 3.0)];
        assert_eq!(value(&w, 2.0, 0.0, 1.0, Distance::Euclidean), 2.0);
        // a = 1: weights 1 and exp(-sqrt 2) or exp(-1).
        let e = (-(2f64).sqrt()).exp();
        let want = (1.0 + 3.0 * e) / (1.0 + e);
        assert!((value(&w, 1.0, 1.0, 1.0, Distance::Euclidean) - want).abs() < 1e-15);
        let e = (-1f64).exp();
        let want = (1.0 + 3.0 * e) / (1.0 + e);
        assert!((value(&w, 1.0, 1.0, 1.0, Distance::Chebyshev) - want).abs() < 1e-15);
    }
}
