//! Enhanced Lee (Lopes, Touzi & Nezry 1990): SPEC.md, "Output, per pixel",
//! 2-4; `docs/filters.md`.

use super::exp::{exp_neg_and_complement, MAX_EXPONENT};
use super::{derives_cu, finish, PointRule, SpeckleFilter};
use crate::params::{Coefficients, Params};

/// The Enhanced Lee rule over a window's mean and variance.
pub struct EnhancedLee;

impl SpeckleFilter for EnhancedLee {
    const NAME: &'static str = "enhanced_lee";
    const SOURCE: &'static str = "Lopes et al. 1990";
    const PARAMETERS: &'static [&'static str] = &[
        "window",
        "looks",
        "damping",
        "signal",
        "statistic",
        "cu",
        "cmax",
    ];

    /// `Cu` or `Cmax` derived from them.
    fn uses_looks(p: &Params) -> bool {
        derives_cu(p) || p.cmax.is_none()
    }

    /// `sqrt(1 + 2/L)` unless given.
    fn cmax(p: &Params, _cu: f64, looks: f64) -> Option<f64> {
        Some(p.cmax.unwrap_or((1.0 + 2.0 / looks).sqrt()))
    }
}

impl PointRule for EnhancedLee {
    #[inline(always)]
    fn filtered(x: f32, valid: bool, m: f64, var: f64, c: &Coefficients) -> f32 {
        enhanced_lee(x, valid, m, var, c)
    }
}

/// The filtered value of pixel `x` whose window has mean `m` and variance
/// `var` (negative `var` counts as 0; `m` is NaN when the window has no
/// valid pixel):
///
/// ```text
/// Ci = sqrt(var) / m
/// Ci <= Cu          ->  m
/// Cu < Ci < Cmax    ->  m*W + x*(1 - W),  W = exp(-K (Ci - Cu) / (Cmax - Ci))
/// Ci >= Cmax        ->  x
/// ```
/// and `x` itself when `x` is invalid, `m <= 0` or `m` is NaN.
///
/// Evaluated as: with `s = sqrt(var)`, `Ci - Cu = (s - Cu m) / m` and
/// `Cmax - Ci = (Cmax m - s) / m`, so the branches are the signs of
/// `s - Cu m` and `Cmax m - s`, and `K (Ci - Cu) / (Cmax - Ci)` is one
/// division; the middle branch is `m W + x (1 - W)` as written, with `W`
/// and `1 - W` each to a relative 2e-12
/// ([`exp_neg_and_complement`]): then the error stays within SPEC's bound
/// relative to `max(|result|, |m|)` even where `x` is many orders of
/// magnitude from `m` (the form `x + W (m - x)` is not: `m - x` rounds to
/// the precision of `x`).
///
/// Written without branches (every value is computed, then selected) so
/// that loops over rows vectorise and do not mispredict near `Ci = Cu`.
#[inline(always)]
pub fn enhanced_lee(x: f32, valid: bool, m: f64, var: f64, c: &Coefficients) -> f32 {
    let x64 = f64::from(x);
    let s = var.max(0.0).sqrt();
    let above_cu = s - c.cu * m;
    let below_cmax = c.cmax * m - s;
    // NaN and out-of-range exponents (outside the middle branch) are
    // clamped; their results are not selected. `max`/`min` (unlike `clamp`)
    // turn NaN into a number.
    #[allow(clippy::manual_clamp)]
    let t = (c.damping * above_cu / below_cmax)
        .max(0.0)
        .min(MAX_EXPONENT);
    let (w, complement) = exp_neg_and_complement(t);
    let mixed = m * w + x64 * complement;
    let filtered = if above_cu <= 0.0 {
        m
    } else if below_cmax <= 0.0 {
        x64
    } else {
        mixed
    };
    finish(x, valid, m, filtered)
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: Coefficients = Coefficients {
        cu: 0.5,
        cmax: 1.5,
        damping: 1.0,
        looks: 4.0,
        sigma_range: (f64::NAN, f64::NAN),
        revised_cu2: f64::NAN,
        point_threshold: f64::NAN,
        variance: crate::params::Variance::Population,
        chebyshev: false,
        earth_engine: false,
    };

    fn rule(x: f32, m: f64, var: f64) -> f32 {
        enhanced_lee(x, true, m, var, &C)
    }

    #[test]
    fn branches() {
        assert_eq!(rule(3.0, 2.0, 0.25), 2.0); // Ci = 0.25
        assert_eq!(rule(3.0, 2.0, 16.0), 3.0); // Ci = 2
        let mid = rule(3.0, 2.0, 4.0); // Ci = 1
        let w = (-1.0f64).exp();
        assert_eq!(mid, (2.0 * w + 3.0 * (1.0 - w)) as f32);
        assert_eq!(rule(3.0, -1.0, 1.0), 3.0);
        assert_eq!(rule(3.0, f64::NAN, 0.0), 3.0);
        assert_eq!(enhanced_lee(3.0, false, 2.0, 0.25, &C), 3.0);
    }

    /// A pixel far from its window's mean, with `W` within 1e-13 of 1:
    /// the output is the mean to SPEC's tolerance (relative to the mean).
    /// The form `x + W (m - x)` gave 2.476e-4 here (a fuzz finding).
    #[test]
    fn an_extreme_pixel_beside_a_tiny_mean() {
        let c = Coefficients {
            cu: 0.1,
            cmax: (1.0f64 + 2.0 / 1e-300).sqrt(),
            damping: 1e-6,
            ..C
        };
        let (m, var) = (2.717_815_330_123_856e-4, 3_333_333_333_333_333.5);
        for x in [-1e8f32, 1e8, -3.4e38, 3.4e38] {
            let out = f64::from(enhanced_lee(x, true, m, var, &c));
            assert!((out - m).abs() <= 1e-5 * m, "x = {x:e}: {out:e} vs {m:e}");
        }
        // And with W well inside (0, 1): the weight's complement of a
        // 3.4e38 pixel beside a mean of 1.
        let c = Coefficients {
            cu: 0.5,
            cmax: 1e30,
            damping: 1e-20,
            ..C
        };
        let (x, m, var) = (3.4e38f32, 1.0f64, 1e40f64);
        let t: f64 = 1e-20 * (1e20 - 0.5) / (1e30 - 1e20);
        let want = m * (-t).exp() + f64::from(x) * -(-t).exp_m1();
        let out = f64::from(enhanced_lee(x, true, m, var, &c));
        assert!(
            (out - want).abs() <= 1e-5 * want.abs().max(m),
            "{out:e} vs {want:e}"
        );
    }

    #[test]
    fn continuous_at_the_branch_points() {
        let near = |ci: f64| rule(3.0, 2.0, (ci * 2.0) * (ci * 2.0));
        assert!((near(0.5 + 1e-9) - 2.0).abs() < 1e-6);
        assert!((near(1.5 - 1e-9) - 3.0).abs() < 1e-6);
    }
}
