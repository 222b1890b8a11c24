//! The speckle filters, one module each (`docs/filters.md` defines them,
//! with their sources). Each is a rule over the window statistics that
//! the shared engine (`crate::band`, `crate::stage`) computes: the pixel
//! `x`, the mean `m` and the variance `var` of the valid pixels of its
//! window; Frost, Refined Lee and Lee Sigma also read the window's pixels
//! one by one (`crate::window_rows`).

mod enhanced_lee;
mod exp;
mod frost;
mod gamma_map;
mod kuan;
mod lee;
mod lee_sigma;
mod refined_lee;

pub use enhanced_lee::EnhancedLee;
pub use frost::Frost;
pub use gamma_map::GammaMap;
pub use kuan::Kuan;
pub use lee::Lee;
pub use lee_sigma::{Geometry as LeeSigmaGeometry, LeeSigma};
pub use refined_lee::{RefinedLee, WINDOW as REFINED_LEE_WINDOW};
#[cfg(feature = "bench-internals")]
pub use {enhanced_lee::enhanced_lee, exp::exp_neg};

use crate::params::Coefficients;

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

/// Takes the first `len` elements of `rest`.
fn take<'a>(rest: &mut &'a mut [f64], len: usize) -> &'a mut [f64] {
    let (front, back) = std::mem::take(rest).split_at_mut(len);
    *rest = back;
    front
}
