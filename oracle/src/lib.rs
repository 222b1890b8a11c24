//! The independent oracle of enh-lee's tests (`tests/`) and fuzz targets
//! (`fuzz/`): one copy of what they share, written from SPEC.md and
//! `docs/filters.md` and sharing no code or type with the library.
//!
//! - [`border::map`]: SPEC's border rules as numpy.pad extends an axis,
//!   written as "bounce until inside" (the library uses a periodic
//!   formula).
//! - [`enhanced_lee`]: SPEC's Enhanced Lee in float64 with direct window
//!   loops, and a bound on its own rounding error.
//! - [`rng::Rng`]: the deterministic generator of test images.

pub mod border;
pub mod enhanced_lee;
pub mod rng;

pub use border::{map, Border};
pub use rng::Rng;
