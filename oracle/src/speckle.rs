//! The speckle model shared by the point rules (docs/filters.md, the
//! common rules; SPEC "Inputs"): the coefficient of variation `Cu` of
//! `L`-look speckle.

use std::f64::consts::PI;

/// What the pixel values measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Power: `L`-look intensity speckle is Gamma(L, 1/L), `Cu = 1/sqrt(L)`.
    Intensity,
    /// Amplitude: the one-look Rayleigh `Cu = sqrt(4/pi - 1)`, over
    /// `sqrt(L)`.
    Amplitude,
}

/// `Cu` of `looks`-look speckle.
pub fn cu(signal: Signal, looks: f64) -> f64 {
    let one_look = match signal {
        Signal::Intensity => 1.0,
        // Rayleigh: E[A^2] / E[A]^2 = 1 / (pi / 4).
        Signal::Amplitude => (4.0 / PI - 1.0).sqrt(),
    };
    one_look / looks.sqrt()
}

#[cfg(test)]
mod tests {
    #[test]
    fn amplitude_cu_is_the_published_0_5227() {
        assert!((super::cu(super::Signal::Amplitude, 1.0) - 0.5227).abs() < 5e-5);
        assert_eq!(super::cu(super::Signal::Intensity, 4.0), 0.5);
    }
}
