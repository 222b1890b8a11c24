//! # enh-lee
//!
//! The Enhanced Lee speckle filter (Lopes, Touzi & Nezry, 1990) and its
//! family (Lee, Kuan, Gamma-MAP, Frost, Refined Lee, Lee Sigma) for SAR images: exact (every window summed
//! to the accuracy of a direct float64 sum), fast (O(log window) per pixel,
//! vectorised, all cores) and in bounded memory (input + output + a scratch
//! that does not grow with the height, or in place). `docs/SPEC.md` and
//! `docs/filters.md` in the repository are the definition.
//!
//! ```
//! use enh_lee::{filter, Params};
//! use ndarray::Array2;
//!
//! let image = Array2::<f32>::from_shape_fn((64, 80), |(y, x)| 1.0 + ((x * 7 + y * 13) % 5) as f32);
//! let mut out = Array2::<f32>::zeros(image.dim());
//! filter(image.view(), out.view_mut(), &Params { looks: 4.0, ..Params::default() }, None).unwrap();
//! ```
//!
//! The C ABI (`include/enh_lee.h`) is in [`capi`]. It and the
//! instruction-set dispatch (`simd`: one call per band into the kernel
//! compiled for AVX2 or AVX-512, after checking the CPU has them) are the
//! only modules with `unsafe` code.

/// The thread limit, as a literal for messages: [`MAX_THREADS`].
macro_rules! max_threads {
    () => {
        1024
    };
}

mod band;
mod border;
pub mod capi;
mod carve;
mod detect;
mod error;
mod filter;
mod filters;
mod key_search;
mod looks;
mod params;
mod plan;
mod point_threshold;
mod report;
mod simd;
mod stage;
mod temporal;
mod vocabulary;
mod window_rows;
mod window_sum;

/// The per-pixel rule and its `exp`, for the benchmark example
/// `examples/rule_floor.rs` (feature `bench-internals`): not part of the
/// API.
#[cfg(feature = "bench-internals")]
#[doc(hidden)]
pub mod internals {
    pub use crate::filters::{enhanced_lee, exp_neg};
}

pub use detect::{detect, detected};
pub use error::Error;
pub use filter::{
    filter, filter_in_place, filter_region, halo, scratch_len, source_region, Region, Scratch,
    ScratchLen,
};
pub use key_search::{KeySearch, BINS as SEARCH_BINS};
pub use looks::{estimate_looks, LooksSearch, BLOCK as LOOKS_BLOCK};
pub use params::{
    Border, Coefficients, Compat, Filter, Params, Signal, Statistic, Temporal, Variance,
    WholeRasterState, MAX_THREADS, SIGMAS, TARGET_WINDOWS,
};
pub use plan::Plan;
pub use point_threshold::{point_threshold, ThresholdSearch};
pub use report::{finish_report, quality_report, QualityReport};
pub use vocabulary::{parameter, parameters, Kind, OwnValues, Parameter, PARAMETERS};
