//! Boxcar: the mean of the window's valid pixels, SNAP's `Boxcar.java`
//! and the local mean of Quegan's multi-temporal filter
//! (`docs/filters.md`).

use super::{PointRule, SpeckleFilter};
use crate::params::{Coefficients, Params};

/// `out = m`, the mean of the valid pixels of the window.
pub struct Boxcar;

impl SpeckleFilter for Boxcar {
    const NAME: &'static str = "boxcar";
    const SOURCE: &'static str = "the window mean";
    const PARAMETERS: &'static [&'static str] = &["window"];

    /// The window's radius whatever `statistic` says: it reads no variance.
    fn context_radius(p: &Params) -> usize {
        p.radius()
    }
}

impl PointRule for Boxcar {
    #[inline(always)]
    /// Unlike the speckle rules, any mean is kept, negative too (the
    /// off-diagonal elements of a covariance matrix): a valid pixel's
    /// window holds at least that pixel.
    fn filtered(x: f32, valid: bool, m: f64, _var: f64, _c: &Coefficients) -> f32 {
        if valid {
            m as f32
        } else {
            x
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: Coefficients = Coefficients {
        cu: f64::NAN,
        cmax: f64::INFINITY,
        damping: f64::NAN,
        looks: f64::NAN,
        sigma_range: (f64::NAN, f64::NAN),
        revised_cu2: f64::NAN,
        point_threshold: f64::NAN,
        variance: crate::params::Variance::Population,
        chebyshev: false,
        earth_engine: false,
    };

    #[test]
    fn valid_pixels_take_the_mean_and_the_others_pass_through() {
        assert_eq!(Boxcar::filtered(3.0, true, 2.5, 9.0, &C), 2.5);
        assert_eq!(Boxcar::filtered(3.0, false, 2.5, 9.0, &C), 3.0);
        assert_eq!(Boxcar::filtered(3.0, true, -0.5, 0.0, &C), -0.5);
    }
}
