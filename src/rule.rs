//! The per-pixel Enhanced Lee rule (SPEC.md, "Output, per pixel", 2-4).

use crate::params::Coefficients;

/// The filtered value of a valid pixel `x` whose window has `n` valid
/// pixels with mean `m` and variance `var` (negative `var` counts as 0).
///
/// ```text
/// Ci = sqrt(var) / m
/// Ci <= Cu          ->  m
/// Cu < Ci < Cmax    ->  m*W + x*(1 - W),  W = exp(-K (Ci - Cu) / (Cmax - Ci))
/// Ci >= Cmax        ->  x
/// ```
/// and `x` itself when the window has no valid pixel or `m <= 0`.
#[inline]
pub fn enhanced_lee(x: f32, n: f64, m: f64, var: f64, c: &Coefficients) -> f32 {
    if n == 0.0 || !(m > 0.0) {
        return x;
    }
    let ci = var.max(0.0).sqrt() / m;
    if ci <= c.cu {
        m as f32
    } else if ci >= c.cmax {
        x
    } else {
        let w = (-c.damping * (ci - c.cu) / (c.cmax - ci)).exp();
        (m * w + f64::from(x) * (1.0 - w)) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: Coefficients = Coefficients { cu: 0.5, cmax: 1.5, damping: 1.0 };

    #[test]
    fn branches() {
        assert_eq!(enhanced_lee(3.0, 9.0, 2.0, 0.25, &C), 2.0); // Ci = 0.25
        assert_eq!(enhanced_lee(3.0, 9.0, 2.0, 16.0, &C), 3.0); // Ci = 2
        let mid = enhanced_lee(3.0, 9.0, 2.0, 4.0, &C); // Ci = 1
        let w = (-1.0f64).exp();
        assert_eq!(mid, (2.0 * w + 3.0 * (1.0 - w)) as f32);
        assert_eq!(enhanced_lee(3.0, 9.0, -1.0, 1.0, &C), 3.0);
        assert_eq!(enhanced_lee(3.0, 0.0, 0.0, 0.0, &C), 3.0);
    }

    #[test]
    fn continuous_at_the_branch_points() {
        let near = |ci: f64| enhanced_lee(3.0, 9.0, 2.0, (ci * 2.0) * (ci * 2.0), &C);
        assert!((near(0.5 + 1e-9) - 2.0).abs() < 1e-6);
        assert!((near(1.5 - 1e-9) - 3.0).abs() < 1e-6);
    }
}
