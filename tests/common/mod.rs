//! Shared by the integration tests: the oracle's deterministic generator
//! (`oracle/`, shared with `fuzz/`), and the library's border rule named in
//! the oracle's terms.

#![allow(unused_imports, dead_code)] // each test file uses a different part

pub use enh_lee_oracle::Rng;

/// The oracle's border rule for the library's (the oracle shares no type
/// with the library it checks).
pub fn oracle_border(border: enh_lee::Border) -> enh_lee_oracle::Border {
    match border {
        enh_lee::Border::Reflect => enh_lee_oracle::Border::Reflect,
        enh_lee::Border::Mirror => enh_lee_oracle::Border::Mirror,
        enh_lee::Border::Nearest => enh_lee_oracle::Border::Nearest,
        enh_lee::Border::Shrink => enh_lee_oracle::Border::Shrink,
    }
}

/// The library's parameters in the oracle's terms: the same fields, with
/// `cu` and `cmax` only where given (the oracle derives its own), and
/// nothing taken from `Params::validate`.
pub fn oracle_params(p: &enh_lee::Params) -> enh_lee_oracle::family::Params {
    use enh_lee::{Compat, Filter, Signal, Statistic};
    use enh_lee_oracle::{family, speckle, window};
    family::Params {
        filter: match p.filter {
            Filter::EnhancedLee => family::Filter::EnhancedLee,
            Filter::Lee => family::Filter::Lee,
            Filter::Kuan => family::Filter::Kuan,
            Filter::GammaMap => family::Filter::GammaMap,
            Filter::Frost => family::Filter::Frost,
            Filter::RefinedLee => family::Filter::RefinedLee,
            Filter::LeeSigma => family::Filter::LeeSigma,
            Filter::Boxcar => family::Filter::Boxcar,
            Filter::Median => family::Filter::Median,
            Filter::Idan => family::Filter::Idan,
        },
        window: p.window,
        looks: p.looks,
        damping: p.damping,
        cu: p.cu,
        cmax: p.cmax,
        signal: match p.signal {
            Signal::Intensity => speckle::Signal::Intensity,
            Signal::Amplitude => speckle::Signal::Amplitude,
        },
        statistic: match p.statistic {
            Statistic::Window => window::Statistic::Window,
            Statistic::Residual => window::Statistic::Residual,
        },
        border: oracle_border(p.border),
        nodata: p.nodata,
        sigma: p.sigma,
        target_window: p.target_window,
        point_threshold: p.point_threshold,
        an_size: p.own("an_size") as usize,
        compat: match p.compat {
            Compat::None => window::Compat::None,
            Compat::Snap => window::Compat::Snap,
            Compat::EarthEngine => window::Compat::EarthEngine,
        },
    }
}
