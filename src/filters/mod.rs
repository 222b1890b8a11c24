//! The speckle filters: the registry. Each filter is one module that
//! implements [`SpeckleFilter`] (its name, the parameters it reads, its own
//! rules on them, how far it reads, the whole-raster values it needs, its
//! scratch and its row kernel), and [`registry!`] below lists them once.
//! Everything else (the engine, the vocabulary, the errors, the C ABI)
//! asks [`Filter`], which the list generates: no other module matches on
//! filters. `docs/filters.md` defines each filter, with its sources.
//!
//! Every filter is a rule over the window statistics that the shared
//! engine (`crate::band`, `crate::stage`) computes: the pixel `x`, the
//! mean `m` and the variance `var` of the valid pixels of its window; some
//! also read the window's pixels one by one (`crate::window_rows`).

mod boxcar;
mod enhanced_lee;
mod exp;
mod frost;
mod gamma_map;
mod idan;
mod kuan;
mod lee;
mod lee_sigma;
mod median;
mod refined_lee;

#[cfg(feature = "bench-internals")]
pub use {enhanced_lee::enhanced_lee, exp::exp_neg};

use std::ops::Range;

use crate::band::{BandIo, Plan, Weighting};
use crate::error::Error;
use crate::params::{Coefficients, Params, Statistic};
use crate::vocabulary::Parameter;

/// One speckle filter, as the engine, the vocabulary and the C ABI see it.
/// Only [`SpeckleFilter::NAME`], [`SpeckleFilter::SOURCE`] and
/// [`SpeckleFilter::PARAMETERS`] have no default: a filter over the window
/// statistics needs nothing else besides its [`RowKernel`] (a
/// [`PointRule`] has it).
pub trait SpeckleFilter {
    /// Its name in the vocabulary (`filter=NAME`).
    const NAME: &'static str;
    /// What it is and who published it, for help texts
    /// (`"Lee 1980"`).
    const SOURCE: &'static str;
    /// The vocabulary parameters it reads, besides those every filter
    /// reads (`crate::vocabulary::Parameter::every_filter`).
    const PARAMETERS: &'static [&'static str];
    /// The parameters it declares for itself ([`Parameter::own`]), read
    /// with [`Params::own`]; listed by the vocabulary after the common
    /// ones.
    const OWN_PARAMETERS: &'static [Parameter] = &[];
    /// Whether it reads the whole window's mean and variance where every
    /// position of the window is valid (the engine skips them otherwise).
    const READS_WINDOW_STATISTICS_WHERE_VALID: bool = true;
    /// Whether it takes `compat=gee` (the Earth Engine script's rule).
    const TAKES_GEE: bool = false;

    /// Its own rules on parameters that passed the vocabulary's checks
    /// (a window size it cannot take, looks outside its table, ...).
    fn check(_p: &Params) -> Result<(), Error> {
        Ok(())
    }

    /// Its own rule for the parameter that `error` reports, as a sentence
    /// that names the filter (`"refined_lee takes window 7"`), where
    /// [`SpeckleFilter::check`] refuses with `error`.
    fn rule(_error: Error) -> Option<&'static str> {
        None
    }

    /// Whether it derives anything from the looks with these parameters.
    fn uses_looks(_p: &Params) -> bool {
        false
    }

    /// Whether it needs Lee Sigma's point threshold of the whole raster.
    fn uses_point_threshold() -> bool {
        false
    }

    /// Its upper branch point `Cmax` given `Cu` and the looks, or `None`
    /// when its rule has no upper branch.
    fn cmax(_p: &Params, _cu: f64, _looks: f64) -> Option<f64> {
        None
    }

    /// Fills the coefficients that are its own (Lee Sigma's sigma range).
    fn derive(_p: &Params, _looks: f64, _c: &mut Coefficients) {}

    /// Pixels of context a region needs on each side: `r` for the `window`
    /// statistic, `2r` for `residual` (its local means need their own
    /// window).
    fn context_radius(p: &Params) -> usize {
        match p.statistic_used() {
            Statistic::Window => p.radius(),
            Statistic::Residual => 2 * p.radius(),
        }
    }

    /// How far from an output pixel it reads single pixels (the radius of
    /// its window rows).
    fn pixel_radius(p: &Params) -> usize {
        p.radius()
    }

    /// The side of the windows whose mean and variance the engine computes.
    fn stats_window(p: &Params) -> usize {
        p.window
    }

    /// Work space (f64) of its row kernel for a row of `n` output pixels,
    /// besides its window rows; `None` when it reads only the window
    /// statistics (no window rows either). `n` is at most a raster side,
    /// 2^60: no overflow.
    fn row_scratch(_p: &Params, _n: usize) -> Option<usize> {
        None
    }
}

/// A filter's row kernel. Point rules ([`PointRule`]) have it from their
/// rule; the filters that read the window's pixels write their own.
pub trait RowKernel {
    /// Writes output row `y` of tile `tile`: pixel `j` from its value and
    /// `stats(j)`, the mean and variance of its window, and (when
    /// [`SpeckleFilter::row_scratch`] is `Some`) the window's pixels in
    /// `weighting`. `dense`: every pixel of the band is valid.
    fn write_row(
        io: &mut impl BandIo,
        plan: &Plan,
        y: usize,
        tile: &Range<usize>,
        dense: bool,
        weighting: &mut Weighting,
        stats: impl Fn(usize) -> (f64, f64),
    );
}

impl<R: PointRule> RowKernel for R {
    #[inline(always)]
    fn write_row(
        io: &mut impl BandIo,
        plan: &Plan,
        y: usize,
        tile: &Range<usize>,
        dense: bool,
        _weighting: &mut Weighting,
        stats: impl Fn(usize) -> (f64, f64),
    ) {
        io.write_row(
            y,
            tile.clone(),
            #[inline(always)]
            |j, x| {
                let (m, var) = stats(j);
                R::filtered(x, dense || plan.params.is_valid(x), m, var, &plan.coeffs)
            },
        );
    }
}

/// Generates [`Filter`] from the list of filters: one variant per filter,
/// in the order of their C constants, and a method per
/// [`SpeckleFilter`] item that asks the variant's filter.
macro_rules! registry {
    ($($(#[$doc:meta])* $variant:ident => $filter:ty,)*) => {
        /// Which speckle filter computes each output pixel
        /// (`docs/filters.md` defines each).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Filter {
            $($(#[$doc])* $variant,)*
        }

        impl Filter {
            /// Every filter, in the order of their C constants.
            pub const ALL: &'static [Filter] = &[$(Filter::$variant,)*];

            /// Its name in the vocabulary (`enhanced_lee`, `lee`, ...).
            pub fn name(self) -> &'static str {
                match self { $(Filter::$variant => <$filter>::NAME,)* }
            }

            /// What it is and who published it, for help texts.
            pub fn source(self) -> &'static str {
                match self { $(Filter::$variant => <$filter>::SOURCE,)* }
            }

            /// The vocabulary parameters it reads, besides those of every
            /// filter.
            pub fn parameters(self) -> &'static [&'static str] {
                match self { $(Filter::$variant => <$filter>::PARAMETERS,)* }
            }

            /// The parameters it declares for itself.
            pub fn own_parameters(self) -> &'static [Parameter] {
                match self { $(Filter::$variant => <$filter>::OWN_PARAMETERS,)* }
            }

            /// Whether it reads the whole window's statistics where every
            /// position of the window is valid.
            pub fn reads_window_statistics_where_valid(self) -> bool {
                match self {
                    $(Filter::$variant => <$filter>::READS_WINDOW_STATISTICS_WHERE_VALID,)*
                }
            }

            /// Whether it takes `compat=gee`.
            pub fn takes_gee(self) -> bool {
                match self { $(Filter::$variant => <$filter>::TAKES_GEE,)* }
            }

            pub(crate) fn check(self, p: &Params) -> Result<(), Error> {
                match self { $(Filter::$variant => <$filter>::check(p),)* }
            }

            pub(crate) fn rule(self, error: Error) -> Option<&'static str> {
                match self { $(Filter::$variant => <$filter>::rule(error),)* }
            }

            pub(crate) fn uses_looks(self, p: &Params) -> bool {
                match self { $(Filter::$variant => <$filter>::uses_looks(p),)* }
            }

            pub(crate) fn uses_point_threshold(self) -> bool {
                match self { $(Filter::$variant => <$filter>::uses_point_threshold(),)* }
            }

            pub(crate) fn cmax(self, p: &Params, cu: f64, looks: f64) -> Option<f64> {
                match self { $(Filter::$variant => <$filter>::cmax(p, cu, looks),)* }
            }

            pub(crate) fn derive(self, p: &Params, looks: f64, c: &mut Coefficients) {
                match self { $(Filter::$variant => <$filter>::derive(p, looks, c),)* }
            }

            pub(crate) fn context_radius(self, p: &Params) -> usize {
                match self { $(Filter::$variant => <$filter>::context_radius(p),)* }
            }

            pub(crate) fn pixel_radius(self, p: &Params) -> usize {
                match self { $(Filter::$variant => <$filter>::pixel_radius(p),)* }
            }

            pub(crate) fn stats_window(self, p: &Params) -> usize {
                match self { $(Filter::$variant => <$filter>::stats_window(p),)* }
            }

            pub(crate) fn row_scratch(self, p: &Params, n: usize) -> Option<usize> {
                match self { $(Filter::$variant => <$filter>::row_scratch(p, n),)* }
            }

            /// The filter's row kernel ([`SpeckleFilter::write_row`]).
            #[allow(clippy::too_many_arguments)]
            #[inline(always)]
            pub(crate) fn write_row(
                self,
                io: &mut impl BandIo,
                plan: &Plan,
                y: usize,
                tile: &Range<usize>,
                dense: bool,
                weighting: &mut Weighting,
                stats: impl Fn(usize) -> (f64, f64),
            ) {
                match self {
                    $(Filter::$variant => {
                        <$filter as RowKernel>::write_row(io, plan, y, tile, dense, weighting, stats)
                    })*
                }
            }
        }
    };
}

registry! {
    /// Enhanced Lee (Lopes, Touzi & Nezry 1990): SPEC.md.
    EnhancedLee => enhanced_lee::EnhancedLee,
    /// Lee (1980): the MMSE blend `m + k (x - m)`, `k = max(0, 1 - Cu^2/Ci^2)`.
    Lee => lee::Lee,
    /// Kuan (1985): `k = (1 - Cu^2/Ci^2) / (1 + Cu^2)`, clamped to [0, 1].
    Kuan => kuan::Kuan,
    /// Gamma-MAP (Lopes, Nezry, Touzi & Laur 1990).
    GammaMap => gamma_map::GammaMap,
    /// Frost (1982): the window averaged with weights `exp(-K Ci^2 |t|)`.
    Frost => frost::Frost,
    /// Refined Lee (Lee 1981): the MMSE blend over the half of a 7x7
    /// window on the pixel's side of its strongest edge.
    RefinedLee => refined_lee::RefinedLee,
    /// Lee Sigma (Lee, Wen, Ainsworth, Chen & Chen 2009): the MMSE blend
    /// over the window's pixels inside a sigma range around an a priori
    /// mean, with bright point targets kept.
    LeeSigma => lee_sigma::LeeSigma,
    /// Boxcar: the mean of the window's valid pixels.
    Boxcar => boxcar::Boxcar,
    /// Median: the median of the window's valid pixels (numpy's mean of the
    /// two middle values for an even count; SNAP's upper one with
    /// `compat=snap`).
    Median => median::Median,
    /// IDAN (Vasile et al. 2006): the MMSE estimate over an adaptive
    /// neighbourhood grown from the pixel (SNAP's `IDAN.java`).
    Idan => idan::Idan,
}

impl Filter {
    /// The filter called `name` (any case, surrounding blanks ignored).
    pub fn named(name: &str) -> Option<Filter> {
        let name = name.trim();
        Filter::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Every filter's name, in order, joined by `separator`.
    pub fn names(separator: &str) -> String {
        let names: Vec<&str> = Filter::ALL.iter().map(|f| f.name()).collect();
        names.join(separator)
    }

    /// Every filter's name with its source, `name (source)`, joined by
    /// ", ": for help texts.
    pub fn described() -> String {
        let items: Vec<String> = Filter::ALL
            .iter()
            .map(|f| format!("{} ({})", f.name(), f.source()))
            .collect();
        items.join(", ")
    }
}

/// A filter whose output pixel depends only on `(x, m, var)`.
///
/// Implementations are written without branches on the data (every value
/// is computed, then selected), so that the engine's row loops vectorise.
pub trait PointRule {
    /// The filtered value of pixel `x` whose window has mean `m` and
    /// variance `var` (negative `var` counts as 0; `m` is NaN when the
    /// window has no valid pixel). Invalid pixels and windows with
    /// `m <= 0` return `x` (SPEC.md, "Output, per pixel", 1 and 3).
    fn filtered(x: f32, valid: bool, m: f64, var: f64, c: &Coefficients) -> f32;
}

/// The common end of every rule: `filtered` where the pixel is valid and
/// its window's mean positive, else `x` unchanged.
#[inline(always)]
fn finish(x: f32, valid: bool, m: f64, filtered: f64) -> f32 {
    if valid && m > 0.0 {
        filtered as f32
    } else {
        x
    }
}

/// Whether a filter that blends by `Cu` derives it from the looks (and
/// the signal): no explicit `cu` is given.
fn derives_cu(p: &Params) -> bool {
    p.cu.is_none()
}

/// Takes the first `len` elements of `rest`.
fn take<'a>(rest: &mut &'a mut [f64], len: usize) -> &'a mut [f64] {
    let (front, back) = std::mem::take(rest).split_at_mut(len);
    *rest = back;
    front
}
