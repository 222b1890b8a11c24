//! Filter parameters, their validation, and the coefficients derived from
//! them (SPEC.md, "Inputs").

use crate::error::Error;
pub use crate::filters::Filter;
use crate::vocabulary::OwnValues;

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

/// Whose conventions the window statistics follow (`docs/filters.md`,
/// "compat=snap").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compat {
    /// SPEC.md's: population variance, windows padded by `border`,
    /// Euclidean distance in Frost.
    None,
    /// SNAP's Speckle-Filter: sample variance (`n - 1`), windows clipped at
    /// the raster edge (`border` is not used), Chebyshev distance in Frost.
    Snap,
    /// Refined Lee only: the Earth Engine script's choice of the half
    /// (signed differences, tied gradients adding their direction codes)
    /// and its unclamped gain; SPEC's statistics and borders otherwise.
    EarthEngine,
}

/// How the planes of an image are filtered (`docs/filters.md`,
/// "Time series").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Temporal {
    /// Each plane alone.
    None,
    /// The planes are co-registered dates of one scene: Quegan & Yu's
    /// multi-temporal filter over the filtered dates.
    Quegan,
}

/// The divisor of the window variances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variance {
    /// Divided by the number of valid pixels `n` (SPEC.md).
    Population,
    /// Divided by `n - 1`, 0 for one pixel (SNAP's).
    Sample,
}

impl Variance {
    /// The variance of `n` valid pixels whose population variance is `var`,
    /// given `inv_n = 1 / n`: `var`, or `var n / (n - 1)` (0 for `n = 1`).
    #[inline(always)]
    pub fn of(self, var: f64, inv_n: f64) -> f64 {
        match self {
            Variance::Population => var,
            Variance::Sample if inv_n < 1.0 => var / (1.0 - inv_n),
            Variance::Sample => 0.0,
        }
    }
}

/// The largest thread count accepted; more is certainly a mistake.
pub const MAX_THREADS: usize = max_threads!();

/// All parameters of the filter. `Params::default()` is SPEC's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// The filter. Default Enhanced Lee.
    pub filter: Filter,
    /// Window side, odd and at least 3.
    pub window: usize,
    /// Number of looks `L`, finite and > 0; or NaN (`looks=auto`):
    /// estimated from the whole raster ([`crate::estimate_looks`]) by a
    /// whole-raster call, while a region needs the estimate set
    /// ([`Params::looks_state`]).
    pub looks: f64,
    /// Damping factor `K` of Enhanced Lee and Frost, finite and >= 0.
    pub damping: f64,
    /// Explicit `Cu`; `None` derives it from `looks` and `signal`.
    pub cu: Option<f64>,
    /// Explicit `Cmax`; `None` derives it: `sqrt(1 + 2/looks)` for Enhanced
    /// Lee, `sqrt(2) Cu` for Gamma-MAP. Lee, Kuan and Frost have no `Cmax`.
    pub cmax: Option<f64>,
    pub signal: Signal,
    pub statistic: Statistic,
    pub border: Border,
    /// Pixels equal to this value (compared as f32) are invalid.
    pub nodata: Option<f32>,
    /// Worker threads; 0 means every thread of the current rayon pool.
    pub threads: usize,
    /// Lee Sigma's probability of the sigma range: one of [`SIGMAS`].
    pub sigma: f64,
    /// Lee Sigma's target window (a priori mean, point targets): 3 or 5.
    pub target_window: usize,
    /// Lee Sigma's point-target threshold (the 98th percentile of the whole
    /// raster's valid pixels, [`crate::point_threshold`]); `None` computes
    /// it from the image of a whole-raster call. Not NaN.
    pub point_threshold: Option<f64>,
    /// Whose conventions the statistics follow. Default SPEC.md's.
    pub compat: Compat,
    /// How the planes of an image are filtered: each alone, or as dates.
    pub temporal: Temporal,
    /// The parameters that filters declare for themselves (IDAN's
    /// `an_size`), set and read by name ([`Params::set`],
    /// [`Params::own`]). Default: each one's default.
    pub own: OwnValues,
}

/// Whether filtering reads a value of the whole raster, Lee Sigma's point
/// threshold ([`Params::point_threshold_state`]) or the estimated looks
/// ([`Params::looks_state`]), and whether the parameters hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WholeRasterState {
    /// The filter does not use the value.
    Unused,
    /// The filter needs it and the parameters do not hold it: a
    /// whole-raster call computes it; a region of a raster needs it
    /// computed over the whole raster first (a search over the pieces)
    /// and set.
    Needed,
    /// The parameters hold it.
    Given,
}

/// The probabilities of Lee Sigma's published sigma ranges.
pub const SIGMAS: [f64; 6] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/// Lee Sigma's target windows.
pub const TARGET_WINDOWS: [usize; 2] = [3, 5];

impl Default for Params {
    fn default() -> Self {
        Params {
            filter: Filter::EnhancedLee,
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
            sigma: 0.9,
            target_window: 3,
            point_threshold: None,
            compat: Compat::None,
            temporal: Temporal::None,
            own: OwnValues::default(),
        }
    }
}

/// `window` is odd, at least 3, and fits the C ABI's `uint32_t`.
pub(crate) fn check_window(window: usize) -> Result<(), Error> {
    if window < 3 || window.is_multiple_of(2) || window > u32::MAX as usize {
        return Err(Error::InvalidWindow);
    }
    Ok(())
}

/// `looks` is finite and > 0, or NaN (auto).
pub(crate) fn check_looks(looks: f64) -> Result<(), Error> {
    if !(looks.is_nan() || (looks.is_finite() && looks > 0.0)) {
        return Err(Error::InvalidLooks);
    }
    Ok(())
}

/// `damping` is finite and >= 0.
pub(crate) fn check_damping(damping: f64) -> Result<(), Error> {
    if !(damping.is_finite() && damping >= 0.0) {
        return Err(Error::InvalidDamping);
    }
    Ok(())
}

/// One of [`SIGMAS`].
pub(crate) fn check_sigma(sigma: f64) -> Result<(), Error> {
    if !SIGMAS.contains(&sigma) {
        return Err(Error::InvalidSigma);
    }
    Ok(())
}

/// One of [`TARGET_WINDOWS`].
pub(crate) fn check_target_window(window: usize) -> Result<(), Error> {
    if !TARGET_WINDOWS.contains(&window) {
        return Err(Error::InvalidTargetWindow);
    }
    Ok(())
}

/// A number, not NaN (infinities allowed: `+inf` keeps no point target).
pub(crate) fn check_point_threshold(value: Option<f64>) -> Result<(), Error> {
    if value.is_some_and(f64::is_nan) {
        return Err(Error::InvalidPointThreshold);
    }
    Ok(())
}

/// At most [`MAX_THREADS`].
pub(crate) fn check_threads(threads: usize) -> Result<(), Error> {
    if threads > MAX_THREADS {
        return Err(Error::InvalidThreads);
    }
    Ok(())
}

/// An explicit `cu` or `cmax` on its own: finite and >= 0 (`cu < cmax` is
/// checked with both, by [`Params::validate`]).
pub(crate) fn check_coefficient(value: Option<f64>) -> Result<(), Error> {
    match value {
        Some(v) if !(v.is_finite() && v >= 0.0) => Err(Error::InvalidCoefficients),
        _ => Ok(()),
    }
}

/// The constants of the per-pixel rule, derived from validated [`Params`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coefficients {
    pub cu: f64,
    /// `Cmax`; infinite for the filters that have no upper branch.
    pub cmax: f64,
    pub damping: f64,
    pub looks: f64,
    /// Lee Sigma's sigma range `[low, high]` (times the a priori mean) and
    /// the squared coefficient of variation of the speckle inside it.
    pub sigma_range: (f64, f64),
    pub revised_cu2: f64,
    /// Lee Sigma's point-target threshold; NaN until a whole-raster call
    /// computes it (`Params::point_threshold` unset).
    pub point_threshold: f64,
    /// The divisor of every window variance.
    pub variance: Variance,
    /// Frost's distance from the window's centre: Chebyshev
    /// (`max(|dx|, |dy|)`, SNAP's) rather than Euclidean.
    pub chebyshev: bool,
    /// Refined Lee's half and gain are the Earth Engine script's.
    pub earth_engine: bool,
}

impl Params {
    /// Window radius `r = (window - 1) / 2`.
    pub fn radius(&self) -> usize {
        self.window / 2
    }

    /// Pixels of context a region needs on each side: `r` for the `window`
    /// statistic, `2r` for `residual` (its local means need their own
    /// window); for Lee Sigma the larger of `r` and twice the target
    /// window's radius (a point target's cluster is found by its
    /// neighbours' target windows).
    pub fn halo(&self) -> Result<usize, Error> {
        self.validate()?;
        Ok(self.context_radius())
    }

    /// The local variance the filter's statistics use: `statistic`, or the
    /// window statistic for a filter that does not read it (Boxcar reads
    /// no variance; Lee Sigma refuses any other).
    pub fn statistic_used(&self) -> Statistic {
        if self.filter.parameters().contains(&"statistic") {
            self.statistic
        } else {
            Statistic::Window
        }
    }

    /// The halo of validated parameters.
    pub(crate) fn context_radius(&self) -> usize {
        self.filter.context_radius(self)
    }

    /// How far from an output pixel the filter reads single pixels: the
    /// radius of its window rows.
    pub(crate) fn pixel_radius(&self) -> usize {
        self.filter.pixel_radius(self)
    }

    /// The side of the windows whose mean and variance the shared engine
    /// computes.
    pub(crate) fn stats_window(&self) -> usize {
        self.filter.stats_window(self)
    }

    /// Checks every parameter and derives the coefficients of the filter's
    /// rule (SPEC, "Inputs"): `Cu` from the looks and signal unless given,
    /// and what the filter derives itself.
    pub fn validate(&self) -> Result<Coefficients, Error> {
        check_window(self.window)?;
        check_looks(self.looks)?;
        check_damping(self.damping)?;
        check_threads(self.threads)?;
        check_coefficient(self.cu)?;
        check_coefficient(self.cmax)?;
        check_sigma(self.sigma)?;
        check_target_window(self.target_window)?;
        check_point_threshold(self.point_threshold)?;
        if self.compat == Compat::EarthEngine && !self.filter.takes_gee() {
            return Err(Error::InvalidCompat);
        }
        self.filter.check(self)?;
        // Auto looks are derived from once estimated (`filter::plan` sets
        // them and validates again): until then the coefficients are
        // placeholders derived at one look, and only explicit ones are
        // checked (`check_coefficient` above, and `cu < cmax` when both
        // are given).
        let auto = self.looks_state() == WholeRasterState::Needed;
        let looks = if self.looks.is_nan() { 1.0 } else { self.looks };
        let sqrt_l = looks.sqrt();
        // Only a filter that reads `cu` takes an explicit one.
        let explicit_cu = self.cu.filter(|_| self.filter.parameters().contains(&"cu"));
        let cu = explicit_cu.unwrap_or(match self.signal {
            Signal::Intensity => 1.0 / sqrt_l,
            Signal::Amplitude => (4.0 / std::f64::consts::PI - 1.0).sqrt() / sqrt_l,
        });
        let judged = !auto;
        if judged && !(cu.is_finite() && cu >= 0.0) {
            return Err(Error::InvalidCoefficients);
        }
        let cmax = self.filter.cmax(self, cu, looks);
        let derived = auto && (explicit_cu.is_none() || self.cmax.is_none());
        let judged_cmax = cmax.filter(|_| !derived);
        if judged_cmax.is_some_and(|cmax| !(cmax.is_finite() && cu < cmax)) {
            return Err(Error::InvalidCoefficients);
        }
        let mut coefficients = Coefficients {
            cu,
            cmax: cmax.unwrap_or(f64::INFINITY),
            damping: self.damping,
            looks,
            sigma_range: (f64::NAN, f64::NAN),
            revised_cu2: f64::NAN,
            point_threshold: self.point_threshold.unwrap_or(f64::NAN),
            variance: match self.compat {
                Compat::None | Compat::EarthEngine => Variance::Population,
                Compat::Snap => Variance::Sample,
            },
            chebyshev: self.compat == Compat::Snap,
            earth_engine: self.compat == Compat::EarthEngine,
        };
        self.filter.derive(self, looks, &mut coefficients);
        Ok(coefficients)
    }

    /// What `error`, returned for these parameters, means for people: the
    /// filter's own rule where the filter refuses them with it
    /// (`"refined_lee takes window 7"`), else the error's message.
    pub fn explain(&self, error: Error) -> String {
        let own = self.filter.check(self).err() == Some(error);
        match self.filter.rule(error).filter(|_| own) {
            Some(rule) => rule.to_owned(),
            None => error.message().to_owned(),
        }
    }

    /// Whether filtering needs Lee Sigma's point threshold of the whole
    /// raster, and whether these parameters hold it.
    pub fn point_threshold_state(&self) -> WholeRasterState {
        match (self.filter.uses_point_threshold(), self.point_threshold) {
            (false, _) => WholeRasterState::Unused,
            (true, None) => WholeRasterState::Needed,
            (true, Some(_)) => WholeRasterState::Given,
        }
    }

    /// Whether filtering uses the looks (to derive `Cu`, `Cmax` or Lee
    /// Sigma's ranges), and whether they are given or `auto` (NaN).
    pub fn looks_state(&self) -> WholeRasterState {
        match (self.filter.uses_looks(self), self.looks.is_nan()) {
            (false, _) => WholeRasterState::Unused,
            (true, true) => WholeRasterState::Needed,
            (true, false) => WholeRasterState::Given,
        }
    }

    /// The border rule the windows use: `border`, or windows clipped at
    /// the raster edge (`Shrink`) under `compat=snap`.
    pub fn effective_border(&self) -> Border {
        match self.compat {
            Compat::None | Compat::EarthEngine => self.border,
            Compat::Snap => Border::Shrink,
        }
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
    fn a_filters_own_rule_is_named_alone() {
        let explain = |p: Params| p.explain(p.validate().unwrap_err());
        let d = Params::default();
        let refined = Params {
            filter: Filter::RefinedLee,
            window: 9,
            ..d
        };
        assert_eq!(explain(refined), "refined_lee takes window 7");
        let sigma = Params {
            filter: Filter::LeeSigma,
            looks: f64::NAN,
            ..d
        };
        assert_eq!(
            explain(sigma),
            "lee_sigma takes 1, 2, 3 or 4 looks (its table's rows)"
        );
        // Errors of the common checks keep their message.
        let even = Params { window: 8, ..d };
        assert_eq!(explain(even), Error::InvalidWindow.message());
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
        // NaN is auto, which Lee Sigma's table cannot take.
        assert!(Params {
            looks: f64::NAN,
            ..d
        }
        .validate()
        .is_ok());
        assert_eq!(
            bad(Params {
                looks: f64::NAN,
                filter: Filter::LeeSigma,
                ..d
            }),
            Error::InvalidLooks
        );
        assert_eq!(
            bad(Params {
                looks: f64::INFINITY,
                ..d
            }),
            Error::InvalidLooks
        );
        // With auto looks only explicit coefficients are judged: Cmax is
        // derived once the looks are estimated (`filter::plan`).
        let auto = Params {
            looks: f64::NAN,
            ..d
        };
        assert!(Params {
            cu: Some(2.0),
            ..auto
        }
        .validate()
        .is_ok());
        assert_eq!(
            bad(Params {
                cu: Some(2.0),
                cmax: Some(1.0),
                ..auto
            }),
            Error::InvalidCoefficients
        );
        assert_eq!(
            bad(Params {
                cmax: Some(-1.0),
                ..auto
            }),
            Error::InvalidCoefficients
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
