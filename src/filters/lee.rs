//! Lee (Lee 1980, 1981): the minimum mean square error blend of the pixel
//! and its window mean, in the form SNAP and ENVI use (`docs/filters.md`).

use super::{derives_cu, finish, PointRule, SpeckleFilter};
use crate::params::{Coefficients, Params};

/// `out = m + k (x - m)`, `k = max(0, 1 - Cu^2 / Ci^2)`, `Ci^2 = var / m^2`.
pub struct Lee;

impl SpeckleFilter for Lee {
    const NAME: &'static str = "lee";
    const SOURCE: &'static str = "Lee 1980";
    const PARAMETERS: &'static [&'static str] = &["window", "looks", "signal", "statistic", "cu"];

    fn uses_looks(p: &Params) -> bool {
        derives_cu(p)
    }
}

impl PointRule for Lee {
    /// Evaluated as `k = max(0, var - Cu^2 m^2) / var`: no division by a
    /// zero variance (`k = 0` there, the output is `m`).
    #[inline(always)]
    fn filtered(x: f32, valid: bool, m: f64, var: f64, c: &Coefficients) -> f32 {
        let x64 = f64::from(x);
        let excess = var - c.cu * c.cu * (m * m);
        let k = if excess > 0.0 { excess / var } else { 0.0 };
        finish(x, valid, m, m + k * (x64 - m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: Coefficients = Coefficients {
        cu: 0.5,
        cmax: f64::INFINITY,
        damping: 1.0,
        looks: 4.0,
        sigma_range: (f64::NAN, f64::NAN),
        revised_cu2: f64::NAN,
        point_threshold: f64::NAN,
        variance: crate::params::Variance::Population,
        chebyshev: false,
        earth_engine: false,
    };

    #[test]
    fn homogeneous_windows_give_the_mean_and_textured_ones_blend() {
        assert_eq!(Lee::filtered(3.0, true, 2.0, 0.0, &C), 2.0);
        assert_eq!(Lee::filtered(3.0, true, 2.0, 1.0, &C), 2.0); // Ci = Cu
                                                                 // Ci = 1: k = 1 - 0.25 = 0.75
        assert_eq!(Lee::filtered(3.0, true, 2.0, 4.0, &C), 2.75);
        assert_eq!(Lee::filtered(3.0, false, 2.0, 4.0, &C), 3.0);
        assert_eq!(Lee::filtered(3.0, true, -2.0, 4.0, &C), 3.0);
        assert_eq!(Lee::filtered(3.0, true, f64::NAN, 0.0, &C), 3.0);
    }
}
