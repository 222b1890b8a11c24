//! Kuan (Kuan, Sawchuk, Strand & Chavel 1985): the Lee blend with the
//! weight of the multiplicative noise model (`docs/filters.md`).

use super::{derives_cu, finish, PointRule, SpeckleFilter};
use crate::params::{Coefficients, Params};

/// `out = m + k (x - m)`, `k = (1 - Cu^2 / Ci^2) / (1 + Cu^2)` clamped to
/// `[0, 1]`, `Ci^2 = var / m^2`.
pub struct Kuan;

impl SpeckleFilter for Kuan {
    const NAME: &'static str = "kuan";
    const SOURCE: &'static str = "Kuan et al. 1985";
    const PARAMETERS: &'static [&'static str] = &["window", "looks", "signal", "statistic", "cu"];

    fn uses_looks(p: &Params) -> bool {
        derives_cu(p)
    }
}

impl Kuan {
    /// The weight `k`, evaluated as `max(0, var - Cu^2 m^2) / (var (1 +
    /// Cu^2))`, at most 1 (Lee Sigma's estimates use it too).
    #[inline(always)]
    pub(super) fn gain(m: f64, var: f64, cu2: f64) -> f64 {
        let excess = var - cu2 * (m * m);
        if excess > 0.0 {
            (excess / (var * (1.0 + cu2))).min(1.0)
        } else {
            0.0
        }
    }
}

impl PointRule for Kuan {
    #[inline(always)]
    fn filtered(x: f32, valid: bool, m: f64, var: f64, c: &Coefficients) -> f32 {
        let x64 = f64::from(x);
        let k = Kuan::gain(m, var, c.cu * c.cu);
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
    fn weight_is_lees_divided_by_one_plus_cu_squared() {
        assert_eq!(Kuan::filtered(3.0, true, 2.0, 0.0, &C), 2.0);
        assert_eq!(Kuan::filtered(3.0, true, 2.0, 1.0, &C), 2.0); // Ci = Cu
                                                                  // Ci = 1: k = 0.75 / 1.25 = 0.6
        assert_eq!(Kuan::filtered(3.0, true, 2.0, 4.0, &C), 2.6);
        assert_eq!(Kuan::filtered(3.0, false, 2.0, 4.0, &C), 3.0);
        assert_eq!(Kuan::filtered(3.0, true, 0.0, 4.0, &C), 3.0);
    }
}
