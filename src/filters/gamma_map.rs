//! Gamma-MAP (Lopes, Nezry, Touzi & Laur 1990): the maximum a posteriori
//! estimate under a Gamma-distributed scene and speckle
//! (`docs/filters.md`).

use super::{derives_cu, finish, PointRule, SpeckleFilter};
use crate::params::{Coefficients, Params};

/// With `Ci = sqrt(var) / m`:
///
/// ```text
/// Ci <= Cu          ->  m
/// Cu < Ci < Cmax    ->  (B m + sqrt(D)) / (2 alpha)
/// Ci >= Cmax        ->  x
/// alpha = (1 + Cu^2) / (Ci^2 - Cu^2),  B = alpha - L - 1,
/// D = m^2 B^2 + 4 alpha L m x
/// ```
pub struct GammaMap;

impl SpeckleFilter for GammaMap {
    const NAME: &'static str = "gamma_map";
    const SOURCE: &'static str = "Lopes et al. 1990";
    const PARAMETERS: &'static [&'static str] =
        &["window", "looks", "signal", "statistic", "cu", "cmax"];

    fn uses_looks(p: &Params) -> bool {
        derives_cu(p)
    }

    /// `sqrt(2) Cu` unless given.
    fn cmax(p: &Params, cu: f64, _looks: f64) -> Option<f64> {
        Some(p.cmax.unwrap_or(std::f64::consts::SQRT_2 * cu))
    }
}

impl PointRule for GammaMap {
    /// Evaluated with `beta = 1 / alpha = (var - Cu^2 m^2) / ((1 + Cu^2) m^2)`,
    /// which stays finite as `Ci` approaches `Cu` (where `alpha` overflows):
    /// dividing numerator and denominator by `alpha`,
    /// `out = (b m + sqrt(b^2 m^2 + 4 L beta m x)) / 2`, `b = 1 - (L + 1) beta`.
    /// `D < 0` (only for negative pixels) counts as 0. The branches are the
    /// signs of `s - Cu m` and `Cmax m - s`, `s = sqrt(var)`, as in
    /// [`super::EnhancedLee`].
    #[inline(always)]
    fn filtered(x: f32, valid: bool, m: f64, var: f64, c: &Coefficients) -> f32 {
        let x64 = f64::from(x);
        let s = var.max(0.0).sqrt();
        let above_cu = s - c.cu * m;
        let below_cmax = c.cmax * m - s;
        let m2 = m * m;
        // var - Cu^2 m^2 as a product, positive wherever above_cu is.
        let excess = above_cu * (s + c.cu * m);
        let beta = excess / ((1.0 + c.cu * c.cu) * m2);
        let b = 1.0 - (c.looks + 1.0) * beta;
        let d = (b * b * m2 + 4.0 * c.looks * beta * m * x64).max(0.0);
        let map = 0.5 * (b * m + d.sqrt());
        let filtered = if above_cu <= 0.0 {
            m
        } else if below_cmax <= 0.0 {
            x64
        } else {
            map
        };
        finish(x, valid, m, filtered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published form, with alpha.
    fn published(x: f64, m: f64, var: f64, c: &Coefficients) -> f64 {
        let ci2 = var / (m * m);
        let alpha = (1.0 + c.cu * c.cu) / (ci2 - c.cu * c.cu);
        let b = alpha - c.looks - 1.0;
        let d = m * m * b * b + 4.0 * alpha * c.looks * m * x;
        (b * m + d.sqrt()) / (2.0 * alpha)
    }

    #[test]
    fn middle_branch_is_the_published_root() {
        let c = Coefficients {
            cu: 0.5,
            cmax: 0.5 * std::f64::consts::SQRT_2,
            damping: 1.0,
            looks: 4.0,
            sigma_range: (f64::NAN, f64::NAN),
            revised_cu2: f64::NAN,
            point_threshold: f64::NAN,
            variance: crate::params::Variance::Population,
            chebyshev: false,
            earth_engine: false,
        };
        for (x, var) in [(3.0f32, 1.3), (0.5, 1.9), (10.0, 1.5), (0.0, 1.1)] {
            let got = f64::from(GammaMap::filtered(x, true, 2.0, var, &c));
            let want = published(f64::from(x), 2.0, var, &c);
            assert!(
                (got - want).abs() <= 1e-6 * want.abs(),
                "{x} {var}: {got} {want}"
            );
        }
        assert_eq!(GammaMap::filtered(3.0, true, 2.0, 0.5, &c), 2.0);
        assert_eq!(GammaMap::filtered(3.0, true, 2.0, 2.5, &c), 3.0);
        assert_eq!(GammaMap::filtered(3.0, true, -1.0, 2.5, &c), 3.0);
    }

    #[test]
    fn tends_to_the_mean_at_cu() {
        let c = Coefficients {
            cu: 0.5,
            cmax: 1.0,
            damping: 1.0,
            looks: 4.0,
            sigma_range: (f64::NAN, f64::NAN),
            revised_cu2: f64::NAN,
            point_threshold: f64::NAN,
            variance: crate::params::Variance::Population,
            chebyshev: false,
            earth_engine: false,
        };
        let got = GammaMap::filtered(7.0, true, 2.0, 1.0 + 1e-12, &c);
        assert!((f64::from(got) - 2.0).abs() < 1e-6, "{got}");
    }
}
