//! The independent oracle of enh-lee's tests (`tests/`) and fuzz targets
//! (`fuzz/`): one copy of what they share, written from SPEC.md and
//! `docs/filters.md` and sharing no code or type with the library.
//!
//! - [`border::map`]: SPEC's border rules as numpy.pad extends an axis,
//!   written as "bounce until inside" (the library uses a periodic
//!   formula).
//! - [`window`]: SPEC's window statistics, direct loops over each window,
//!   and `compat=snap`'s sample variance and clipped windows.
//! - One module per filter, named as the filter's file under
//!   `src/filters/`, each a float64 evaluation of its published rule with
//!   its own coefficients: [`enhanced_lee`] (also a bound on its own
//!   rounding error), [`lee`], [`kuan`], [`gamma_map`], [`frost`],
//!   [`refined_lee`], [`lee_sigma`] (its table copied from Lee et al. 2009
//!   and SNAP, and recomputed from its definition), [`boxcar`], [`median`],
//!   [`idan`] (SNAP's region growing on an unbounded plane, its reach
//!   checked rather than assumed); [`speckle`] the speckle's `Cu`.
//! - [`family::expected`]: any filter over a whole raster.
//! - [`rng::Rng`]: the deterministic generator of test images.

pub mod border;
pub mod boxcar;
pub mod enhanced_lee;
pub mod family;
pub mod frost;
pub mod gamma_map;
pub mod idan;
pub mod kuan;
pub mod lee;
pub mod lee_sigma;
pub mod median;
pub mod refined_lee;
pub mod rng;
pub mod speckle;
pub mod window;

pub use border::{map, Border};
pub use rng::Rng;
