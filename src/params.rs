//! Filter parameters, their validation, and the coefficients derived from
//! them (SPEC.md, "Inputs").

use crate::error::Error;

/// What the pixel values measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Power (intensity) image: `Cu = 1/sqrt(L)`.
    Intensity,
    /// Amplitude image: `Cu = sqrt(4/pi - 1)/sqrt(L)`.
    Amplitude,
}

/// How the local variance is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    /// `var = mean_w(x^2) - mean_w(x)^2`, clamped at 0.
    Window,
    /// `var = mean_w((x_j - m_j)^2)` with `m_j` the local mean at each pixel `j`.
    Residual,
}

/// How windows that cross the image edge are filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Border {
    /// `d c b a | a b c d | d c b a` (scipy `reflect`, numpy `symmetric`).
    Reflect,
    /// `d c b | a b c d | c b a` (scipy `mirror`, numpy `reflect`).
    Mirror,
    /// `a a a | a b c d | d d d`.
    Nearest,
    /// No padding: statistics use only the pixels inside the image.
    Shrink,
}

/// The largest thread count accepted; more is certainly a mistake.
pub const MAX_THREADS: usize = 1024;

/// All parameters of the filter. `Params::default()` is SPEC's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// Window side, odd and at least 3.
    pub window: usize,
    /// Number of looks `L`, finite and > 0.
    pub looks: f64,
    /// Damping factor `K`, finite and >= 0.
    pub damping: f64,
    /// Explicit `Cu`; `None` derives it from `looks` and `signal`.
    pub cu: Option<f64>,
    /// Explicit `Cmax`; `None` derives it from `looks`.
    pub cmax: Option<f64>,
    pub signal: Signal,
    pub statistic: Statistic,
    pub border: Border,
    /// Pixels equal to this value (compared as f32) are invalid.
    pub nodata: Option<f32>,
    /// Worker threads; 0 means every thread of the current rayon pool.
    pub threads: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            window: 7,
            looks: 1.0,
            damping: 1.0,
            cu: None,
            cmax: None,
            signal: Signal::Intensity,
            statistic: Statistic::Window,
            border: Border::Reflect,
            nodata: None,
            threads: 0,
        }
    }
}

/// The constants of the per-pixel rule, derived from validated [`Params`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coefficients {
    pub cu: f64,
    pub cmax: f64,
    pub damping: f64,
}

impl Params {
    /// Window radius `r = (window - 1) / 2`.
    pub fn radius(&self) -> usize {
        self.window / 2
    }

    /// Pixels of context a region needs on each side: `r` for the `window`
    /// statistic, `2r` for `residual` (its local means need their own window).
    pub fn halo(&self) -> Result<usize, Error> {
        self.validate()?;
        Ok(match self.statistic {
            Statistic::Window => self.radius(),
            Statistic::Residual => 2 * self.radius(),
        })
    }

    /// Checks every parameter and derives `Cu` and `Cmax` (SPEC, "Inputs").
    pub fn validate(&self) -> Result<Coefficients, Error> {
        if self.window < 3 || self.window.is_multiple_of(2) || self.window > u32::MAX as usize {
            return Err(Error::InvalidWindow);
        }
        if !(self.looks.is_finite() && self.looks > 0.0) {
            return Err(Error::InvalidLooks);
        }
        if !(self.damping.is_finite() && self.damping >= 0.0) {
            return Err(Error::InvalidDamping);
        }
        if self.threads > MAX_THREADS {
            return Err(Error::InvalidThreads);
        }
        let sqrt_l = self.looks.sqrt();
        let cu = self.cu.unwrap_or(match self.signal {
            Signal::Intensity => 1.0 / sqrt_l,
            Signal::Amplitude => (4.0 / std::f64::consts::PI - 1.0).sqrt() / sqrt_l,
        });
        let cmax = self.cmax.unwrap_or((1.0 + 2.0 / self.looks).sqrt());
        if !(cu.is_finite() && cmax.is_finite() && cu >= 0.0 && cu < cmax) {
            return Err(Error::InvalidCoefficients);
        }
        Ok(Coefficients {
            cu,
            cmax,
            damping: self.damping,
        })
    }

    /// True when `x` takes part in statistics and is filtered (SPEC,
    /// "Output" 1): finite and not equal to the nodata value.
    #[inline(always)]
    pub fn is_valid(&self, x: f32) -> bool {
        // Branch-free for row loops: finite is an integer test on the bits,
        // and no nodata compares as NaN (equal to nothing).
        let finite = x.to_bits() & 0x7fff_ffff < 0x7f80_0000;
        finite & (x != self.nodata.unwrap_or(f32::NAN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_spec() {
        let p = Params::default();
        let c = p.validate().unwrap();
        assert_eq!(p.window, 7);
        assert_eq!(c.cu, 1.0);
        assert_eq!(c.cmax, 3f64.sqrt());
        assert_eq!(p.halo().unwrap(), 3);
    }

    #[test]
    fn amplitude_cu() {
        let p = Params {
            signal: Signal::Amplitude,
            looks: 4.0,
            ..Params::default()
        };
        let c = p.validate().unwrap();
        assert!((c.cu - 0.5227 / 2.0).abs() < 1e-4);
    }

    #[test]
    fn rejects_bad_parameters() {
        let bad = |p: Params| p.validate().unwrap_err();
        let d = Params::default();
        assert_eq!(bad(Params { window: 4, ..d }), Error::InvalidWindow);
        assert_eq!(bad(Params { window: 1, ..d }), Error::InvalidWindow);
        assert_eq!(bad(Params { looks: 0.0, ..d }), Error::InvalidLooks);
        assert_eq!(
            bad(Params {
                looks: f64::NAN,
                ..d
            }),
            Error::InvalidLooks
        );
        assert_eq!(bad(Params { damping: -1.0, ..d }), Error::InvalidDamping);
        assert_eq!(
            bad(Params {
                damping: f64::INFINITY,
                ..d
            }),
            Error::InvalidDamping
        );
        assert_eq!(
            bad(Params { cu: Some(2.0), ..d }),
            Error::InvalidCoefficients
        );
        assert_eq!(
            bad(Params {
                cu: Some(1.0),
                cmax: Some(1.0),
                ..d
            }),
            Error::InvalidCoefficients
        );
        assert_eq!(
            bad(Params {
                threads: MAX_THREADS + 1,
                ..d
            }),
            Error::InvalidThreads
        );
    }
}
